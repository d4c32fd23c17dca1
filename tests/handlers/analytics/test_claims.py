"""Marketplace claims through analytics' API over the real PostgreSQL, the case's events
through FastStream's test broker: the evidence pack of each claim kind as a PDF and a ZIP
read back, an erased buyer left out; a claim opened with its clock, filed, decided; the
report of claims won and money recovered; and the walls between sellers."""

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import httpx
import PIL.Image
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from faststream.kafka import TestKafkaBroker
from pytest_httpserver import HTTPServer

from services.analytics.adapters.refurbish_photos import BenchPhotos
from services.analytics.domain.claims import ClaimKind
from services.analytics.workflows.context import Analytics
from shared.events import CaseMarketplaceUpdated, ClaimNotice
from tests.factories import AGENT, STAFF, SellerPeople
from tests.handlers.analytics.conftest import publish_at
from tests.unit.analytics.domain.test_evidence import (
    BUYER_PHOTO,
    BUYER_WORDS,
    MARKETPLACE_OF,
    at,
    pdf_text,
    story,
)


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
async def refurbish(api, httpserver: HTTPServer):
    """Refurbish's bench photos as analytics reaches them (as itself): inspection insp-77
    of every story has two photos, the second of which refurbish fails to give."""
    listed = [
        {"photo_id": "p1", "content_type": "image/png", "size": 1, "taken_at": "2026-11-06"},
        {"photo_id": "p2", "content_type": "image/png", "size": 1, "taken_at": "2026-11-06"},
    ]
    root = "/evidence/inspections/insp-77/photos"
    httpserver.expect_request(root).respond_with_json(listed)
    httpserver.expect_request(f"{root}/p1").respond_with_data(png(), content_type="image/png")
    httpserver.expect_request(f"{root}/p2").respond_with_data("boom", status=500)
    async with (
        httpx.AsyncClient() as resolution,
        httpx.AsyncClient(base_url=httpserver.url_for("")) as client,
    ):
        api.service.context = Analytics(resolution, {}, BenchPhotos(client))
        yield httpserver


def images_in(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    return sum(
        len(list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))) for page in document
    )


async def a_case(api, kind: ClaimKind, seller: str, erased: bool = False) -> str:
    case_id = f"case-{uuid.uuid4()}"
    async with TestKafkaBroker(api.service.broker) as broker:
        for event, time in story(case_id, MARKETPLACE_OF[kind], seller, erased):
            await publish_at(broker, event, time)
    return case_id


@dataclass
class Seller(SellerPeople):
    name: str


def a_seller() -> Seller:
    return Seller(f"claims-{uuid.uuid4().hex[:8]}")


@pytest.mark.parametrize("kind", list(ClaimKind))
async def test_the_evidence_pack_of_each_kind_as_pdf_and_zip(api, kind):
    seller = a_seller()
    case_id = await a_case(api, kind, seller.name)
    pdf = await api.get(f"/cases/{case_id}/evidence/{kind.value}", headers=seller.agent())
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for fact in ("114-3941689-8772232", "Graded D", "Refunded 59.99 USD", BUYER_WORDS):
        assert fact in text
    # The bench photo refurbish gave is in the PDF; the one it did not is named missing.
    assert "Bench photo inspection insp-77, photo p1" in text
    assert "Photo missing: inspection insp-77, photo p2: refurbish answered 500" in text
    assert images_in(pdf.content) == 1

    packed = await api.get(
        f"/cases/{case_id}/evidence/{kind.value}", params={"format": "zip"}, headers=seller.agent()
    )
    assert packed.status_code == 200, packed.text
    archive = zipfile.ZipFile(io.BytesIO(packed.content))
    assert sorted(archive.namelist()) == sorted(
        [
            f"{kind.value}-{case_id}.pdf",
            "facts.json",
            "conversation.csv",
            "timeline.csv",
            "photos.txt",
            "photos/insp-77-p1.png",
        ]
    )
    assert archive.read("photos/insp-77-p1.png") == png()
    listed = archive.read("photos.txt").decode()
    assert "bench\tphotos/insp-77-p1.png" in listed
    assert "missing\tinspection insp-77, photo p2: refurbish answered 500" in listed


