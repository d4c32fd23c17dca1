"""The live case list narrowed by facts and a search, one case, its timeline with trace
links."""

from faststream.kafka import TestKafkaBroker
from sqlalchemy import or_, select

from services.analytics.tables import CaseView
from shared.events import CaseItem, Envelope, Remedy, Scenario
from shared.markets import Market
from tests.factories import AGENT, envelope_bytes
from tests.handlers.analytics.conftest import events_of, seller_with_cases


async def test_the_case_list_narrows_by_facts_and_a_search(api):
    seller = await seller_with_cases(api)
    listed = await api.get("/cases", params={"seller_account": seller, "limit": 500}, headers=AGENT)
    assert len(listed.json()["cases"]) == 10
    narrowed = await api.get(
        "/cases",
        params={"seller_account": seller, "market": "DE", "remedy": "return_full_refund"},
        headers=AGENT,
    )
    assert sorted(c["sku"] for c in narrowed.json()["cases"]) == [
        "BT-SPK-200",
        "BT-SPK-200",
        "CRT-BLK-5284",
        "CRT-BLK-5284",
    ]
    found = await api.get(
        "/cases", params={"seller_account": seller, "search": "blackout"}, headers=AGENT
    )
    assert {c["sku"] for c in found.json()["cases"]} == {"CRT-BLK-5284"}
    for wildcard in ("%", "_", "BT_SPK"):  # searched for as themselves, matching nothing
        search = {"seller_account": seller, "search": wildcard}
        assert (await api.get("/cases", params=search, headers=AGENT)).json()["cases"] == []
    one = found.json()["cases"][0]
    case = (await api.get(f"/cases/{one['case_id']}", headers=AGENT)).json()
    assert case["seller_account"] == seller
    assert (await api.get("/cases/no-such-case", headers=AGENT)).status_code == 404
    assert (await api.get("/cases", params={"limit": 0}, headers=AGENT)).status_code == 422
    timeline = (await api.get(f"/cases/{one['case_id']}/timeline", headers=AGENT)).json()
    events = timeline["events"]
    assert [e["trace_url"] for e in events] == [
        f"http://localhost:16686/trace/{e['trace_id']}" for e in events
    ]
    # The case's first trace, which every later trace of the case links to: the opening's.
    assert timeline["case_trace_id"] == events[0]["trace_id"]
    assert timeline["case_trace_url"] == f"http://localhost:16686/trace/{events[0]['trace_id']}"


async def test_no_trace_links_without_a_trace_ui(api, monkeypatch):
    seller = await seller_with_cases(api)
    listed = await api.get("/cases", params={"seller_account": seller}, headers=AGENT)
    monkeypatch.setattr(api.service.settings, "tracing_ui_trace_url", None)
    case_id = listed.json()["cases"][0]["case_id"]
    timeline = (await api.get(f"/cases/{case_id}/timeline", headers=AGENT)).json()
    assert timeline["case_trace_id"] == timeline["events"][0]["trace_id"]
    assert timeline["case_trace_url"] is None
    assert {e["trace_url"] for e in timeline["events"]} == {None}


# Listings whose SKUs and titles hold what a search must take as itself: Unicode letters
# in any case, %, _ and the escape character /.
UNUSUAL = [
    CaseItem(sku=sku, title=title, quantity=1, unit_price_minor=990)
    for sku, title in (
        ("ÜBER-ZUG-1", "Überzug für Straßenmöbel"),
        ("PCT_100%", "Cortina 100% algodón_azul / 2"),
        ("TKY-東京-7", "東京タワー模型 ΣΊΣΥΦΟΣ"),
        ("PLAIN-9", "Plain 100 cotton azul 2"),
    )
]
TERMS = [
    "überzug", "ÜBERZUG", "straßen", "möbel", "100%", "0%", "algodón_", "_azul", "n_a", "/ 2",
    "/", "//", "%", "_", "%%", "東京", "京タ", "σίσυφοσ", "Σύ", "zug-1", "pct_1", "9", "ab", "x",
    "case-", "cotton", "plain 100", "nowhere to be found", "\\", "'", "[a]",
]  # fmt: skip


async def found_before(api, seller: str | None, text: str, limit: int) -> list[str]:
    """The case list searched as it was before the trigram indexes: icontains, escaped."""
    query = select(CaseView.case_id).where(
        or_(
            CaseView.case_id.icontains(text, autoescape=True),
            CaseView.sku.icontains(text, autoescape=True),
            CaseView.title.icontains(text, autoescape=True),
        )
    )
    if seller is not None:
        query = query.where(CaseView.seller_account == seller)
    query = query.order_by(CaseView.updated_at.desc(), CaseView.case_id).limit(limit)
    async with api.service.sessions() as session:
        return list(await session.scalars(query))


async def test_a_search_finds_the_cases_it_found_before_whatever_the_term(api):
    seller = await seller_with_cases(api)
    async with TestKafkaBroker(api.service.broker) as broker:
        for index, item in enumerate(UNUSUAL * 2):
            case = (item, Market.DE, "damaged", Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND)
            for event in events_of(seller, index, *case):
                envelope = Envelope.wrap(event)
                await broker.publish(
                    envelope_bytes(envelope), envelope.topic, key=event.case_id.encode()
                )
    matched = {}
    for text in TERMS:
        for asked, limit in (({"seller_account": seller}, 500), ({}, 3)):
            params = {**asked, "search": text, "limit": limit}
            answer = await api.get("/cases", params=params, headers=AGENT)
            assert answer.status_code == 200, answer.text
            found = [case["case_id"] for case in answer.json()["cases"]]
            assert found == await found_before(api, seller if asked else None, text, limit), text
            if asked:
                matched[text] = len(found)
    assert (matched["überzug"], matched["ÜBERZUG"], matched["東京"]) == (2, 2, 2)
    assert (matched["100%"], matched["_azul"], matched["/ 2"], matched["/"]) == (2, 2, 2, 2)
    assert (matched["%"], matched["_"], matched["nowhere to be found"]) == (2, 2, 0)
    assert matched["case-"] == 18  # every case id
