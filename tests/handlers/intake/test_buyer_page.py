"""The buyer's page (`handlers/buyer_page.py`) over the real PostgreSQL: every action and
every link that opens no case. What resolution and fulfillment say of the case is a fake
of their buyer views (their own routes are tested beside them; the whole page runs
against the real services in tests/integration/test_buyers_page.py)."""

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import text

from services.intake.domain.case import EraseBuyer
from services.intake.tables import BuyerRecord, CaseRecord
from services.intake.workflows.cases import erase_buyer
from shared.outbound import Unavailable
from tests.factories import AGENT
from tests.handlers.conftest import outbox_of
from tests.handlers.intake.conftest import running_intake


class FakeViews:
    """Resolution's and fulfillment's buyer views of one case, as a test sets them."""

    def __init__(self) -> None:
        self.resolution: dict | None = None
        self.fulfillment: dict | None = None
        self.down = False
        self.label: bytes | None = None
        self.bookings: list[tuple[str, dict]] = []
        self.refuse_pickup: str | None = None

    async def offers(self, case_id: str) -> dict | None:
        if self.down:
            raise Unavailable("resolution", "down for the test")
        return self.resolution

    async def parcels(self, case_id: str) -> dict | None:
        if self.down:
            raise Unavailable("fulfillment", "down for the test")
        return self.fulfillment

    async def return_label(self, rma_id: str) -> bytes | None:
        if self.down:
            raise Unavailable("fulfillment", "down for the test")
        return self.label

    async def book_pickup(self, rma_id: str, window: dict) -> str | None:
        if self.refuse_pickup:
            return self.refuse_pickup
        self.bookings.append((rma_id, window))
        self.fulfillment["return"]["pickup"] = window
        return None


def offer(offer_id: str, remedy: str = "partial_refund", amount: int = 750, is_open=True):
    notices = {
        "en": ["you may still return the item instead"],
        "de": ["Sie können den Artikel stattdessen weiterhin zurücksenden"],
        "fr": [],
        "es": [],
        "it": [],
    }
    return {
        "offer_id": offer_id,
        "step": 1,
        "remedy": remedy,
        "amount_minor": amount,
        "currency": "EUR",
        "state": "open" if is_open else "declined",
        "open": is_open,
        "message": "Guten Tag, wir bieten Ihnen 7,50 € an.",
        "expires_at": (datetime.now(UTC) + timedelta(hours=48)).isoformat(),
        "disclosures": notices,
    }


@pytest.fixture
async def intake(settings):
    async with running_intake(settings) as client:
        client.views = FakeViews()
        client.service.context.case_views = client.views
        yield client


async def a_case(
    intake,
    language: str = "de",
    erased: bool = False,
    reason: str = "defective",
    *,
    channel: str = "generic",
    account: str = "page-seller",
    order_id: str = "ORD-1001",
    items: list[dict] | None = None,
    scenario: str | None = None,
) -> str:
    case_id = f"case-{uuid.uuid4()}"
    buyer_ref = f"buyer-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    async with intake.service.transaction() as session:
        session.add(
            CaseRecord(
                case_id=case_id,
                channel=channel,
                case_key=case_id,
                account=account,
                order_id=order_id,
                market="DE",
                buyer_ref=buyer_ref,
                confidence=1.0,
                needs_agent=False,
                opened_at=now,
                scenario=scenario,
                case={
                    "case_id": case_id,
                    "buyer_language": language,
                    "reason": reason,
                    "items": items or [{"sku": "LMP-1", "title": "Desk Lamp", "quantity": 1}],
                },
            )
        )
        session.add(
            BuyerRecord(
                channel=channel,
                account=account,
                buyer_ref=buyer_ref,
                contact=None,
                erased_at=now if erased else None,
            )
        )
    return case_id


def link(intake, case_id: str, language: str = "de") -> str:
    return "/buyer/" + intake.service.context.buyer_links.page_token(case_id, language)


async def events_of(intake, case_id: str, event_type: str) -> list[dict]:
    return [e for e in await outbox_of(intake.service, case_id) if e["type"] == event_type]


FORM = {"content-type": "application/x-www-form-urlencoded"}