async def test_a_pack_is_served_with_refurbish_down_its_bench_photos_listed_missing(api):
    seller = a_seller()
    case_id = await a_case(api, ClaimKind.AMAZON_A_TO_Z, seller.name)
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as nowhere:
        api.service.context.bench_photos = BenchPhotos(nowhere)
        packed = await api.get(
            f"/cases/{case_id}/evidence/amazon_a_to_z",
            params={"format": "zip"},
            headers=seller.agent(),
        )
    assert packed.status_code == 200, packed.text
    archive = zipfile.ZipFile(io.BytesIO(packed.content))
    assert not [name for name in archive.namelist() if name.startswith("photos/")]
    assert "missing\tinspection insp-77: refurbish did not answer" in (
        archive.read("photos.txt").decode()
    )
    pdf = archive.read(f"amazon_a_to_z-{case_id}.pdf")
    assert "Photo missing: inspection insp-77: refurbish did not answer" in pdf_text(pdf)


async def test_an_erased_buyer_is_left_out_of_the_pack_served(api):
    seller = a_seller()
    case_id = await a_case(api, ClaimKind.AMAZON_A_TO_Z, seller.name, erased=True)
    pdf = await api.get(f"/cases/{case_id}/evidence/amazon_a_to_z", headers=AGENT)
    text = pdf_text(pdf.content)
    assert BUYER_WORDS not in text and "buyer-max-77" not in text
    assert "asked to be erased" in text and "Graded D" in text
    # The unit's bench photo is no data of the buyer's: it stays; the buyer's photo goes.
    assert "Bench photo inspection insp-77, photo p1" in text and images_in(pdf.content) == 1
    packed = await api.get(
        f"/cases/{case_id}/evidence/amazon_a_to_z", params={"format": "zip"}, headers=AGENT
    )
    archive = zipfile.ZipFile(io.BytesIO(packed.content))
    listed = archive.read("photos.txt").decode()
    assert BUYER_PHOTO not in listed and "photos/insp-77-p1.png" in archive.namelist()
    assert BUYER_PHOTO not in archive.read("facts.json").decode()


async def test_a_claim_s_clock_filing_outcome_and_the_report(api):
    seller = a_seller()
    agent = seller.agent()
    safe_t = await a_case(api, ClaimKind.AMAZON_SAFE_T, seller.name)
    chargeback = await a_case(api, ClaimKind.CHARGEBACK, seller.name)

    opened = await api.post(
        f"/cases/{safe_t}/claims",
        json={"kind": "amazon_safe_t", "amount_minor": 5999, "marketplace_claim_id": "S-1"},
        headers=agent,
    )
    assert opened.status_code == 201, opened.text
    claim = opened.json()
    # The SAFE-T clock starts at the refund (120 h in), not at the notice.
    assert claim["starts"] == at(120).isoformat().replace("+00:00", "Z")
    # Thirty days to the end of the local day in New York (EST).
    assert claim["due_at"] == "2026-12-08T04:59:59Z"
    assert claim["outcome"] == "open"

    stated = at(130) + timedelta(days=21)
    second = await api.post(
        f"/cases/{chargeback}/claims",
        json={
            "kind": "chargeback",
            "amount_minor": 5999,
            "notice_at": at(130).isoformat(),
            "due_at": stated.isoformat(),
        },
        headers=agent,
    )
    assert second.status_code == 201, second.text
    assert second.json()["due_at"] == stated.isoformat().replace("+00:00", "Z")

    # The pack shows the claim's clock once a claim is open.
    pdf = await api.get(f"/cases/{safe_t}/evidence/amazon_safe_t", headers=agent)
    assert f"Claim {claim['claim_id']}" in pdf_text(pdf.content)

    claim_id, other = claim["claim_id"], second.json()["claim_id"]
    filed = await api.post(
        f"/claims/{claim_id}/filing", json={"filed_at": at(125).isoformat()}, headers=agent
    )
    assert filed.status_code == 200, filed.text
    assert (filed.json()["outcome"], filed.json()["clock"]["state"]) == ("filed", "met")
    again = await api.post(f"/claims/{claim_id}/filing", json={}, headers=agent)
    assert again.status_code == 409, again.text

    won = await api.post(f"/claims/{claim_id}/outcome", json={"outcome": "won"}, headers=agent)
    assert won.status_code == 200, won.text
    assert won.json()["recovered_minor"] == 5999
    twice = await api.post(f"/claims/{claim_id}/outcome", json={"outcome": "lost"}, headers=agent)
    assert twice.status_code == 409
    partly = await api.post(
        f"/claims/{other}/outcome", json={"outcome": "partly_won"}, headers=agent
    )
    assert partly.status_code == 422 and "how much" in partly.text
    lost = await api.post(f"/claims/{other}/outcome", json={"outcome": "lost"}, headers=agent)
    assert lost.status_code == 200, lost.text

    report = await api.get("/reports/claims", params={"seller": seller.name}, headers=agent)
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["claims"], body["won"], body["recovered_by_currency"]) == (2, 1, {"USD": 5999})
    by_kind = {row["kind"]: row for row in body["by_kind"]}
    assert by_kind["amazon_safe_t"]["win_rate"] == 1.0
    assert by_kind["chargeback"]["lost"] == 1 and by_kind["chargeback"]["win_rate"] == 0.0
    # The chargeback was never filed and is past its stated due date: a missed clock.
    assert by_kind["chargeback"]["clocks_missed"] == 1
    listed = await api.get("/claims", params={"outcome": "won"}, headers=agent)
    assert [c["claim_id"] for c in listed.json()["claims"]] == [claim_id]


