"""Resolution's HTTP API over the real PostgreSQL: seller policies (versioned), the
troubleshooting knowledge base, and the views agents and operators read."""

import uuid

import pytest
from faststream.kafka import TestKafkaBroker

from services.resolution.app import create_app
from shared.events import Envelope, Scenario
from tests.factories import AGENT, case_opened, envelope_bytes
from tests.handlers.conftest import api_of


@pytest.fixture
async def api(settings):
    async with api_of(create_app(settings), "resolution") as client:
        yield client


def a_seller() -> str:
    return f"seller-{uuid.uuid4().hex[:8]}"


async def test_a_seller_without_a_policy_reads_the_default_as_version_0(api):
    response = await api.get(f"/policies/{a_seller()}")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 0
    assert body["policy"]["partial_refund_tiers"] == [{"up_to_price_minor": None, "percent": 10}]
    assert body["policy"]["offer_expiry_hours"] == 48


async def test_each_policy_change_is_a_new_version_and_old_ones_stay_readable(api):
    seller = a_seller()
    first = {"offer_expiry_hours": 24}
    second = {"offer_expiry_hours": 72, "seller_pays_withdrawal_return": True}
    assert (await api.put(f"/policies/{seller}", json=first)).status_code == 401
    one = await api.put(f"/policies/{seller}", json=first, headers=AGENT)
    two = await api.put(f"/policies/{seller}", json=second, headers=AGENT)
    assert (one.status_code, one.json()["version"]) == (201, 1)
    assert (two.status_code, two.json()["version"]) == (201, 2)
    in_force = (await api.get(f"/policies/{seller}")).json()
    assert (in_force["version"], in_force["policy"]["offer_expiry_hours"]) == (2, 72)
    old = (await api.get(f"/policies/{seller}/versions/1")).json()
    assert old["policy"]["offer_expiry_hours"] == 24
    assert (await api.get(f"/policies/{seller}/versions/9")).status_code == 404


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ({"partial_refund_tiers": [{"percent": 20}]}, "less than or equal to 15"),
        ({"partial_refund_tiers": [{"up_to_price_minor": 5000, "percent": 12}]}, "no upper price"),
        ({"offer_expiry_hours": 0}, "greater than or equal to 1"),
        ({"acceptance": {"exchange": 1.5}}, "probability"),
        ({"lifetime_warranty": True}, "Extra inputs are not permitted"),
    ],
)
async def test_a_policy_that_makes_no_sense_is_refused_with_the_reason(api, policy, reason):
    response = await api.put(f"/policies/{a_seller()}", json=policy, headers=AGENT)
    assert response.status_code == 422
    assert reason in response.text


async def test_the_starter_guides_are_there_and_a_seller_adds_and_removes_their_own(api):
    seller = a_seller()
    starter = await api.get(f"/guides/{seller}", params={"sku": "RBV-LDR-X5", "language": "de"})
    codes = {guide["fault_code"] for guide in starter.json()}
    assert {"E1", "E4", "E21", None} <= codes

    guide = {
        "language": "it",
        "sku": "KIT-MSC-SS12",
        "title": "Il coperchio non si chiude",
        "steps": ["Pulisci la guarnizione.", "Allinea le frecce.", "Ruota fino al clic."],
    }
    saved = await api.put(f"/guides/{seller}/KIT-MSC-SS12.lid.it", json=guide, headers=AGENT)
    assert saved.status_code == 200, saved.text
    mine = await api.get(f"/guides/{seller}", params={"sku": "KIT-MSC-SS12", "language": "it"})
    assert "KIT-MSC-SS12.lid.it" in {g["guide_id"] for g in mine.json()}
    gone = await api.delete(f"/guides/{seller}/KIT-MSC-SS12.lid.it", headers=AGENT)
    assert gone.status_code == 204
    again = await api.delete(f"/guides/{seller}/KIT-MSC-SS12.lid.it", headers=AGENT)
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"steps": ["Only one step."]}, "steps"),
        ({"sku": None}, "a sku or for a category"),
        ({"language": "xx"}, "language"),
    ],
)
async def test_a_bad_guide_is_refused_with_the_reason(api, change, reason):
    guide = {
        "language": "en",
        "sku": "BT-SPK-200-BLK",
        "title": "Reset",
        "steps": ["Charge it.", "Hold power for 10 s.", "Pair again."],
        **change,
    }
    response = await api.put(f"/guides/{a_seller()}/g1", json=guide, headers=AGENT)
    assert response.status_code == 422
    assert reason in response.text


