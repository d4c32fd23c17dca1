"""The decision bench's plan quality on the sample cases: the share of first offers that are
the cheapest acceptable remedy, and the expected cost against returning everything, held
above floors so that a ladder missing a cheaper remedy again fails here."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bench.decisions import (
    cheapest_acceptable,
    classified_samples,
    first_offer_verdict,
    quality,
)
from services.resolution.domain.engine import CaseFacts, plan
from services.resolution.domain.policy import DEFAULT_POLICY
from services.resolution.domain.troubleshooting import starter_guides
from shared.events import CaseItem, Remedy, Scenario
from shared.markets import Currency, Market

GUIDES = list(starter_guides().values())
OPENED = datetime(2026, 11, 10, 12, tzinfo=UTC)
CURTAIN = CaseItem(sku="CRT-1", category="home", quantity=1, unit_price_minor=1999)


def curtain_case(scenario: Scenario, market: Market = Market.US) -> CaseFacts:
    return CaseFacts(
        case_id="case-1",
        marketplace="amazon",
        market=market,
        currency=Currency.USD,
        scenario=scenario,
        items=[CURTAIN],
        opened_at=OPENED,
        delivered_at=OPENED - timedelta(days=5),
        language="en",
    )


def test_the_sample_plans_offer_the_cheapest_acceptable_remedy_first_and_save_on_returns():
    result = quality(classified_samples(), GUIDES)
    assert result["cases_planned"] >= 70
    assert result["first_offer_cheapest_acceptable_share"] >= 0.95
    assert result["first_offers_dearer_than_the_cheapest"] == {}
    assert result["expected_cost_per_case_usd"] < result["return_everything_per_case_usd"]
    assert result["saving_against_returning_everything"] >= 0.5


def test_a_part_cheaper_than_the_refund_counts_as_the_cheapest_acceptable_remedy():
    case = curtain_case(Scenario.QUALITY_DEFECT)
    assert cheapest_acceptable(case, GUIDES)[0] is Remedy.PART_SHIPMENT
    assert first_offer_verdict(case, plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED), GUIDES) is None


def test_the_right_item_first_though_dearer_is_reported_as_not_the_cheapest():
    case = curtain_case(Scenario.WRONG_ITEM)
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)
    verdict = first_offer_verdict(case, the_plan, GUIDES)
    assert verdict == "wrong_item: exchange before the cheaper refund_without_return"
    # A buyer who changed their mind is acceptable only the return the law gives.
    mind = replace(case, scenario=Scenario.CHANGED_MIND)
    assert cheapest_acceptable(mind, GUIDES)[0] is Remedy.RETURN_FULL_REFUND
