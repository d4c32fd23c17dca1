"""The views agents and operators read (`handlers/decisions.py`) over the real PostgreSQL:
a case's plan, alternatives and offers, cases and clocks by state."""

from faststream.kafka import TestKafkaBroker

from shared.events import Envelope, Parcel, Scenario
from tests.factories import AGENT, case_opened, envelope_bytes


async def test_a_decision_shows_its_plan_alternatives_and_offers(api):
    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    decision = (await api.get(f"/decisions/{case.case_id}", headers=AGENT)).json()
    assert decision["state"] == "offered"
    assert [step["remedy"] for step in decision["plan"]] == ["exchange", "return_full_refund"]
    assert {a["remedy"] for a in decision["alternatives"]} == {
        "exchange",
        "partial_refund",  # excluded: a size/style case with no reason is no colour complaint
        "refund_without_return",
        "return_full_refund",
    }
    offers = (await api.get(f"/cases/{case.case_id}/offers", headers=AGENT)).json()
    assert [(o["remedy"], o["state"]) for o in offers] == [("exchange", "open")]
    assert "exchange" in offers[0]["message"]
    offered = (
        await api.get("/decisions", params={"state": "offered", "limit": 500}, headers=AGENT)
    ).json()
    assert case.case_id in {d["case_id"] for d in offered}
    waiting = case_opened(scenario=None)  # nobody answers it until an agent classifies it
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(waiting)), "intake.events")
    running = (
        await api.get("/clocks", params={"state": "running", "limit": 500}, headers=AGENT)
    ).json()
    assert (waiting.case_id, "first_reply") in {(c["case_id"], c["name"]) for c in running}
    assert case.case_id not in {c["case_id"] for c in running}  # answered as it opened
    assert (await api.get("/decisions/no-such-case", headers=AGENT)).status_code == 404
    assert (await api.get("/refunds", params={"state": "lost"}, headers=AGENT)).status_code == 422


async def test_the_cases_waiting_on_the_carrier_are_listed_too(api):
    parcel = Parcel(carrier="USPS", tracking_number="9400LISTED0001")
    case = case_opened(scenario=Scenario.NOT_RECEIVED).model_copy(update={"parcel": parcel})
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    tracing = await api.get("/decisions", params={"state": "tracing", "limit": 500}, headers=AGENT)
    assert tracing.status_code == 200
    assert case.case_id in {d["case_id"] for d in tracing.json()}


async def test_an_agent_offers_a_remedy_anyway_to_a_buyer_owed_nothing(api):
    from datetime import UTC, datetime, timedelta

    from shared.events import Remedy

    case = case_opened(scenario=Scenario.CHANGED_MIND).model_copy(
        update={"delivered_at": datetime.now(UTC) - timedelta(days=150)}
    )
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    held = (await api.get(f"/decisions/{case.case_id}", headers=AGENT)).json()
    assert held["state"] == "held" and "nothing owed" in held["rule"]
    queue = (await api.get("/decisions", params={"limit": 500}, headers=AGENT)).json()
    assert case.case_id in {d["case_id"] for d in queue}  # the agents' queue

    path = f"/cases/{case.case_id}/offers"
    goodwill = {"remedy": Remedy.PARTIAL_REFUND.value}
    first = await api.post(path, json=goodwill, headers=AGENT)
    again = await api.post(path, json=goodwill, headers=AGENT)  # retried: nothing new
    assert first.status_code == again.status_code == 202, first.text
    assert (first.json()["state"], first.json()["sent"]) == ("offered", True)
    assert again.json()["sent"] is False
    offers = (await api.get(f"/cases/{case.case_id}/offers", headers=AGENT)).json()
    assert [(o["remedy"], o["state"]) for o in offers] == [("partial_refund", "open")]
    assert "499" in offers[0]["message"] or "4.99" in offers[0]["message"]

    other = await api.post(path, json={"remedy": "exchange"}, headers=AGENT)
    assert other.status_code == 409  # the case is no longer held
    assert (await api.post(path, json={"remedy": "bogus"}, headers=AGENT)).status_code == 422
    missing = await api.post("/cases/no-such-case/offers", json=goodwill, headers=AGENT)
    assert missing.status_code == 404