async def test_a_decision_shows_its_plan_alternatives_and_offers(api):
    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    decision = (await api.get(f"/decisions/{case.case_id}")).json()
    assert decision["state"] == "offered"
    assert [step["remedy"] for step in decision["plan"]] == ["exchange", "return_full_refund"]
    assert {a["remedy"] for a in decision["alternatives"]} == {
        "exchange",
        "refund_without_return",
        "return_full_refund",
    }
    offers = (await api.get(f"/cases/{case.case_id}/offers")).json()
    assert [(o["remedy"], o["state"]) for o in offers] == [("exchange", "open")]
    assert "exchange" in offers[0]["message"]
    offered = (await api.get("/decisions", params={"state": "offered", "limit": 500})).json()
    assert case.case_id in {d["case_id"] for d in offered}
    waiting = case_opened(scenario=None)  # nobody answers it until an agent classifies it
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(waiting)), "intake.events")
    running = (await api.get("/clocks", params={"state": "running", "limit": 500})).json()
    assert (waiting.case_id, "first_reply") in {(c["case_id"], c["name"]) for c in running}
    assert case.case_id not in {c["case_id"] for c in running}  # answered as it opened
    assert (await api.get("/decisions/no-such-case")).status_code == 404
    assert (await api.get("/refunds", params={"state": "lost"})).status_code == 422


async def test_a_what_if_replans_the_sellers_cases_under_the_proposed_policy(api):
    seller = a_seller()
    certain_return = {"partial_refund": 0.8, "return_full_refund": 1.0}
    in_force = {
        "acceptance": certain_return,
        "learn_acceptance": False,
        "enabled_remedies": ["partial_refund", "return_full_refund"],
    }
    answer = await api.put(f"/policies/{seller}", json=in_force, headers=AGENT)
    assert answer.status_code == 201
    cases = [
        case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(update={"seller_account": seller})
        for _ in range(4)
    ]
    # A case waiting for an agent to classify it has nothing to replan yet.
    waiting = case_opened(scenario=None).model_copy(update={"seller_account": seller})
    async with TestKafkaBroker(api.service.broker) as broker:
        for case in [*cases, waiting]:
            await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    decision = (await api.get(f"/decisions/{cases[0].case_id}")).json()
    cost = {a["remedy"]: a["cost_minor"] for a in decision["alternatives"]}

    no_partial = {**in_force, "enabled_remedies": ["return_full_refund"]}
    question = {"policy": no_partial}
    assert (await api.post(f"/what-if/{seller}", json=question)).status_code == 401
    report = (await api.post(f"/what-if/{seller}", json=question, headers=AGENT)).json()

    assert report["current"]["cases"] == report["proposed"]["cases"] == 4
    assert report["current"]["first_remedies"] == {"partial_refund": 4}
    assert report["proposed"]["first_remedies"] == {"return_full_refund": 4}
    # In force: 80% keep the item for a partial refund, 20% return it. Proposed: all return.
    assert (report["current"]["expected_returns"], report["proposed"]["expected_returns"]) == (
        0.8,
        4.0,
    )
    current_cost = 4 * (0.8 * cost["partial_refund"] + 0.2 * cost["return_full_refund"])
    proposed_cost = 4 * cost["return_full_refund"]
    assert report["current"]["expected_cost_minor"]["USD"] == pytest.approx(current_cost, abs=4)
    assert report["proposed"]["expected_cost_minor"] == {"USD": proposed_cost}
    assert report["difference"]["expected_returns"] == 3.2
    assert report["difference"]["expected_cost_minor"]["USD"] == pytest.approx(
        proposed_cost - current_cost, abs=4
    )
    later = {"policy": no_partial, "since": "2099-01-01T00:00:00Z"}
    nothing = (await api.post(f"/what-if/{seller}", json=later, headers=AGENT)).json()
    assert nothing["current"]["cases"] == 0
