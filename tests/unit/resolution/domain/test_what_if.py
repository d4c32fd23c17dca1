"""A period's plans added up under two policies: expected cost, first remedies, returns."""

from datetime import UTC, datetime

import pytest

from services.resolution.domain.engine import CaseFacts, plan
from services.resolution.domain.policy import DEFAULT_POLICY, SellerPolicy
from services.resolution.domain.what_if import (
    PolicyOutcome,
    expected_cost,
    report,
    return_chance,
)
from shared.events import CaseItem, Remedy, Scenario
from shared.markets import Currency, Market

OPENED = datetime(2026, 11, 10, 12, tzinfo=UTC)
SPEAKER = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=4999)
MINOR_DEFECT = CaseFacts(
    case_id="case-1",
    marketplace="amazon",
    market=Market.US,
    currency=Currency.USD,
    scenario=Scenario.MINOR_DEFECT,
    items=[SPEAKER],
    opened_at=OPENED,
    delivered_at=OPENED,
    language="en",
)
ONLY_RETURNS = SellerPolicy(enabled_remedies=[Remedy.RETURN_FULL_REFUND])


def test_a_partial_refund_first_keeps_most_units_from_coming_back():
    the_plan = plan(MINOR_DEFECT, DEFAULT_POLICY, 0, [], OPENED)
    assert [step.remedy for step in the_plan.steps] == [
        Remedy.PARTIAL_REFUND,
        Remedy.RETURN_FULL_REFUND,
    ]
    assert return_chance(the_plan) == pytest.approx(0.2)  # the 20% who decline it
    assert expected_cost(the_plan) == the_plan.alternatives[0].expected_cost_minor


def test_a_plan_with_nothing_to_offer_is_counted_for_an_agent():
    nothing = plan(MINOR_DEFECT, SellerPolicy(enabled_remedies=[Remedy.EXCHANGE]), 3, [], OPENED)
    outcome = PolicyOutcome()
    outcome.add(nothing, "USD")
    assert outcome.as_json() == {
        "cases": 1,
        "expected_cost_minor": {},
        "first_remedies": {},
        "expected_returns": 0.0,
        "nothing_to_offer": 1,
    }
    assert expected_cost(nothing) == 0.0


def test_the_report_gives_both_policies_and_their_difference():
    current, proposed = PolicyOutcome(), PolicyOutcome()
    for _ in range(2):
        current.add(plan(MINOR_DEFECT, DEFAULT_POLICY, 1, [], OPENED), "USD")
        proposed.add(plan(MINOR_DEFECT, ONLY_RETURNS, 1, [], OPENED), "USD")
    answer = report("linen-home", 1, current, proposed)
    assert (answer["seller"], answer["policy_in_force"]) == ("linen-home", 1)
    assert answer["current"]["first_remedies"] == {"partial_refund": 2}
    assert answer["proposed"]["first_remedies"] == {"return_full_refund": 2}
    assert answer["difference"]["expected_returns"] == pytest.approx(2 - 0.4)
    cost = answer["difference"]["expected_cost_minor"]["USD"]
    assert cost == (proposed.expected_cost_minor["USD"] - current.expected_cost_minor["USD"])
    assert cost > 0  # the partial refund is the cheaper first offer
