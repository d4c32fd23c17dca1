"""Analytics' walls between sellers (`handlers/tenancy.py`, kept by every route), over the
real PostgreSQL: two sellers with the same ten cases each, a FAQ entry, a taxonomy, a
sales feed and the FAQ gaps found. Someone scoped to seller A finds A's cases only, in the
case list and in every report; a report asked for B (`seller=`) and B's case, timeline,
conversation, FAQ (its publication, embed snippet and exports), taxonomy and policy answer
404, as things that do not exist; operations read, never write; a seller's admin writes its
own settings only; the platform admin sees both; warehouse staff, technicians and services
are refused (403), and a call without a token 401. The console's page and its files are
open: they hold no data; so is a listing's page of published FAQ answers, written for every
buyer to read."""

from collections import Counter
from dataclasses import dataclass

import pytest
from sqlalchemy import update

from services.analytics.app import SPEC
from services.analytics.tables import CaseView
from services.analytics.workflows.faq_gaps import find_gaps
from tests.factories import AGENT, INTERNAL_TOKEN, STAFF, TECHNICIAN, SellerPeople, bearer
from tests.handlers.analytics.conftest import CASES, CURTAIN, seller_with_cases

TAXONOMY = {"reasons": {"size_fit": "Sizing"}}
ENTRY = {
    "language": "de",
    "question": "Welche Größe passt?",
    "answer": "Messen Sie die Fensterbreite …",
    "covers": ["size_fit"],
}
SHOPIFY_DE = {"language": "de", "listing_id": "8047"}
SALES = [{"sku": CURTAIN.sku, "day": "2026-10-02", "units": 40}]
REPORTS = ("listings", "markets", "outcomes", "savings")


@dataclass
class Seller(SellerPeople):
    name: str
    cases: list[str]


async def a_seller_with_cases(api, cost_minor: int) -> Seller:
    """Ten cases, each costing `cost_minor` against a baseline twice that (set in the read
    model: what the savings report adds up)."""
    name = await seller_with_cases(api)
    async with api.service.transaction() as session:
        await session.execute(
            update(CaseView)
            .where(CaseView.seller_account == name)
            .values(cost_minor=cost_minor, baseline_minor=2 * cost_minor)
        )
    for path, body in (
        (f"/taxonomy/{name}", TAXONOMY),
        (f"/faq/{name}/{CURTAIN.sku}/size-de", ENTRY),
        (f"/faq/{name}/{CURTAIN.sku}/size-de/publication", {}),
        (f"/sales/{name}", SALES),
    ):
        answer = await api.put(path, json=body, headers=AGENT)
        assert answer.status_code == 200, answer.text
    cases = await api.get("/cases", params={"seller_account": name}, headers=AGENT)
    return Seller(name, [case["case_id"] for case in cases.json()["cases"]])


@pytest.fixture
async def sellers(api) -> tuple[Seller, Seller]:
    both = await a_seller_with_cases(api, 100), await a_seller_with_cases(api, 300)
    await find_gaps(api.service)
    return both


async def read(api, path: str, headers: dict, **params):
    answer = await api.get(path, params=params, headers=headers)
    assert answer.status_code == 200, (path, answer.text)
    return answer.json()


def cases_per_sku(listings: dict) -> dict[str, int]:
    return {listing["sku"]: listing["cases"] for listing in listings["listings"]}


async def test_someone_of_one_seller_finds_that_sellers_cases_only(api, sellers):
    a, b = sellers
    for reader in (a.agent(), a.operations(), a.admin()):
        listed = (await read(api, "/cases", reader, limit=500))["cases"]
        assert sorted(case["case_id"] for case in listed) == sorted(a.cases)
        # A list narrowed to B's cases is empty: the list holds A's only.
        assert (await read(api, "/cases", reader, seller_account=b.name))["cases"] == []
        assert (await read(api, "/cases", reader, search=b.cases[0]))["cases"] == []

        summary = await read(api, "/reports/summary", reader)
        assert (summary["cases"], summary["events"]) == (10, 20)  # opened and decided
        assert summary["by_remedy"] == dict(Counter(case[4].value for case in CASES))
        assert summary["by_market"] == dict(Counter(case[1].value for case in CASES))

        # Every report without `seller=` is A's, as the platform admin reads A's.
        for name in REPORTS:
            mine = await read(api, f"/reports/{name}", reader)
            as_for_a = await read(api, f"/reports/{name}", AGENT, seller=a.name)
            everyone = await read(api, f"/reports/{name}", AGENT)
            if name == "listings":  # a report of one seller counts its sales, labels
                mine, as_for_a, everyone = map(cases_per_sku, (mine, as_for_a, everyone))
            if name == "markets":
                mine, as_for_a, everyone = (
                    {m["market"]: m["cases"] for m in report["markets"]}
                    for report in (mine, as_for_a, everyone)
                )
            assert mine == as_for_a != everyone, name
        assert cases_per_sku(await read(api, "/reports/listings", reader)) == {
            CURTAIN.sku: 5,
            "BT-SPK-200": 5,
        }
        months = (await read(api, "/reports/savings", reader))["months"]
        saved = sorted((m["currency"], m["cases"], m["saved_minor"]) for m in months)
        assert saved == [("EUR", 4, 400), ("GBP", 2, 200), ("USD", 4, 400)]

        gaps = await read(api, "/reports/faq-gaps", reader)
        assert gaps and {gap["seller_account"] for gap in gaps} == {a.name}
        assert await read(api, "/reports/faq-gaps", reader, seller=a.name) == gaps