async def test_the_page_shows_the_open_offer_its_amount_what_the_buyer_keeps_and_rights(intake):
    case_id = await a_case(intake)
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-1")]}
    page = await intake.get(link(intake, case_id))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="de">' in page.text
    assert "Teilerstattung" in page.text and "7,50" in page.text
    assert "Sie behalten den Artikel" in page.text
    assert "Sie können den Artikel stattdessen weiterhin zurücksenden." in page.text
    assert 'value="o-1"' in page.text and 'value="accept"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_a_store_credit_offer_is_shown_with_the_refund_the_buyer_may_take_instead(intake):
    case_id = await a_case(intake)
    credit = offer("o-sc", remedy="store_credit", amount=5500) | {
        "message": "Hello, a gift card worth €55.00, which is €5.00 more than your refund. "
        'You may insist on a refund of your money instead: reply "no".'
    }
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [credit]}
    page = await intake.get(link(intake, case_id), params={"lang": "en"})
    assert page.status_code == 200
    assert "Store credit (gift card)" in page.text and "55.00" in page.text
    assert "You may decline it and get your money back instead." in page.text
    assert "You may still return the item instead" in page.text  # the law's notice stays
    form = {"offer_id": "o-sc", "answer": "accept", "lang": "en"}
    taken = await intake.post(f"{link(intake, case_id)}/answer", data=form)
    assert taken.status_code == 303 and "done=accept" in taken.headers["location"]
    replied = await events_of(intake, case_id, "case.buyer_replied")
    assert [e["data"]["answer"] for e in replied] == ["accept"]


