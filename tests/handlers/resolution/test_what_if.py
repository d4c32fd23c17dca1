"""The what-if over HTTP (`handlers/what_if.py`): a seller's cases replanned under a
proposed policy, over the real PostgreSQL."""

import pytest
from faststream.kafka import TestKafkaBroker

from shared.events import Envelope, Scenario
from tests.factories import AGENT, case_opened, envelope_bytes
from tests.handlers.resolution.conftest import a_seller


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
    decision = (await api.get(f"/decisions/{cases[0].case_id}", headers=AGENT)).json()
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