async def test_the_platform_admin_finds_both_sellers(api, sellers):
    a, b = sellers
    summary = await read(api, "/reports/summary", AGENT)
    assert summary["cases"] >= 20 and summary["events"] >= 40
    for seller in (a, b):
        listed = await read(api, "/cases", AGENT, seller_account=seller.name)
        assert len(listed["cases"]) == 10
        assert await read(api, f"/taxonomy/{seller.name}", AGENT) == {**TAXONOMY, "codes": {}}
        gaps = await read(api, "/reports/faq-gaps", AGENT, seller=seller.name)
        assert {gap["seller_account"] for gap in gaps} == {seller.name}
    everyone = {gap["seller_account"] for gap in await read(api, "/reports/faq-gaps", AGENT)}
    assert {a.name, b.name} <= everyone


def one_sellers_reads(seller: Seller) -> list[tuple[str, str, dict]]:
    """Every read of one seller's things, as (method, path, query)."""
    case = seller.cases[0]
    one = {"seller": seller.name}
    return [
        ("GET", f"/cases/{case}", {}),
        ("GET", f"/cases/{case}/timeline", {}),
        ("GET", f"/cases/{case}/conversation", {}),
        ("GET", f"/cases/{case}/evidence/amazon_a_to_z", {}),
        ("GET", "/reports/claims", one),
        ("GET", f"/faq/{seller.name}/{CURTAIN.sku}", {}),
        ("GET", f"/taxonomy/{seller.name}", {}),
        ("GET", "/reports/faq-gaps", one),
        ("GET", f"/faq/{seller.name}/{CURTAIN.sku}/embed", {"language": "de"}),
        ("GET", f"/faq/{seller.name}/{CURTAIN.sku}/export/shopify", SHOPIFY_DE),
        ("GET", "/reports/faq-effect", one),
        ("GET", "/reports/workbook", one),
        *(("GET", f"/reports/{name}", one) for name in REPORTS),
    ]


def one_sellers_settings(seller: Seller) -> list[tuple[str, str, dict]]:
    """Every change to one seller's settings, as (method, path, body)."""
    return [
        ("PUT", f"/taxonomy/{seller.name}", TAXONOMY),
        ("PUT", f"/faq/{seller.name}/{CURTAIN.sku}/size-de", ENTRY),
        ("PUT", f"/sales/{seller.name}", SALES),
        ("DELETE", f"/faq/{seller.name}/{CURTAIN.sku}/size-de/publication", {}),
        ("PUT", f"/faq/{seller.name}/{CURTAIN.sku}/size-de/publication", {}),
        ("DELETE", f"/faq/{seller.name}/{CURTAIN.sku}/size-de", {}),
    ]


async def test_another_sellers_things_answer_404_as_ones_that_do_not_exist(api, sellers):
    a, b = sellers
    for method, path, query in one_sellers_reads(a):
        mine = await api.request(method, path, params=query, headers=a.agent())
        assert mine.status_code == 200, (path, mine.text)
    for method, path, query in one_sellers_reads(b):
        theirs = await api.request(method, path, params=query, headers=a.agent())
        assert theirs.status_code == 404, (path, theirs.text)
    for method, path, body in one_sellers_settings(b):
        theirs = await api.request(method, path, json=body or None, headers=a.admin())
        assert theirs.status_code == 404, (path, theirs.text)
    # The same answer as for a case analytics never saw: nothing tells B's case exists.
    never = await api.get("/cases/case-never-seen", headers=a.agent())
    theirs = await api.get(f"/cases/{b.cases[0]}", headers=a.agent())
    assert theirs.json()["detail"] == never.json()["detail"].replace("case-never-seen", b.cases[0])
    # B's settings are as they were.
    assert await read(api, f"/taxonomy/{b.name}", AGENT) == {**TAXONOMY, "codes": {}}
    assert len(await read(api, f"/faq/{b.name}/{CURTAIN.sku}", AGENT)) == 1


async def test_operations_read_but_never_write(api, sellers):
    a, _ = sellers
    for method, path, query in one_sellers_reads(a):
        answer = await api.request(method, path, params=query, headers=a.operations())
        assert answer.status_code == 200, (path, answer.text)
    for method, path, body in one_sellers_settings(a):
        refused = await api.request(method, path, json=body or None, headers=a.operations())
        assert refused.status_code == 403, (path, refused.text)
    assert len(await read(api, f"/faq/{a.name}/{CURTAIN.sku}", AGENT)) == 1