async def test_the_buyer_switches_language_and_an_unknown_one_keeps_the_link_s(intake):
    case_id = await a_case(intake)
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-1")]}
    english = await intake.get(link(intake, case_id), params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Partial refund" in english.text
    for odd in ("xx", "d" * 10_000, "日本語"):
        page = await intake.get(link(intake, case_id), params={"lang": odd})
        assert page.status_code == 200 and '<html lang="de">' in page.text
    nul = await intake.get(link(intake, case_id), params={"lang": "\x00"})  # refused at the edge
    assert nul.status_code == 422 and "control character" in nul.text


async def test_accept_is_a_buyer_reply_taken_once(intake):
    case_id = await a_case(intake)
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-2")]}
    form = {"offer_id": "o-2", "answer": "accept", "lang": "de"}
    first = await intake.post(f"{link(intake, case_id)}/answer", data=form)
    again = await intake.post(f"{link(intake, case_id)}/answer", data=form)
    assert first.status_code == again.status_code == 303
    assert "done=accept" in first.headers["location"]
    replied = await events_of(intake, case_id, "case.buyer_replied")
    assert [e["data"]["answer"] for e in replied] == ["accept"]
    # Once resolution took it, the offer is no longer open: the double click still lands.
    intake.views.resolution["offers"] = [offer("o-2", is_open=False)]
    late = await intake.post(f"{link(intake, case_id)}/answer", data=form)
    assert late.status_code == 303
    assert len(await events_of(intake, case_id, "case.buyer_replied")) == 1


async def test_two_clicks_at_once_take_effect_once(intake):
    case_id = await a_case(intake)
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-3")]}
    form = {"offer_id": "o-3", "answer": "decline", "lang": "de"}
    answers = await asyncio.gather(
        *(intake.post(f"{link(intake, case_id)}/answer", data=form) for _ in range(4))
    )
    assert {a.status_code for a in answers} == {303}
    assert len(await events_of(intake, case_id, "case.buyer_replied")) == 1


async def test_a_second_different_answer_to_one_offer_is_refused(intake):
    case_id = await a_case(intake)
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-4")]}
    url = f"{link(intake, case_id)}/answer"
    await intake.post(url, data={"offer_id": "o-4", "answer": "decline", "lang": "en"})
    other = await intake.post(url, data={"offer_id": "o-4", "answer": "accept", "lang": "en"})
    assert other.status_code == 409 and "already answered" in other.text
    assert len(await events_of(intake, case_id, "case.buyer_replied")) == 1


async def test_decline_then_accept_the_next_offer(intake):
    case_id = await a_case(intake, language="fr")
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-5")]}
    url = f"{link(intake, case_id, 'fr')}/answer"
    assert (await intake.post(url, data={"offer_id": "o-5", "answer": "decline"})).is_redirect
    following = offer("o-6", remedy="return_full_refund", amount=4999)
    intake.views.resolution["offers"] = [offer("o-5", is_open=False), following]
    assert (await intake.post(url, data={"offer_id": "o-6", "answer": "accept"})).is_redirect
    replied = await events_of(intake, case_id, "case.buyer_replied")
    assert [e["data"]["answer"] for e in replied] == ["decline", "accept"]


async def test_an_answer_on_a_closed_case_or_a_stale_offer_changes_nothing(intake):
    case_id = await a_case(intake, language="es")
    closed = {
        "state": "decided",
        "remedy": "partial_refund",
        "offers": [offer("o-7", is_open=False)],
    }
    intake.views.resolution = closed
    answer = await intake.post(
        f"{link(intake, case_id, 'es')}/answer", data={"offer_id": "o-7", "answer": "accept"}
    )
    assert answer.status_code == 409 and "ya no está abierta" in answer.text
    unknown = await intake.post(
        f"{link(intake, case_id, 'es')}/answer", data={"offer_id": "nope", "answer": "accept"}
    )
    assert unknown.status_code == 409
    intake.views.resolution = None  # resolution has not seen the case
    early = await intake.post(
        f"{link(intake, case_id, 'es')}/answer", data={"offer_id": "o-7", "answer": "accept"}
    )
    assert early.status_code == 409
    assert await events_of(intake, case_id, "case.buyer_replied") == []


async def test_resolution_down_the_page_says_so_and_an_answer_waits(intake):
    case_id = await a_case(intake, language="it")
    intake.views.down = True
    page = await intake.get(link(intake, case_id, "it"))
    assert page.status_code == 200 and "Riprovi tra qualche minuto" in page.text
    answer = await intake.post(
        f"{link(intake, case_id, 'it')}/answer", data={"offer_id": "o-8", "answer": "accept"}
    )
    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert await events_of(intake, case_id, "case.buyer_replied") == []


async def test_a_rating_is_one_per_case_and_a_new_one_replaces_it(intake):
    case_id = await a_case(intake)
    url = f"{link(intake, case_id)}/rating"
    first = await intake.post(url, data={"stars": "4", "comment": "Schnell", "lang": "de"})
    twice = await intake.post(url, data={"stars": "4", "comment": "Schnell", "lang": "de"})
    assert first.status_code == twice.status_code == 303
    assert "done=rating" in first.headers["location"]
    await intake.post(url, data={"stars": "2", "comment": "Doch nicht", "lang": "de"})
    rated = await events_of(intake, case_id, "case.satisfaction_rated")
    assert [(e["data"]["rating"], e["data"]["comment"]) for e in rated] == [
        (4, "Schnell"),
        (2, "Doch nicht"),
    ]
    async with intake.service.engine.connect() as connection:
        stored = await connection.execute(
            text("SELECT rating FROM intake.buyer_messages WHERE case_id = :c"), {"c": case_id}
        )
        assert [row.rating for row in stored] == [2]
    page = await intake.get(link(intake, case_id))
    assert "Ihre Bewertung: 2 von 5" in page.text


@pytest.mark.parametrize(
    "form",
    [
        {"stars": "0"},
        {"stars": "6"},
        {"stars": "9" * 5000},
        {"stars": "-1"},
        {"stars": "4.5"},
        {},
        {"stars": "3", "comment": "x" * 2001},
    ],
)
async def test_a_bad_rating_is_refused_in_words(intake, form):
    case_id = await a_case(intake, language="en")
    answer = await intake.post(f"{link(intake, case_id, 'en')}/rating", data=form)
    assert answer.status_code == 422 and "<html" in answer.text
    assert await events_of(intake, case_id, "case.satisfaction_rated") == []


async def test_any_input_gets_an_answer_never_a_500(intake):
    case_id = await a_case(intake, language="en")
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-9")]}
    page = link(intake, case_id, "en")
    bodies = [
        b"offer_id=o-9&answer=accept\x00",
        b"offer_id=%00&answer=accept",
        b"offer_id=o-9&answer=" + "接受".encode(),
        b"\xff\xfe\x00garbage",
        b"a=" + b"9" * 20_000,
        b"&".join(b"f%d=1" % n for n in range(100)),
        "offer_id=o-9&answer=maybe&lang=\U0001f600".encode(),
    ]
    for body in bodies:
        answer = await intake.post(f"{page}/answer", content=body, headers=FORM)
        assert 400 <= answer.status_code < 500, (body[:40], answer.status_code)
    nul = b"ok \x00"
    refused = await intake.post(f"{page}/rating", content=b"stars=5&comment=" + nul, headers=FORM)
    assert refused.status_code == 422  # at the edge: PostgreSQL's text holds no NUL
    comment = "ok \ud800 \U0001f600 שלום".encode("utf-8", "surrogatepass")
    rated = await intake.post(f"{page}/rating", content=b"stars=5&comment=" + comment, headers=FORM)
    assert rated.status_code == 303
    rated = await events_of(intake, case_id, "case.satisfaction_rated")
    assert len(rated) == 1 and "שלום" in rated[0]["data"]["comment"]
    assert (await intake.get("/buyer/%00")).status_code == 422
    for path in ("/buyer/" + "a" * 20_000, "/buyer/..%2F..", "/buyer/\U0001f600"):
        assert (await intake.get(path)).status_code == 404


async def test_a_tampered_link_opens_nothing(intake):
    case_id = await a_case(intake, language="fr")
    token = link(intake, case_id, "fr")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for url in (tampered, "/buyer/not-a-link"):
        page = await intake.get(url, headers={"accept-language": "fr-FR,fr;q=0.9"})
        assert page.status_code == 404 and "Ce lien n'est pas valide" in unescape(page.text)
        answer = await intake.post(f"{url}/answer", data={"offer_id": "o", "answer": "accept"})
        assert answer.status_code == 404
    assert await events_of(intake, case_id, "case.buyer_replied") == []


async def test_an_expired_link_says_so(intake):
    case_id = await a_case(intake, language="it")
    url = link(intake, case_id, "it")
    links = intake.service.context.buyer_links
    kept, links.max_age = links.max_age, 0
    try:
        time.sleep(1.1)  # the link's timestamp counts whole seconds
        page = await intake.get(url, params={"lang": "it"})
        rated = await intake.post(f"{url}/rating", data={"stars": "5", "lang": "it"})
    finally:
        links.max_age = kept
    assert page.status_code == 410 and "Questo link è scaduto" in page.text
    assert rated.status_code == 410
    assert await events_of(intake, case_id, "case.satisfaction_rated") == []


async def test_an_erased_buyer_s_link_shows_nothing_of_the_case(intake):
    case_id = await a_case(intake, language="es", erased=True)
    intake.views.resolution = {"state": "offered", "remedy": None, "offers": [offer("o-10")]}
    page = await intake.get(link(intake, case_id, "es"))
    assert page.status_code == 410 and "sus datos se borraron" in page.text
    assert "ORD-1001" not in page.text and "o-10" not in page.text
    answer = await intake.post(
        f"{link(intake, case_id, 'es')}/answer", data={"offer_id": "o-10", "answer": "accept"}
    )
    assert answer.status_code == 410
    assert await events_of(intake, case_id, "case.buyer_replied") == []


async def test_a_buyer_erased_by_their_marketplace_loses_the_page(intake):
    case_id = await a_case(intake, language="de")
    url = link(intake, case_id)
    assert (await intake.get(url)).status_code == 200
    async with intake.service.transaction() as session:
        buyer_ref = await session.scalar(
            text("SELECT buyer_ref FROM intake.cases WHERE case_id = :c"), {"c": case_id}
        )
        erase = EraseBuyer(seller_account="page-seller", buyer_ref=buyer_ref)
        await erase_buyer(session, "generic", erase, "customers/redact", datetime.now(UTC))
    page = await intake.get(url)
    assert page.status_code == 410 and "Daten wurden auf Ihren Wunsch" in page.text


async def test_a_link_to_a_case_intake_does_not_hold_is_a_clear_404(intake):
    page = await intake.get(link(intake, f"case-{uuid.uuid4()}", "en"))
    assert page.status_code == 404 and "We cannot find this case" in page.text


async def test_the_progress_shows_next_step_tracking_and_refunds(intake):
    case_id = await a_case(intake, language="en")
    intake.views.resolution = {
        "state": "decided",
        "remedy": "return_full_refund",
        "offers": [offer("o-11", remedy="return_full_refund", is_open=False)],
        "refunds": [{"amount_minor": 4999, "currency": "EUR", "state": "issued"}],
    }
    intake.views.fulfillment = {
        "return": {"carrier": "DHL", "tracking_number": "JJD000123", "received_at": "2026-12-01"},
        "shipments": [
            {
                "remedy": "exchange",
                "status": "shipped",
                "carrier": "UPS",
                "tracking_number": "1Z999",
            }
        ],
    }
    page = await intake.get(link(intake, case_id, "en"))
    assert "Send the item back with the prepaid label" in page.text
    assert "DHL JJD000123" in page.text and "We have received your return." in page.text
    assert "UPS 1Z999" in page.text
    assert "Refund of €49.99" in page.text and "paid" in page.text
    assert "There is no offer waiting for your answer." in page.text


async def test_without_a_link_secret_the_pages_are_off(settings):
    async with running_intake(settings, buyer_link_secret=None) as client:
        page = await client.get("/buyer/anything")
        assert page.status_code == 503


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256))