async def test_claims_are_refused_with_a_reason(api):
    seller = a_seller()
    ebay = await a_case(api, ClaimKind.EBAY_MONEY_BACK, seller.name)
    wrong = await api.post(
        f"/cases/{ebay}/claims", json={"kind": "amazon_a_to_z", "amount_minor": 1}, headers=AGENT
    )
    assert wrong.status_code == 422 and "amazon" in wrong.text
    pack = await api.get(f"/cases/{ebay}/evidence/amazon_safe_t", headers=AGENT)
    assert pack.status_code == 422
    unknown = await api.get(f"/cases/{ebay}/evidence/paypal", headers=AGENT)
    assert unknown.status_code == 422
    naive = await api.post(
        f"/cases/{ebay}/claims",
        json={"kind": "ebay_money_back", "amount_minor": 1, "notice_at": "2026-11-02T09:00:00"},
        headers=AGENT,
    )
    assert naive.status_code == 422
    # A SAFE-T claim asks back a refund: a case without one has nothing to ask back.
    bare_id = f"case-{uuid.uuid4()}"
    async with TestKafkaBroker(api.service.broker) as broker:
        opened, time = story(bare_id, "amazon", seller.name)[0]
        await publish_at(broker, opened, time)
    none = await api.post(
        f"/cases/{bare_id}/claims", json={"kind": "amazon_safe_t", "amount_minor": 1}, headers=AGENT
    )
    assert none.status_code == 422 and "has none" in none.text


async def test_another_seller_s_cases_and_claims_are_not_found(api):
    mine, theirs = a_seller(), a_seller()
    their_case = await a_case(api, ClaimKind.AMAZON_A_TO_Z, theirs.name)
    their_claim = await api.post(
        f"/cases/{their_case}/claims",
        json={"kind": "amazon_a_to_z", "amount_minor": 5999},
        headers=theirs.agent(),
    )
    assert their_claim.status_code == 201, their_claim.text
    claim_id = their_claim.json()["claim_id"]
    me = mine.agent()
    for path in (f"/cases/{their_case}/evidence/amazon_a_to_z", f"/claims/{claim_id}"):
        assert (await api.get(path, headers=me)).status_code == 404, path
    opened = await api.post(
        f"/cases/{their_case}/claims", json={"kind": "amazon_a_to_z", "amount_minor": 1}, headers=me
    )
    assert opened.status_code == 404
    decided = await api.post(f"/claims/{claim_id}/outcome", json={"outcome": "won"}, headers=me)
    assert decided.status_code == 404
    assert (await api.get("/claims", headers=me)).json()["claims"] == []
    assert (await api.get("/reports/claims", headers=me)).json()["claims"] == 0
    other = await api.get("/reports/claims", params={"seller": theirs.name}, headers=me)
    assert other.status_code == 404
    assert (await api.get("/claims", headers=theirs.agent())).json()["claims"][0]["claim_id"] == (
        claim_id
    )
    # Operations read claims, never change them; warehouse staff do not reach them.
    ops = theirs.operations()
    assert (await api.get(f"/claims/{claim_id}", headers=ops)).status_code == 200
    filing = await api.post(f"/claims/{claim_id}/filing", json={}, headers=ops)
    assert filing.status_code == 403
    assert (await api.get("/claims", headers=STAFF)).status_code == 403


