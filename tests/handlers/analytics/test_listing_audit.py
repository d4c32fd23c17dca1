"""The listing audit report: the seller's listings read from intake's catalog API (here a
fake of it, as the what-if tests fake resolution's) with the caller's own token, the
returns from analytics' own cases; JSON, CSV and the workbook sheet ranked by saving;
another seller's audit 404 before intake is asked; intake down 503."""

import csv
import io
import uuid

import httpx
import openpyxl
import pytest
from faststream.kafka import TestKafkaBroker
from pytest_httpserver import HTTPServer

from deploy.emulators.listings import walmart_spec_item
from deploy.emulators.shopify.catalogue import all_listed
from services.analytics.workflows.context import Analytics
from shared.events import Alternative, CaseItem, Envelope, Remedy, Scenario
from shared.markets import Market
from tests.factories import AGENT, bearer, envelope_bytes, token_of
from tests.handlers.analytics.conftest import events_of
from tests.handlers.intake.conftest import amazon_account, amazon_accounts, running_intake

US_ID, DE_ID = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
# A product its (emulated) seller lists carelessly: its US plug on every marketplace.
SPEAKER = next(one for one in all_listed() if one.variant.sku == "BT-SPK-200-BLK")
__all__ = ["amazon_accounts"]  # the fixture, used by name

TEE = CaseItem(sku="TEE-M", title="Tee", category="apparel", quantity=1, unit_price_minor=1999)
LAMP = CaseItem(
    sku="LMP-1", title="Lamp", category="electronics", quantity=1, unit_price_minor=3999
)
# (item, market, reason, what the remedy cost): the tee comes back for size in Germany, the
# lamp as not as described (a US plug) in Germany.
RETURNS = [
    (TEE, Market.DE, "size_too_small", 1500),
    (TEE, Market.DE, "size_too_small", 1500),
    (TEE, Market.DE, "size_too_small", 1500),
    (TEE, Market.DE, "style", 1500),
    (LAMP, Market.DE, "not_as_described", 4000),
    (LAMP, Market.DE, "not_as_described", 4000),
]


def catalog_of(seller: str) -> list[dict]:
    """Intake's answer to `GET /catalog/products?account=<seller>`."""
    return [
        {
            "account": seller,
            "product_id": "amazon:TEE",
            "category": "apparel",
            "variants": [
                {
                    "sku": "TEE-M",
                    "listings": {
                        "DE": {
                            "language": "de",
                            "title": "T-Shirt (M)",
                            "bullets": ["Weiches Baumwoll-T-Shirt, 180 g"],
                            "description": "Ein weiches T-Shirt aus Baumwolle für jeden Tag.",
                            "size_chart": None,
                            "attributes": {},
                        }
                    },
                }
            ],
        },
        {
            "account": seller,
            "product_id": "amazon:LMP",
            "category": "electronics",
            "variants": [
                {
                    "sku": "LMP-1",
                    "listings": {
                        "DE": {
                            "language": "de",
                            "title": "Schreibtischlampe",
                            "bullets": ["Warmweißes Licht, 40 cm hoch"],
                            "description": "Eine Lampe mit Dimmer für den Schreibtisch.",
                            "attributes": {
                                "power_plug_type": "type_a_2pin_na",
                                "voltage": "230 volts",
                                "regulatory_compliance_certification": "CE",
                            },
                        }
                    },
                }
            ],
        },
    ]


@pytest.fixture
async def intake(api, httpserver: HTTPServer):
    """Intake's catalog API as the running service would reach it."""
    async with (
        httpx.AsyncClient() as resolution,
        httpx.AsyncClient(base_url=httpserver.url_for("")) as client,
    ):
        api.service.context = Analytics(resolution, {"intake": client})
        yield httpserver


async def seller_with_returns(api) -> str:
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    await publish_returns(api, seller, RETURNS)
    return seller


