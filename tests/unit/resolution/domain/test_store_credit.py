"""Store credit in the remedy ladder: where the seller enables it, on channels that can
issue a gift card, priced at what the goods it buys cost, learnt, and never in the way of
the refund the law gives."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.resolution.domain.costs import COST_BOOK, LINE_STORE_CREDIT, Costing, estimate
from services.resolution.domain.engine import CaseFacts, plan
from services.resolution.domain.offers import draft, planned_steps
from services.resolution.domain.policy import DEFAULT_POLICY, SellerPolicy, with_learnt_acceptance
from services.resolution.domain.troubleshooting import starter_guides
from shared.events import CaseItem, Remedy, Scenario
from shared.markets import CURRENCY_OF, Currency, Market

R = Remedy
OPENED = datetime(2026, 11, 10, 12, tzinfo=UTC)
GUIDES = list(starter_guides().values())
SHIRT = CaseItem(sku="SH-1", category="apparel", quantity=2, unit_price_minor=2500)
SPEAKER = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=4999)
CREDIT = SellerPolicy(store_credit_enabled=True, store_credit_bonus_percent=10)


def facts(scenario: Scenario, market: Market, marketplace: str = "shopify") -> CaseFacts:
    return CaseFacts(
        case_id="case-1",
        marketplace=marketplace,
        market=market,
        currency=CURRENCY_OF[market],
        scenario=scenario,
        items=[SHIRT],
        opened_at=OPENED,
        delivered_at=OPENED - timedelta(days=5),
        language="en",
    )


def remedies(the_plan) -> list[Remedy]:
    return [step.remedy for step in the_plan.steps]


def excluded(the_plan) -> dict[Remedy, str]:
    return {a.remedy: a.excluded_by for a in the_plan.alternatives if a.excluded_by}


def test_store_credit_is_not_in_a_plan_unless_the_seller_enables_it():
    the_plan = plan(
        facts(Scenario.SIZE_STYLE_MISMATCH, Market.US), DEFAULT_POLICY, 0, GUIDES, OPENED
    )
    assert R.STORE_CREDIT not in {a.remedy for a in the_plan.alternatives}


def test_enabled_store_credit_comes_before_the_refund_a_decline_leads_to():
    the_plan = plan(facts(Scenario.SIZE_STYLE_MISMATCH, Market.US), CREDIT, 3, GUIDES, OPENED)
    steps = remedies(the_plan)
    assert R.STORE_CREDIT in steps
    assert steps.index(R.STORE_CREDIT) < len(steps) - 1
    assert the_plan.steps[-1].owed  # a declined credit ends in a money refund
    assert the_plan.steps[-1].remedy in (R.REFUND_WITHOUT_RETURN, R.RETURN_FULL_REFUND)
    credit = next(step for step in the_plan.steps if step.remedy is R.STORE_CREDIT)
    assert credit.refund_minor == 5500  # 5000 paid, 10% bonus
    assert credit.bonus_minor == 500
    assert not credit.owed


def test_a_channel_that_cannot_issue_a_gift_card_gets_no_store_credit():
    for marketplace in ("amazon", "ebay", "walmart"):
        the_plan = plan(
            facts(Scenario.WRONG_ITEM, Market.US, marketplace), CREDIT, 3, GUIDES, OPENED
        )
        assert R.STORE_CREDIT not in remedies(the_plan)
        assert excluded(the_plan)[R.STORE_CREDIT].startswith(f"channel: {marketplace} cannot")


def test_store_credit_disabled_in_the_enabled_remedies_is_excluded_with_the_policy_version():
    policy = CREDIT.model_copy(
        update={"enabled_remedies": [r for r in Remedy if r is not R.STORE_CREDIT]}
    )
    the_plan = plan(facts(Scenario.WRONG_ITEM, Market.US), policy, 7, GUIDES, OPENED)
    assert excluded(the_plan)[R.STORE_CREDIT] == "seller policy v7: store_credit is not enabled"


def test_uk_buyer_rejecting_faulty_goods_is_owed_money_not_credit():
    the_plan = plan(facts(Scenario.QUALITY_DEFECT, Market.UK), CREDIT, 3, GUIDES, OPENED)
    assert R.STORE_CREDIT not in remedies(the_plan)
    assert "uk.cra.short_term_right_to_reject" in excluded(the_plan)[R.STORE_CREDIT]


def test_an_eu_credit_offer_keeps_the_withdrawal_right_and_the_refund_in_view():
    the_plan = plan(facts(Scenario.SIZE_STYLE_MISMATCH, Market.DE), CREDIT, 3, GUIDES, OPENED)
    step = next(s for s in planned_steps(the_plan) if s.remedy is R.STORE_CREDIT)
    assert "eu.crd.withdrawal" in step.disclosures
    for language, insist, money in (
        ("en", "insist on a refund", ("€55.00", "€5.00", "€50.00")),
        ("de", "bestehen", ("55,00", "5,00", "50,00")),
    ):
        the_draft = draft(
            step, language, Market.DE, Currency.EUR, "Shirt", OPENED, Scenario.SIZE_STYLE_MISMATCH
        )
        assert the_draft.sendable, the_draft.findings
        assert insist in the_draft.message
        value, bonus, refund = money  # the refund: what the buyer may take instead
        assert all(amount in the_draft.message for amount in (value, bonus, refund))


def test_store_credit_costs_the_goods_it_buys_not_its_face_value():
    priced = estimate(R.STORE_CREDIT, Costing(Market.US, "shopify", [SHIRT], 5500))
    apparel = COST_BOOK.replacement_cost_ratio["apparel"]
    assert {line.item: line.amount_minor for line in priced.lines} == {
        LINE_STORE_CREDIT: int(5500 * apparel)
    }
    refund = estimate(R.REFUND_WITHOUT_RETURN, Costing(Market.US, "shopify", [SHIRT], 5000))
    assert priced.total_minor < refund.total_minor


def test_store_credit_cost_is_spread_over_items_at_each_category_share():
    both = [SHIRT, SPEAKER]  # 5000 apparel at 0.30, 4999 electronics at 0.45
    priced = estimate(R.STORE_CREDIT, Costing(Market.US, "shopify", both, 9999))
    assert priced.total_minor == 3750  # 1500 + 2249.55, rounded half-up once
    assert estimate(R.STORE_CREDIT, Costing(Market.US, "shopify", both, 0)).lines == ()


def test_store_credit_acceptance_is_learnt_from_the_buyers_answers():
    learnt = with_learnt_acceptance(CREDIT, {R.STORE_CREDIT: (0, 20)})
    assert learnt.acceptance_of(R.STORE_CREDIT) == DEFAULT_POLICY.acceptance_of(R.STORE_CREDIT) / 2
    taken = with_learnt_acceptance(CREDIT, {R.STORE_CREDIT: (20, 20)})
    assert taken.acceptance_of(R.STORE_CREDIT) > CREDIT.acceptance_of(R.STORE_CREDIT)


def test_a_bonus_beyond_the_policy_limit_is_refused():
    with pytest.raises(ValidationError):
        SellerPolicy(store_credit_enabled=True, store_credit_bonus_percent=80)