def photo_form(data: bytes, name: str = "scratch.png", content_type: str = "image/png"):
    return {"files": {"photo": (name, data, content_type)}, "data": {"lang": "en"}}


async def test_a_photo_of_a_damaged_item_is_kept_once_sealed_and_shown_to_agents(intake):
    case_id = await a_case(intake, language="en", reason="damaged")
    page = await intake.get(link(intake, case_id, "en"))
    assert 'enctype="multipart/form-data"' in page.text and "Photos of the item" in page.text
    url = f"{link(intake, case_id, 'en')}/photos"
    first = await intake.post(url, **photo_form(PNG))
    again = await intake.post(url, **photo_form(PNG))
    other = await intake.post(url, **photo_form(JPEG, "dent.jpg", "application/octet-stream"))
    assert first.status_code == again.status_code == other.status_code == 303
    assert "done=photo" in first.headers["location"]
    listed = await intake.get(f"/cases/{case_id}/photos", headers=AGENT)
    assert [(p["content_type"], p["size"]) for p in listed.json()] == [
        ("image/png", len(PNG)),
        ("image/jpeg", len(JPEG)),
    ]
    photo_id = listed.json()[1]["photo_id"]
    shown = await intake.get(f"/cases/{case_id}/photos/{photo_id}", headers=AGENT)
    assert shown.content == JPEG and shown.headers["content-type"] == "image/jpeg"
    assert (await intake.get(f"/cases/{case_id}/photos")).status_code == 401
    assert (await intake.get(f"/cases/{case_id}/photos/nope", headers=AGENT)).status_code == 404
    async with intake.service.engine.connect() as connection:
        sealed = await connection.scalar(
            text("SELECT sealed FROM intake.case_photos WHERE photo_id = :p"), {"p": photo_id}
        )
    assert JPEG not in sealed
    assert "Photos added: 2" in (await intake.get(link(intake, case_id, "en"))).text