async def publish_returns(api, seller: str, returns: list) -> None:
    """The returns as analytics learns them: each case opened, then decided at its cost."""
    async with TestKafkaBroker(api.service.broker) as broker:
        for index, (item, market, reason, cost) in enumerate(returns):
            opened, decided = events_of(
                seller, index, item, market, reason, Scenario.QUALITY_DEFECT, Remedy.EXCHANGE
            )
            alternative = Alternative(
                remedy=Remedy.EXCHANGE, cost_minor=cost, expected_cost_minor=cost, acceptance=1
            )
            decided = decided.model_copy(update={"alternatives": [alternative]})
            for event in (opened, decided):
                envelope = Envelope.wrap(event)
                await broker.publish(
                    envelope_bytes(envelope), envelope.topic, key=event.case_id.encode()
                )


def serve_catalog(intake: HTTPServer, seller: str, authorization: str) -> None:
    intake.expect_request(
        "/catalog/products",
        query_string={"account": seller, "limit": "500"},
        headers={"Authorization": authorization},
    ).respond_with_json(catalog_of(seller))


async def test_the_audit_ranks_each_listing_s_findings_by_expected_saving(api, intake):
    seller = await seller_with_returns(api)
    serve_catalog(intake, seller, AGENT["authorization"])
    answer = await api.get("/reports/listing-audit", params={"seller": seller}, headers=AGENT)
    assert answer.status_code == 200, answer.text
    findings = answer.json()["findings"]
    ranked = [(f["sku"], f["rule"], f["saving_minor"]) for f in findings]
    # The lamp's US plug on the German marketplace: 2 returns × 0.3 × 40 € = 24 €; the
    # tee's missing size chart: 3 size returns × 0.3 × 15 € = 13.50 €, by two rules (the
    # market's chart rule and the listing's own returns).
    assert ranked[:3] == [
        ("LMP-1", "plug_eu", 2400),
        ("TEE-M", "returned_for_size_without_chart", 1350),
        ("TEE-M", "size_chart_metric", 1350),
    ]
    assert [f["saving_minor"] for f in findings] == sorted(
        (f["saving_minor"] for f in findings), reverse=True
    )
    plug = findings[0]
    assert plug["evidence"] == 'a plug of another market: "type_a"'
    assert plug["reasons"] == "not_as_described (2)" and plug["reason_share"] == 1.0
    assert (plug["cost_per_return_minor"], plug["currency"]) == (4000, "EUR")
    assert plug["source_url"].startswith("https://")
    tee = findings[1]
    assert tee["reasons"] == "size_too_small (3)" and tee["reason_share"] == 0.75
    assert tee["evidence"] == "no size chart"
    # What passed is not a finding: the lamp's 230 V and CE mark, German prose.
    assert not {f["rule"] for f in findings} & {"mains_230v", "mark_ce", "language_of_marketplace"}
    assert answer.json()["saving_minor"]["EUR"] == sum(f["saving_minor"] for f in findings)


async def test_the_csv_and_the_workbook_sheet_read_back_as_the_report(api, intake):
    seller = await seller_with_returns(api)
    serve_catalog(intake, seller, AGENT["authorization"])
    params = {"seller": seller}
    report = (await api.get("/reports/listing-audit", params=params, headers=AGENT)).json()
    as_csv = await api.get(
        "/reports/listing-audit", params={**params, "format": "csv"}, headers=AGENT
    )
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["sku"], r["rule"], int(r["saving_minor"])) for r in rows] == [
        (f["sku"], f["rule"], f["saving_minor"]) for f in report["findings"]
    ]
    as_xlsx = await api.get(
        "/reports/listing-audit", params={**params, "format": "xlsx"}, headers=AGENT
    )
    assert as_xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))["Listing audit"]
    header = [cell.value for cell in sheet[3]]
    first = dict(zip(header, [cell.value for cell in sheet[4]], strict=True))
    assert (first["SKU"], first["Rule"], first["Expected saving"]) == ("LMP-1", "plug_eu", 24)
    assert sheet.max_row == 3 + len(report["findings"])


