"""The live case list narrowed by facts and a search, one case, its timeline with trace
links."""

from tests.factories import AGENT
from tests.handlers.analytics.conftest import seller_with_cases


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