async def test_photos_are_refused_in_words(intake):
    case_id = await a_case(intake, language="en", reason="not_as_described")
    url = f"{link(intake, case_id, 'en')}/photos"
    text_file = await intake.post(url, **photo_form(b"just text", "a.png"))
    assert text_file.status_code == 415 and "not a JPEG, PNG or WebP" in text_file.text
    empty = await intake.post(url, **photo_form(b""))
    assert empty.status_code == 422
    huge = await intake.post(url, **photo_form(PNG + b"\x00" * (5 * 1024 * 1024)))
    assert huge.status_code == 413 and "too large" in huge.text
    not_multipart = await intake.post(url, content=b"\x00\xff", headers=FORM)
    assert not_multipart.status_code == 422
    broken = {"content-type": "multipart/form-data; boundary=x"}
    assert (
        await intake.post(url, content=b"--x\r\n\x00garbage", headers=broken)
    ).status_code == 422
    for n in range(6):
        assert (await intake.post(url, **photo_form(PNG + bytes([n])))).status_code == 303
    seventh = await intake.post(url, **photo_form(PNG + b"\x07"))
    assert seventh.status_code == 409 and "(6)" in seventh.text
    defective = await a_case(intake, language="en", reason="defective")
    unneeded = await intake.post(f"{link(intake, defective, 'en')}/photos", **photo_form(PNG))
    assert unneeded.status_code == 409 and "needs no photos" in unneeded.text
    assert "Photos of the item" not in (await intake.get(link(intake, defective, "en"))).text