async def test_a_market_narrows_the_audit(api, intake):
    seller = await seller_with_returns(api)
    serve_catalog(intake, seller, AGENT["authorization"])
    answer = await api.get(
        "/reports/listing-audit", params={"seller": seller, "market": "US"}, headers=AGENT
    )
    assert answer.status_code == 200 and answer.json()["findings"] == []
    bad = await api.get(
        "/reports/listing-audit", params={"seller": seller, "market": "XX"}, headers=AGENT
    )
    assert bad.status_code == 422


async def test_another_seller_s_audit_is_404_and_intake_is_never_asked(api, intake):
    seller = await seller_with_returns(api)
    theirs = bearer(token_of(["agent"], sellers=["seller-other"]))
    answer = await api.get("/reports/listing-audit", params={"seller": seller}, headers=theirs)
    assert answer.status_code == 404
    assert (await api.get("/reports/listing-audit", params={"seller": seller})).status_code == 401
    assert intake.log == []


async def test_the_seller_s_own_people_see_their_audit_with_their_own_token(api, intake):
    seller = await seller_with_returns(api)
    own = bearer(token_of(["agent"], sellers=[seller]))
    serve_catalog(intake, seller, own["authorization"])
    answer = await api.get("/reports/listing-audit", params={"seller": seller}, headers=own)
    assert answer.status_code == 200, answer.text
    assert {f["seller"] for f in answer.json()["findings"]} == {seller}


async def test_intake_refusing_or_down_is_said_not_a_500(api, intake):
    seller = await seller_with_returns(api)
    intake.expect_request("/catalog/products").respond_with_json({"detail": "no"}, status=403)
    refused = await api.get("/reports/listing-audit", params={"seller": seller}, headers=AGENT)
    assert refused.status_code == 403
    intake.clear()
    intake.expect_request("/catalog/products").respond_with_json({"detail": "down"}, status=503)
    down = await api.get("/reports/listing-audit", params={"seller": seller}, headers=AGENT)
    assert down.status_code == 503


async def test_the_audit_reads_what_intake_imported_from_the_marketplace(
    api, settings, amazon_accounts
):
    """End to end over the seam: intake imports an Amazon seller's listings from the
    emulated Listings Items API (US and German marketplaces), analytics reads them from
    intake's catalog API with the seller's own token: the speaker, listed on the German
    marketplace with its US plug and English bullets, is found wanting there, its
    returns priced at their cost."""
    account = f"A{uuid.uuid4().hex[:12].upper()}"
    amazon_accounts.append(account)
    own = bearer(token_of(["seller_admin", "agent"], sellers=[account]))
    async with running_intake(settings, catalog_page_size=20) as intake:
        body = amazon_account(account, account, marketplace_ids=[US_ID, DE_ID])
        created = await intake.post("/channel-accounts", json=body, headers=AGENT)
        assert created.status_code == 201, created.text
        imported = await intake.post(
            "/catalog/imports", json={"channel": "amazon", "account": account}, headers=own
        )
        assert imported.status_code == 200, imported.text
        speaker = CaseItem(
            sku=SPEAKER.variant.sku, title="Speaker", quantity=1, unit_price_minor=4999
        )
        await publish_returns(api, account, [(speaker, Market.DE, "not_as_described", 3000)] * 2)
        async with httpx.AsyncClient() as resolution:
            api.service.context = Analytics(resolution, {"intake": intake})
            answer = await api.get(
                "/reports/listing-audit", params={"seller": account}, headers=own
            )
    assert answer.status_code == 200, answer.text
    findings = answer.json()["findings"]
    found = {(f["sku"], f["market"], f["rule"]): f for f in findings}
    plug = found[(SPEAKER.variant.sku, "DE", "plug_eu")]
    assert plug["evidence"] == 'a plug of another market: "type_a"'
    assert plug["saving_minor"] == round(2 * 0.3 * 3000) and plug["currency"] == "EUR"
    assert (SPEAKER.variant.sku, "DE", "language_of_marketplace") in found
    assert (SPEAKER.variant.sku, "US", "plug_us_ca") not in found  # right in the US
    assert findings[0]["saving_minor"] == max(f["saving_minor"] for f in findings)
    assert {f["seller"] for f in findings} == {account}