async def test_the_claims_report_counts_the_period_asked(api):
    seller = a_seller()
    case_id = await a_case(api, ClaimKind.EBAY_MONEY_BACK, seller.name)
    for notice in ("2026-11-03T10:00:00Z", "2026-11-20T10:00:00Z"):
        opened = await api.post(
            f"/cases/{case_id}/claims",
            json={"kind": "ebay_money_back", "amount_minor": 5999, "notice_at": notice},
            headers=AGENT,
        )
        assert opened.status_code == 201, opened.text
    # 3 business days in New York from Friday 20 November: Wednesday the 25th, end of day.
    assert opened.json()["clock"]["due_at"] == "2026-11-26T04:59:59Z"
    params = {
        "seller": seller.name,
        "since": "2026-11-01T00:00:00Z",
        "until": "2026-11-10T00:00:00Z",
    }
    first = await api.get("/reports/claims", params=params, headers=AGENT)
    assert first.status_code == 200, first.text
    assert first.json()["claims"] == 1
    backwards = await api.get(
        "/reports/claims", params={**params, "since": params["until"]}, headers=AGENT
    )
    assert backwards.status_code == 422


async def notified(api, case_id: str, notice: ClaimNotice, marketplace: str, hours: float):
    update = CaseMarketplaceUpdated(
        case_id=case_id,
        marketplace=marketplace,
        status="escalated",
        note=notice.state,
        at=at(hours),
        claim=notice,
    )
    async with TestKafkaBroker(api.service.broker) as broker:
        await publish_at(broker, update, at(hours))


async def test_a_claim_the_marketplace_notifies_is_opened_once_with_its_clock_running(api):
    seller = a_seller()
    case_id = await a_case(api, ClaimKind.EBAY_MONEY_BACK, seller.name)
    notice = ClaimNotice(
        kind=ClaimKind.EBAY_MONEY_BACK,
        marketplace_claim_id="5012345678",
        notice_at=at(130),
        state="ESCALATED",
    )
    await notified(api, case_id, notice, "ebay", 130)
    await notified(api, case_id, notice, "ebay", 131)  # eBay says it again: one claim
    listed = await api.get("/claims", params={"seller": seller.name}, headers=seller.agent())
    [claim] = listed.json()["claims"]
    assert claim["case_id"] == case_id and claim["kind"] == "ebay_money_back"
    assert claim["marketplace_claim_id"] == "5012345678"
    assert claim["opened_by"] == "ebay notice" and claim["outcome"] == "open"
    # The clock runs from eBay's notice: 3 business days, on the US market's calendar.
    assert claim["starts"] == at(130).isoformat().replace("+00:00", "Z")
    assert claim["due_at"] > claim["starts"]
    assert claim["clock"]["state"] in ("breached", "near_breach", "running")
    # No amount in the notice: the claim asks the order's value (the speaker, 59.99).
    assert claim["amount_minor"] == 5999


async def test_a_safe_t_claim_the_report_lists_is_opened_as_filed(api):
    seller = a_seller()
    case_id = await a_case(api, ClaimKind.AMAZON_SAFE_T, seller.name)
    notice = ClaimNotice(
        kind=ClaimKind.AMAZON_SAFE_T,
        marketplace_claim_id="SAFET00000042",
        notice_at=at(150),
        filed_at=at(150),
        amount_minor=4000,
        state="Pending",
    )
    await notified(api, case_id, notice, "amazon", 150)
    [claim] = (await api.get("/claims", headers=seller.agent())).json()["claims"]
    # The SAFE-T clock starts at the refund (120 h in), and the claim was filed at 150 h.
    assert claim["starts"] == at(120).isoformat().replace("+00:00", "Z")
    assert claim["outcome"] == "filed" and claim["clock"]["state"] == "met"
    assert claim["amount_minor"] == 4000


async def test_a_notice_of_a_claim_that_does_not_fit_the_case_opens_nothing(api):
    seller = a_seller()
    ebay_case = await a_case(api, ClaimKind.EBAY_MONEY_BACK, seller.name)
    wrong = ClaimNotice(
        kind=ClaimKind.AMAZON_A_TO_Z, marketplace_claim_id="order:1", notice_at=at(130)
    )
    await notified(api, ebay_case, wrong, "ebay", 130)
    assert (await api.get("/claims", headers=seller.agent())).json()["claims"] == []
    # The projection took the event all the same: the case shows it escalated.
    timeline = await api.get(f"/cases/{ebay_case}/evidence/ebay_money_back", headers=AGENT)
    assert timeline.status_code == 200