async def test_erasing_the_buyer_removes_their_photos(intake):
    case_id = await a_case(intake, language="en", reason="damaged")
    await intake.post(f"{link(intake, case_id, 'en')}/photos", **photo_form(PNG))
    async with intake.service.transaction() as session:
        buyer_ref = await session.scalar(
            text("SELECT buyer_ref FROM intake.cases WHERE case_id = :c"), {"c": case_id}
        )
        erase = EraseBuyer(seller_account="page-seller", buyer_ref=buyer_ref)
        await erase_buyer(session, "generic", erase, "customers/redact", datetime.now(UTC))
    assert (await intake.get(f"/cases/{case_id}/photos", headers=AGENT)).json() == []


WINDOWS = [
    {"day": "2026-12-07", "starts": "09:00:00", "ends": "12:00:00"},
    {"day": "2026-12-07", "starts": "13:00:00", "ends": "17:00:00"},
]


def a_return(**changes) -> dict:
    the_return = {
        "rma_id": "RMA-PAGE1",
        "carrier": "DHL",
        "tracking_number": "JJD0001",
        "received_at": None,
        "pickup": None,
        "pickup_windows": WINDOWS,
    }
    return {"return": {**the_return, **changes}, "shipments": []}


async def test_the_buyer_downloads_the_return_label(intake):
    case_id = await a_case(intake, language="de")
    url = f"{link(intake, case_id)}/return-label.pdf"
    assert (await intake.get(url)).status_code == 404  # no return yet
    intake.views.fulfillment = a_return()
    page = await intake.get(link(intake, case_id))
    assert "return-label.pdf" in page.text and "Abholung am Montag, 7. Dezember 2026" in page.text
    not_ready = await intake.get(url)
    assert not_ready.status_code == 404 and "noch nicht fertig" in not_ready.text
    intake.views.label = b"%PDF-1.4 label"
    label = await intake.get(url)
    assert label.status_code == 200 and label.content == b"%PDF-1.4 label"
    assert label.headers["content-type"] == "application/pdf"
    assert "attachment" in label.headers["content-disposition"]
    intake.views.down = True
    assert (await intake.get(url)).status_code == 503


async def test_the_buyer_books_a_pickup_once_or_drops_it_off(intake):
    case_id = await a_case(intake, language="en")
    intake.views.fulfillment = a_return()
    url = f"{link(intake, case_id, 'en')}/pickup"
    chosen = "2026-12-07|13:00:00|17:00:00"
    first = await intake.post(url, data={"window": chosen, "lang": "en"})
    again = await intake.post(url, data={"window": chosen, "lang": "en"})
    assert (
        first.status_code == again.status_code == 303 and "done=pickup" in first.headers["location"]
    )
    assert intake.views.bookings == [("RMA-PAGE1", WINDOWS[1])]
    page = await intake.get(link(intake, case_id, "en"))
    assert "Collection booked: Monday, December 7, 2026, 13:00–17:00" in page.text
    drop = await intake.post(url, data={"window": "drop_off", "lang": "en"})
    assert drop.status_code == 303 and "done=drop_off" in drop.headers["location"]
    for odd in ("2026-12-08|09:00:00|12:00:00", "9" * 5000):
        offered_not = await intake.post(url, data={"window": odd, "lang": "en"})
        assert offered_not.status_code == 409
    nul = await intake.post(url, data={"window": "\x00", "lang": "en"})
    assert nul.status_code == 422
    assert (await intake.post(url, data={"lang": "en"})).status_code == 422
    intake.views.refuse_pickup = "the parcel was received"
    other = await intake.post(url, data={"window": "2026-12-07|09:00:00|12:00:00"})
    assert other.status_code == 409 and "cannot collect then" in other.text
    assert len(intake.views.bookings) == 1