async def test_a_sellers_admin_writes_its_own_settings_an_agent_does_not(api, sellers):
    a, _ = sellers
    for method, path, body in one_sellers_settings(a):
        refused = await api.request(method, path, json=body or None, headers=a.agent())
        assert refused.status_code == 403, (path, refused.text)
    for method, path, body in one_sellers_settings(a):
        done = await api.request(method, path, json=body or None, headers=a.admin())
        assert done.status_code in (200, 204), (path, done.text)
    assert await read(api, f"/faq/{a.name}/{CURTAIN.sku}", a.agent()) == []


# Every route of analytics' API, with a path that fits it (what it names need not exist:
# the token is checked first); the console's page and files are open.
ROUTES = [
    ("GET", "/cases"),
    ("GET", "/cases/case-1"),
    ("GET", "/cases/case-1/timeline"),
    ("GET", "/cases/case-1/conversation"),
    ("GET", "/cases/case-1/evidence/amazon_a_to_z"),
    ("POST", "/cases/case-1/claims"),
    ("GET", "/claims"),
    ("GET", "/claims/claim-1"),
    ("POST", "/claims/claim-1/filing"),
    ("POST", "/claims/claim-1/outcome"),
    ("GET", "/reports/claims"),
    ("GET", "/reports/summary"),
    ("GET", "/reports/listings"),
    ("GET", "/reports/markets"),
    ("GET", "/reports/outcomes"),
    ("GET", "/reports/savings"),
    ("GET", "/reports/workbook"),
    ("GET", "/reports/listing-audit"),
    ("GET", "/reports/faq-gaps"),
    ("GET", "/reports/faq-effect"),
    ("PUT", "/sales/seller-1"),
    ("PUT", "/taxonomy/seller-1"),
    ("GET", "/taxonomy/seller-1"),
    ("PUT", "/faq/seller-1/sku-1/entry-1"),
    ("GET", "/faq/seller-1/sku-1"),
    ("DELETE", "/faq/seller-1/sku-1/entry-1"),
    ("PUT", "/faq/seller-1/sku-1/entry-1/publication"),
    ("DELETE", "/faq/seller-1/sku-1/entry-1/publication"),
    ("PUT", "/faq/seller-1/sku-1/guides/guide-1/publication"),
    ("DELETE", "/faq/seller-1/sku-1/guides/guide-1/publication"),
    ("GET", "/faq/seller-1/sku-1/embed"),
    ("GET", "/faq/seller-1/sku-1/export/amazon"),
    ("GET", "/console/policies/seller-1"),
    ("POST", "/console/what-if/seller-1"),
    ("GET", "/console/me"),
    # The recovery page's questions, passed on to the owning service as the caller.
    ("GET", "/console/recovery/resolution/dead-letters"),
    ("POST", "/console/recovery/resolution/dead-letters"),
]
# The console's page and files, and its sign-in's steps (the session is the caller's own).
OPEN = [
    ("GET", "/"),
    ("GET", "/console"),
    ("GET", "/console/assets/{name:path}"),
    ("GET", "/console/sign-in"),
    ("GET", "/console/signed-in"),
    ("POST", "/console/sign-out"),
    # A listing's published FAQ answers, written for every buyer to read.
    ("GET", "/listings/seller-1/sku-1/faq"),
]


def test_every_route_of_the_api_is_in_the_walls_tests():
    filled = {
        (method, route.path)
        for router in SPEC.routers
        for route in router.routes
        for method in route.methods
    }
    names = {"{case_id}": "case-1", "{seller}": "seller-1", "{sku}": "sku-1"}
    names |= {"{entry_id}": "entry-1", "{kind}": "amazon_a_to_z", "{claim_id}": "claim-1"}
    names |= {"{service}": "resolution", "{path:path}": "dead-letters"}
    names |= {"{marketplace}": "amazon", "{guide_id}": "guide-1"}
    for name, value in names.items():
        filled = {(method, path.replace(name, value)) for method, path in filled}
    assert filled == set(ROUTES) | set(OPEN)


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_without_a_token_401_and_with_a_token_of_another_trade_403(api, method, path):
    body = {} if method in ("PUT", "POST") else None
    assert (await api.request(method, path, json=body)).status_code == 401
    for headers in (STAFF, TECHNICIAN, bearer(INTERNAL_TOKEN)):
        assert (await api.request(method, path, json=body, headers=headers)).status_code == 403


async def test_the_console_page_and_its_files_need_no_token(api):
    assert (await api.get("/")).status_code == 307
    assert (await api.get("/console")).status_code == 200
    assert (await api.get("/console/assets/console.js")).status_code == 200