WALMART_ACCOUNT = "10900015773"  # tests/samples/channel_accounts.json


async def test_walmart_listings_are_audited_from_what_item_search_says(api, settings):
    """Intake imports the Walmart seller's items and reads each one's listing with the
    Item Search API; the audit checks them against the US market's rules: the speaker's
    thin listing (no plug, voltage, FCC compliance nor inches) is found wanting, its
    returns priced; a listing that says them all is not."""
    careful = next(
        one
        for one in all_listed()
        if one.category == "electronics" and "FCC compliant" in str(walmart_spec_item(one))
    )
    async with running_intake(settings, catalog_page_size=50) as intake:
        imported = await intake.post(
            "/catalog/imports",
            json={"channel": "walmart", "account": WALMART_ACCOUNT},
            headers=AGENT,
        )
        assert imported.status_code == 200, imported.text
        speaker = CaseItem(
            sku=SPEAKER.variant.sku, title="Speaker", quantity=1, unit_price_minor=4999
        )
        await publish_returns(api, WALMART_ACCOUNT, [(speaker, Market.US, "defective", 3000)] * 2)
        async with httpx.AsyncClient() as resolution:
            api.service.context = Analytics(resolution, {"intake": intake})
            answer = await api.get(
                "/reports/listing-audit", params={"seller": WALMART_ACCOUNT}, headers=AGENT
            )
    assert answer.status_code == 200, answer.text
    findings = answer.json()["findings"]
    found = {(f["sku"], f["market"], f["rule"]): f for f in findings}
    for rule in ("plug_us_ca", "mains_120v", "mark_fcc", "units_us_imperial"):
        assert (SPEAKER.variant.sku, "US", rule) in found, rule
        assert (careful.variant.sku, "US", rule) not in found, rule
    plug = found[(SPEAKER.variant.sku, "US", "plug_us_ca")]
    assert plug["evidence"] == "no plug type named (expected type A or B)"
    assert plug["saving_minor"] == round(2 * 0.3 * 3000) and plug["currency"] == "USD"
    assert findings[0]["saving_minor"] == max(f["saving_minor"] for f in findings)
    assert {f["market"] for f in findings} == {"US"}


async def test_the_analysis_workbook_has_the_audit_sheet_ranked_by_saving(api, intake):
    seller = await seller_with_returns(api)
    serve_catalog(intake, seller, AGENT["authorization"])
    report = await api.get("/reports/listing-audit", params={"seller": seller}, headers=AGENT)
    answer = await api.get("/reports/workbook", params={"seller": seller}, headers=AGENT)
    assert answer.status_code == 200, answer.text
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[:4] == ["Summary", "Listings", "Markets", "Listing audit"]
    sheet = book["Listing audit"]
    header = [cell.value for cell in sheet[3]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(4)]
    assert [(r["SKU"], r["Rule"], r["Expected saving"] * 100) for r in rows] == [
        (f["sku"], f["rule"], f["saving_minor"]) for f in report.json()["findings"]
    ]
    savings = [r["Expected saving"] for r in rows]
    assert savings == sorted(savings, reverse=True) and savings[0] == 24


async def test_the_analysis_workbook_says_why_the_audit_is_missing_when_intake_is_down(api, intake):
    seller = await seller_with_returns(api)
    intake.expect_request("/catalog/products").respond_with_json({"detail": "down"}, status=503)
    answer = await api.get("/reports/workbook", params={"seller": seller}, headers=AGENT)
    assert answer.status_code == 200, answer.text
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content))["Listing audit"]
    assert sheet["A3"].value == "The listings could not be read: intake is unreachable: " + (
        "intake answered 503"
    )
