"""The remedy engine, table-driven: every scenario in every market, with the remedies it
offers in order, their amounts, and what it excluded and why; then the law's edge cases."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.resolution.domain import engine
from services.resolution.domain.costs import COST_BOOK, Condition, with_learnt_recovery
from services.resolution.domain.engine import CaseFacts, plan
from services.resolution.domain.law import rights_of
from services.resolution.domain.offers import draft, planned_steps
from services.resolution.domain.policy import DEFAULT_POLICY, RefundTier, SellerPolicy
from services.resolution.domain.troubleshooting import starter_guides
from shared.events import CaseItem, Grade, Reason, Remedy, ReturnRoute, Scenario
from shared.markets import CURRENCY_OF, DEFAULT_LANGUAGE_OF, Currency, Market

R, S = Remedy, Scenario
MARKETS = (Market.US, Market.CA, Market.UK, Market.DE, Market.FR, Market.IT, Market.ES)
OPENED = datetime(2026, 11, 10, 12, tzinfo=UTC)
GUIDES = list(starter_guides().values())

SPEAKER = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=4999)
CURTAIN = CaseItem(sku="CRT-BLK-5284-GRY", category="home", quantity=1, unit_price_minor=1999)

POLICY_CAP = "seller policy v0: returnless refunds only"
DEARER = "cost: dearer than"
NO_GUIDE = "knowledge base: no guide"


def facts(
    scenario: Scenario,
    market: Market,
    items: list[CaseItem],
    delivered_days_before: int | None = 5,
    opened: datetime = OPENED,
) -> CaseFacts:
    delivered = None if delivered_days_before is None else opened - timedelta(delivered_days_before)
    return CaseFacts(
        case_id="case-1",
        marketplace="amazon",
        market=market,
        currency=CURRENCY_OF[market],
        scenario=scenario,
        items=items,
        opened_at=opened,
        delivered_at=delivered,
        language=DEFAULT_LANGUAGE_OF[market],
    )


def offered(the_plan) -> list[tuple[Remedy, int]]:
    return [(step.remedy, step.refund_minor) for step in the_plan.steps]


def excluded(the_plan) -> dict[Remedy, str]:
    return {a.remedy: a.excluded_by for a in the_plan.alternatives if a.excluded_by}


# A $49.99 speaker (a starter troubleshooting guide exists in every language): the same
# plan in every market, because the unit is worth more than the returnless-refund cap;
# but a quality defect, which the UK buyer rejects for their money within 30 days, and
# which elsewhere gets a repair (the part) and a replacement (an exchange for a new unit)
# first, both cheaper than taking a faulty unit back for a refund.
SIZE = "a size or fit does not change"
REJECTED = "law uk.cra.short_term_right_to_reject"
SPEAKER_PLANS: dict[Scenario, tuple[list[tuple[Remedy, int]], dict[Remedy, str]]] = {
    S.MINOR_DEFECT: (
        [(R.PARTIAL_REFUND, 499), (R.RETURN_FULL_REFUND, 4999)],
        {R.REFUND_WITHOUT_RETURN: POLICY_CAP},
    ),
    S.FUNCTIONAL_FAULT: (
        [(R.TROUBLESHOOTING, 0), (R.PART_SHIPMENT, 0), (R.RETURN_FULL_REFUND, 4999)],
        {R.REFUND_WITHOUT_RETURN: POLICY_CAP},
    ),
    S.SIZE_STYLE_MISMATCH: (
        [(R.EXCHANGE, 0), (R.RETURN_FULL_REFUND, 4999)],
        {R.REFUND_WITHOUT_RETURN: POLICY_CAP, R.PARTIAL_REFUND: SIZE},
    ),
    S.QUALITY_DEFECT: (
        [(R.PART_SHIPMENT, 0), (R.EXCHANGE, 0), (R.RETURN_FULL_REFUND, 4999)],
        {R.REFUND_WITHOUT_RETURN: POLICY_CAP},
    ),
    S.CHANGED_MIND: ([(R.RETURN_FULL_REFUND, 4999)], {}),
    S.NOT_RECEIVED: ([(R.RESHIP, 0), (R.REFUND_WITHOUT_RETURN, 4999)], {}),
    S.WRONG_ITEM: (
        [(R.EXCHANGE, 0), (R.RETURN_FULL_REFUND, 4999)],
        {R.REFUND_WITHOUT_RETURN: POLICY_CAP},
    ),
}
UK_REJECTION = (
    [(R.RETURN_FULL_REFUND, 4999)],
    {
        R.REFUND_WITHOUT_RETURN: POLICY_CAP,
        R.PART_SHIPMENT: REJECTED,
        R.EXCHANGE: REJECTED,
        R.REPAIR: REJECTED,
    },
)
# A repair (the unit to the local repair shop and back, on by default) where the law lets
# the buyer choose it: the EU legal guarantee; never in North America.
NO_CHOICE_OF_REPAIR = "law: no right to choose a repair"
EU_QUALITY_DEFECT = (
    [(R.PART_SHIPMENT, 0), (R.REPAIR, 0), (R.EXCHANGE, 0), (R.RETURN_FULL_REFUND, 4999)],
    {R.REFUND_WITHOUT_RETURN: POLICY_CAP},
)


def speaker_plan(scenario: Scenario, market: Market):
    if scenario is S.QUALITY_DEFECT and market is Market.UK:
        return UK_REJECTION
    if scenario is S.QUALITY_DEFECT and market in (Market.US, Market.CA):
        offers, exclusions = SPEAKER_PLANS[scenario]
        return offers, exclusions | {R.REPAIR: NO_CHOICE_OF_REPAIR}
    if scenario is S.QUALITY_DEFECT:
        return EU_QUALITY_DEFECT
    return SPEAKER_PLANS[scenario]


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("scenario", list(SPEAKER_PLANS))
def test_speaker_plan_per_scenario_and_market(scenario, market):
    expected_offers, expected_exclusions = speaker_plan(scenario, market)
    the_plan = plan(facts(scenario, market, [SPEAKER]), DEFAULT_POLICY, 0, GUIDES, OPENED)
    assert offered(the_plan) == expected_offers
    assert {r: why[: len(expected_exclusions[r])] for r, why in excluded(the_plan).items()} == (
        expected_exclusions
    )


# A $19.99 curtain: a return costs more than the unit brings back, so a refund without a
# return wins; except where the unit comes back unopened (a wrong item) or tried on (a size)
# and return postage is cheap (UK, EU).
RETURNLESS = (R.REFUND_WITHOUT_RETURN, 1999)
RETURN = (R.RETURN_FULL_REFUND, 1999)
HOME_RETURNLESS = {R.RETURN_FULL_REFUND: DEARER}
RETURN_WINS = {R.REFUND_WITHOUT_RETURN: DEARER}
EU = (Market.DE, Market.FR, Market.IT, Market.ES)


def curtain_plan(scenario: Scenario, market: Market):
    north_america = market in (Market.US, Market.CA)
    faulty = ([(R.PART_SHIPMENT, 0), RETURNLESS], HOME_RETURNLESS)
    table = {
        S.MINOR_DEFECT: ([(R.PARTIAL_REFUND, 199), RETURNLESS], HOME_RETURNLESS),
        S.FUNCTIONAL_FAULT: (faulty[0], faulty[1] | {R.TROUBLESHOOTING: NO_GUIDE}),
        # Exchanging a cheap curtain costs more than refunding it, but in the UK.
        S.SIZE_STYLE_MISMATCH: (
            ([(R.EXCHANGE, 0), RETURN], RETURN_WINS | {R.PARTIAL_REFUND: SIZE})
            if market is Market.UK
            else ([RETURNLESS], HOME_RETURNLESS | {R.EXCHANGE: DEARER, R.PARTIAL_REFUND: SIZE})
        ),
        # A part, cheaper than the refund, everywhere the buyer has not rejected the goods;
        # in the EU the replacement too, though dearer: the legal guarantee lets the buyer
        # choose repair or replacement first.
        S.QUALITY_DEFECT: (
            (
                [RETURNLESS],
                HOME_RETURNLESS
                | {R.PART_SHIPMENT: REJECTED, R.EXCHANGE: REJECTED, R.REPAIR: REJECTED},
            )
            if market is Market.UK
            else (
                [(R.PART_SHIPMENT, 0), (R.EXCHANGE, 0), (R.REPAIR, 0), RETURNLESS],
                HOME_RETURNLESS,
            )
            if market in EU
            else (
                faulty[0],
                HOME_RETURNLESS | {R.EXCHANGE: DEARER, R.REPAIR: NO_CHOICE_OF_REPAIR},
            )
        ),
        S.CHANGED_MIND: ([(R.RETURN_FULL_REFUND, 1999)], {}),
        # Sending a $19.99 curtain again across Canada costs more than refunding it.
        S.NOT_RECEIVED: (
            ([(R.REFUND_WITHOUT_RETURN, 1999)], {R.RESHIP: DEARER})
            if market is Market.CA
            else ([(R.RESHIP, 0), (R.REFUND_WITHOUT_RETURN, 1999)], {})
        ),
        # The right item before any refund, dearer or not.
        S.WRONG_ITEM: (
            ([(R.EXCHANGE, 0), RETURNLESS], HOME_RETURNLESS)
            if north_america
            else ([(R.EXCHANGE, 0), RETURN], RETURN_WINS)
        ),
    }
    return table[scenario]


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("scenario", list(Scenario))
def test_cheap_curtain_plan_per_scenario_and_market(scenario, market):
    expected_offers, expected_exclusions = curtain_plan(scenario, market)
    the_plan = plan(facts(scenario, market, [CURTAIN]), DEFAULT_POLICY, 0, GUIDES, OPENED)
    assert offered(the_plan) == expected_offers
    assert {r: why[: len(expected_exclusions[r])] for r, why in excluded(the_plan).items()} == (
        expected_exclusions
    )


@pytest.mark.parametrize("scenario", list(Scenario))
@pytest.mark.parametrize("market", MARKETS)
def test_every_plan_is_cheapest_first_and_ends_with_a_remedy_the_buyer_takes(scenario, market):
    """Cheapest first, but for what is the buyer's to choose first (the law's repair or
    replacement, the right item for a wrong one), which may cost more than the refund."""
    for item in (SPEAKER, CURTAIN):
        case = facts(scenario, market, [item])
        the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)
        costs = [step.cost_minor for step in the_plan.steps]
        assert costs[:-1] == sorted(costs[:-1])
        assert the_plan.steps[-1].owed
        assert not any(step.owed for step in the_plan.steps[:-1])
        rights = rights_of(market, case.delivered_at, OPENED)
        dearer = {s.remedy for s in the_plan.steps[:-1] if s.cost_minor > costs[-1]}
        assert dearer <= engine.first_remedies(case, rights)
        weighed = {a.remedy for a in the_plan.alternatives}
        assert weighed == set(engine.ladder_of(scenario, DEFAULT_POLICY))


def test_expected_cost_counts_a_decline():
    the_plan = plan(facts(S.MINOR_DEFECT, Market.US, [SPEAKER]), DEFAULT_POLICY, 0, GUIDES, OPENED)
    partial, full = the_plan.steps
    by_remedy = {a.remedy: a for a in the_plan.alternatives}
    p = partial.acceptance
    assert by_remedy[R.PARTIAL_REFUND].expected_cost_minor == round(
        p * partial.cost_minor + (1 - p) * full.cost_minor
    )
    assert by_remedy[R.RETURN_FULL_REFUND].expected_cost_minor == full.cost_minor
    assert by_remedy[R.REFUND_WITHOUT_RETURN].expected_cost_minor is None
    lines = {line.item for line in by_remedy[R.RETURN_FULL_REFUND].lines}
    assert {"refund", "return_shipping", "handling", "recovery_value"} <= lines


# --- The law's edge cases

DELIVERED = datetime(2026, 11, 1, 10, tzinfo=UTC)


def opened_on_day(day: int) -> datetime:
    return DELIVERED.replace(hour=20) + timedelta(days=day)


@pytest.mark.parametrize(("day", "disclosed"), [(14, True), (15, False)])
def test_a_partial_refund_in_the_eu_tells_of_the_withdrawal_right_until_day_14(day, disclosed):
    opened = opened_on_day(day)
    case = replace(
        facts(S.MINOR_DEFECT, Market.DE, [SPEAKER], opened=opened), delivered_at=DELIVERED
    )
    first = plan(case, DEFAULT_POLICY, 0, GUIDES, opened).steps[0]
    assert first.remedy is R.PARTIAL_REFUND
    assert ("eu.crd.withdrawal" in [d.rule_id for d in first.disclosures]) is disclosed


@pytest.mark.parametrize(("day", "returnable"), [(30, True), (31, False)])
def test_a_us_buyer_who_changed_their_mind_may_return_within_the_marketplace_30_days(
    day, returnable
):
    spring = DELIVERED.replace(month=3)  # out of Amazon's holiday season
    opened = spring.replace(hour=20) + timedelta(days=day)
    case = replace(facts(S.CHANGED_MIND, Market.US, [SPEAKER], opened=opened), delivered_at=spring)
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, opened)
    if returnable:
        assert offered(the_plan) == [(R.RETURN_FULL_REFUND, 4999)]
    else:
        assert offered(the_plan) == []
        assert excluded(the_plan)[R.RETURN_FULL_REFUND].startswith("no return right")
        assert "an agent decides" in the_plan.rule


def test_a_missing_delivery_date_counts_the_windows_from_the_opening():
    case = facts(S.MINOR_DEFECT, Market.FR, [SPEAKER], delivered_days_before=None)
    first = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED).steps[0]
    assert [d.rule_id for d in first.disclosures] == ["eu.crd.withdrawal", "eu.sgd.remedies"]


def test_a_part_shipped_order_refunds_only_the_items_of_the_case_each_by_its_tier():
    tiers = [RefundTier(up_to_price_minor=2000, percent=15), RefundTier(percent=10)]
    policy = SellerPolicy(partial_refund_tiers=tiers)
    two_speakers = SPEAKER.model_copy(update={"quantity": 2})
    case = facts(S.MINOR_DEFECT, Market.US, [two_speakers, CURTAIN])
    first = plan(case, policy, 3, GUIDES, OPENED).steps[0]
    assert first.refund_minor == 2 * 4999 * 10 // 100 + 1999 * 15 // 100  # 999 + 299


def test_an_offer_the_law_forbids_is_excluded_with_the_rule_and_the_next_is_offered(monkeypatch):
    # Were a partial refund tried on faulty goods in the UK within 30 days, the short-term
    # right to reject forbids it: only a full refund answers a rejection.
    ladder = {**engine.LADDERS, S.QUALITY_DEFECT: (R.PARTIAL_REFUND, R.RETURN_FULL_REFUND)}
    monkeypatch.setattr(engine, "LADDERS", ladder)
    the_plan = plan(
        facts(S.QUALITY_DEFECT, Market.UK, [SPEAKER]), DEFAULT_POLICY, 0, GUIDES, OPENED
    )
    assert offered(the_plan) == [(R.RETURN_FULL_REFUND, 4999)]
    assert "uk.cra.short_term_right_to_reject" in excluded(the_plan)[R.PARTIAL_REFUND]


def test_a_remedy_the_seller_disabled_is_skipped_with_the_policy_version():
    policy = SellerPolicy(enabled_remedies=[r for r in Remedy if r is not R.EXCHANGE])
    the_plan = plan(facts(S.SIZE_STYLE_MISMATCH, Market.DE, [SPEAKER]), policy, 7, GUIDES, OPENED)
    assert offered(the_plan) == [(R.RETURN_FULL_REFUND, 4999)]
    assert excluded(the_plan)[R.EXCHANGE] == "seller policy v7: exchange is not enabled"


def test_a_guide_only_in_another_language_is_no_remedy():
    case = facts(S.FUNCTIONAL_FAULT, Market.US, [SPEAKER])
    only_german = [g for g in GUIDES if g.language == "de"]
    the_plan = plan(case, DEFAULT_POLICY, 0, only_german, OPENED)
    assert excluded(the_plan)[R.TROUBLESHOOTING].startswith(NO_GUIDE)
    assert the_plan.steps[0].remedy is R.PART_SHIPMENT


@pytest.mark.parametrize("market", MARKETS)
def test_the_guide_offered_answers_the_buyers_symptom(market):
    case = replace(facts(S.FUNCTIONAL_FAULT, market, [SPEAKER]), symptoms=("no_charge",))
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)
    first = the_plan.steps[0]
    assert first.remedy is R.TROUBLESHOOTING
    assert first.guide.guide_id == f"electronics.charging.{case.language}"


def test_a_guide_not_fitting_the_symptom_is_not_offered_the_next_remedy_is():
    """The speaker's own guide is for pairing and sound; a buyer whose speaker will not
    charge is not sent it, nor the general "charge, restart, reset" guide."""
    case = replace(facts(S.FUNCTIONAL_FAULT, Market.US, [SPEAKER]), symptoms=("no_charge",))
    not_charging = [g for g in GUIDES if "no_charge" not in g.symptoms]
    the_plan = plan(case, DEFAULT_POLICY, 0, not_charging, OPENED)

    assert excluded(the_plan)[R.TROUBLESHOOTING] == (
        "knowledge base: no guide for BT-SPK-200-BLK (no_charge) in 'en'"
    )
    assert offered(the_plan) == [(R.PART_SHIPMENT, 0), (R.RETURN_FULL_REFUND, 4999)]


def test_a_guide_buyers_often_decline_gives_way_to_another_that_fits():
    case = replace(facts(S.FUNCTIONAL_FAULT, Market.US, [SPEAKER]), symptoms=("wont_pair",))
    usual = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED).steps[0].guide
    declined = {usual.guide_id: 0.8}
    sunk = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED, declined).steps[0].guide

    assert usual.guide_id == "BT-SPK-200-BLK.pairing.en"
    assert sunk.guide_id == "electronics.pairing.en"


def test_a_changed_mind_return_is_at_the_buyers_cost_unless_the_seller_pays():
    case = facts(S.CHANGED_MIND, Market.DE, [SPEAKER])
    buyer_pays = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED).steps[0]
    seller_pays = plan(
        case, SellerPolicy(seller_pays_withdrawal_return=True), 1, GUIDES, OPENED
    ).steps[0]
    assert (buyer_pays.seller_pays_return, seller_pays.seller_pays_return) == (False, True)
    assert seller_pays.cost_minor > buyer_pays.cost_minor
    assert "eu.crd.return_cost" in [d.rule_id for d in buyer_pays.disclosures]


@pytest.mark.parametrize("scenario", list(Scenario))
def test_a_case_amazon_fulfilled_is_planned_no_remedy_of_the_sellers(scenario):
    fba = replace(facts(scenario, Market.DE, [SPEAKER]), marketplace="amazon_fba")
    the_plan = plan(fba, DEFAULT_POLICY, 0, GUIDES, OPENED)
    assert the_plan.steps == ()
    assert set(excluded(the_plan)) == set(engine.ladder_of(scenario, DEFAULT_POLICY))
    assert all("fulfilled by Amazon" in why for why in excluded(the_plan).values())
    assert "fulfilled by Amazon" in the_plan.rule


# Store credit: offered before the refund where the seller enables it and the channel can
# issue a gift card; a decline leads on to the refund the law gives.

SHIRT = CaseItem(sku="SH-1", category="apparel", quantity=2, unit_price_minor=2500)
CREDIT = SellerPolicy(store_credit_enabled=True, store_credit_bonus_percent=10)


def shop_facts(scenario: Scenario, market: Market, marketplace: str = "shopify") -> CaseFacts:
    return replace(facts(scenario, market, [SHIRT]), marketplace=marketplace, language="en")


def remedies(the_plan) -> list[Remedy]:
    return [step.remedy for step in the_plan.steps]


def test_store_credit_is_not_in_a_plan_unless_the_seller_enables_it():
    the_plan = plan(
        shop_facts(Scenario.SIZE_STYLE_MISMATCH, Market.US), DEFAULT_POLICY, 0, GUIDES, OPENED
    )
    assert Remedy.STORE_CREDIT not in {a.remedy for a in the_plan.alternatives}


def test_enabled_store_credit_comes_before_the_refund_a_decline_leads_to():
    the_plan = plan(shop_facts(Scenario.SIZE_STYLE_MISMATCH, Market.US), CREDIT, 3, GUIDES, OPENED)
    steps = remedies(the_plan)
    assert Remedy.STORE_CREDIT in steps
    assert steps.index(Remedy.STORE_CREDIT) < len(steps) - 1
    assert the_plan.steps[-1].owed  # a declined credit ends in a money refund
    assert the_plan.steps[-1].remedy in (Remedy.REFUND_WITHOUT_RETURN, Remedy.RETURN_FULL_REFUND)
    credit = next(step for step in the_plan.steps if step.remedy is Remedy.STORE_CREDIT)
    assert credit.refund_minor == 5500  # 5000 paid, 10% bonus
    assert credit.bonus_minor == 500
    assert not credit.owed


def test_a_channel_that_cannot_issue_a_gift_card_gets_no_store_credit():
    for marketplace in ("amazon", "ebay", "walmart"):
        the_plan = plan(
            shop_facts(Scenario.WRONG_ITEM, Market.US, marketplace), CREDIT, 3, GUIDES, OPENED
        )
        assert Remedy.STORE_CREDIT not in remedies(the_plan)
        assert excluded(the_plan)[Remedy.STORE_CREDIT].startswith(f"channel: {marketplace} cannot")


def test_store_credit_disabled_in_the_enabled_remedies_is_excluded_with_the_policy_version():
    policy = CREDIT.model_copy(
        update={"enabled_remedies": [r for r in Remedy if r is not Remedy.STORE_CREDIT]}
    )
    the_plan = plan(shop_facts(Scenario.WRONG_ITEM, Market.US), policy, 7, GUIDES, OPENED)
    assert (
        excluded(the_plan)[Remedy.STORE_CREDIT] == "seller policy v7: store_credit is not enabled"
    )


def test_uk_buyer_rejecting_faulty_goods_is_owed_money_not_credit():
    the_plan = plan(shop_facts(Scenario.QUALITY_DEFECT, Market.UK), CREDIT, 3, GUIDES, OPENED)
    assert Remedy.STORE_CREDIT not in remedies(the_plan)
    assert "uk.cra.short_term_right_to_reject" in excluded(the_plan)[Remedy.STORE_CREDIT]


def test_an_eu_credit_offer_keeps_the_withdrawal_right_and_the_refund_in_view():
    the_plan = plan(shop_facts(Scenario.SIZE_STYLE_MISMATCH, Market.DE), CREDIT, 3, GUIDES, OPENED)
    step = next(s for s in planned_steps(the_plan) if s.remedy is Remedy.STORE_CREDIT)
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


@pytest.mark.parametrize(
    ("marketplace", "window", "returnable"),
    [
        ("shopify", 60, True),  # the seller's own 60 days in its own shop
        ("shopify", None, False),  # its policy silent: 30 days assumed
        ("amazon", 60, False),  # Amazon's 30 days, whatever the seller's other shops give
        ("ebay", 60, True),
        ("walmart", 90, True),
    ],
)
def test_a_changed_mind_is_returnable_within_the_channels_own_window(
    marketplace, window, returnable
):
    spring = DELIVERED.replace(month=3)  # out of Amazon's holiday season
    opened = spring + timedelta(days=40)
    case = replace(
        facts(S.CHANGED_MIND, Market.US, [SPEAKER], opened=opened),
        delivered_at=spring,
        marketplace=marketplace,
    )
    windows = {} if window is None else {marketplace: window}
    policy = SellerPolicy(return_window_days=windows) if marketplace != "amazon" else DEFAULT_POLICY
    the_plan = plan(case, policy, 0, GUIDES, opened)
    assert bool(offered(the_plan)) is returnable


# --- Repair, replacement, the right item, a discount to keep it


def months_after_delivery(scenario: Scenario, market: Market, item: CaseItem, months: int):
    return facts(scenario, market, [item], delivered_days_before=months * 30 + 5)


@pytest.mark.parametrize(
    ("market", "months", "expected"),
    [
        # US, 13 months on: no statutory choice, but the part is a quarter of the refund.
        (Market.US, 13, [R.PART_SHIPMENT, R.REFUND_WITHOUT_RETURN]),
        # EU, 13 months on: the legal guarantee runs; repair and replacement come first.
        (Market.DE, 13, [R.PART_SHIPMENT, R.EXCHANGE, R.REPAIR, R.REFUND_WITHOUT_RETURN]),
        # UK past the 30-day right to reject: repair or replacement before any refund.
        (Market.UK, 13, [R.PART_SHIPMENT, R.EXCHANGE, R.REPAIR, R.REFUND_WITHOUT_RETURN]),
        # EU past the two-year guarantee: only what is cheaper than the refund.
        (Market.DE, 25, [R.PART_SHIPMENT, R.REFUND_WITHOUT_RETURN]),
    ],
)
def test_a_quality_defect_gets_repair_or_replacement_where_the_law_or_the_price_says(
    market, months, expected
):
    case = months_after_delivery(S.QUALITY_DEFECT, market, CURTAIN, months)
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)
    assert remedies(the_plan) == expected
    part, refund = the_plan.steps[0], the_plan.steps[-1]
    assert part.cost_minor * 2 < refund.cost_minor
    if R.EXCHANGE not in expected:
        assert excluded(the_plan)[R.EXCHANGE].startswith(DEARER)


def test_a_us_quality_defect_13_months_on_is_offered_a_part_costing_a_quarter_of_the_refund():
    case = months_after_delivery(S.QUALITY_DEFECT, Market.US, SPEAKER, 13)
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)
    first = the_plan.steps[0]
    assert first.remedy is R.PART_SHIPMENT
    assert first.cost_minor <= 4999 // 4
    assert the_plan.steps[-1].remedy is R.RETURN_FULL_REFUND


def test_a_replacement_the_law_lets_the_buyer_choose_is_offered_though_dearer_than_the_refund():
    the_plan = plan(
        facts(S.QUALITY_DEFECT, Market.FR, [CURTAIN]), DEFAULT_POLICY, 0, GUIDES, OPENED
    )
    exchange = next(s for s in the_plan.steps if s.remedy is R.EXCHANGE)
    assert exchange.cost_minor > the_plan.steps[-1].cost_minor
    assert not exchange.owed


def test_the_right_item_comes_before_the_refund_even_when_dearer():
    the_plan = plan(facts(S.WRONG_ITEM, Market.CA, [CURTAIN]), DEFAULT_POLICY, 0, GUIDES, OPENED)
    assert remedies(the_plan) == [R.EXCHANGE, R.REFUND_WITHOUT_RETURN]
    assert the_plan.steps[0].cost_minor > the_plan.steps[1].cost_minor


@pytest.mark.parametrize(
    ("reason", "item", "expected"),
    [
        (Reason.STYLE, SPEAKER, [R.PARTIAL_REFUND, R.EXCHANGE, R.RETURN_FULL_REFUND]),
        (Reason.STYLE, CURTAIN, [R.PARTIAL_REFUND, R.REFUND_WITHOUT_RETURN]),
        (Reason.SIZE_TOO_SMALL, SPEAKER, [R.EXCHANGE, R.RETURN_FULL_REFUND]),
        (None, SPEAKER, [R.EXCHANGE, R.RETURN_FULL_REFUND]),
    ],
)
def test_a_colour_or_style_complaint_is_offered_a_partial_refund_to_keep_it(reason, item, expected):
    case = replace(facts(S.SIZE_STYLE_MISMATCH, Market.US, [item]), reason=reason)
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)
    assert remedies(the_plan) == expected
    if reason is Reason.STYLE:
        assert the_plan.steps[0].refund_minor == item.unit_price_minor // 10
    else:
        assert excluded(the_plan)[R.PARTIAL_REFUND].startswith(SIZE)


def test_a_keep_it_discount_in_the_eu_tells_of_the_withdrawal_right():
    case = replace(facts(S.SIZE_STYLE_MISMATCH, Market.IT, [SPEAKER]), reason=Reason.STYLE)
    first = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED).steps[0]
    assert first.remedy is R.PARTIAL_REFUND
    assert "eu.crd.withdrawal" in [d.rule_id for d in first.disclosures]


# --- Recovery by the unit's reported condition


def return_cost(case: CaseFacts, book=COST_BOOK) -> int:
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED, book=book)
    return next(a.cost_minor for a in the_plan.alternatives if a.remedy is R.RETURN_FULL_REFUND)


def test_a_faulty_unit_brings_back_less_than_a_damaged_or_an_unopened_one():
    base = facts(S.MINOR_DEFECT, Market.US, [SPEAKER])
    by_reason = {
        reason: return_cost(replace(base, reason=reason))
        for reason in (Reason.DEFECTIVE, Reason.DAMAGED, Reason.WRONG_ITEM)
    }
    assert by_reason[Reason.DEFECTIVE] > by_reason[Reason.DAMAGED] > by_reason[Reason.WRONG_ITEM]


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("item", [SPEAKER, CURTAIN])
def test_a_dead_units_return_is_never_cheaper_than_a_returnless_refund(market, item):
    the_plan = plan(facts(S.QUALITY_DEFECT, market, [item]), DEFAULT_POLICY, 0, GUIDES, OPENED)
    by_remedy = {a.remedy: a.cost_minor for a in the_plan.alternatives}
    assert by_remedy[R.RETURN_FULL_REFUND] > by_remedy[R.REFUND_WITHOUT_RETURN]


@pytest.mark.parametrize("scenario", list(Scenario))
@pytest.mark.parametrize("market", MARKETS)
def test_no_exchange_costs_less_than_nothing(scenario, market):
    for item in (SPEAKER, CURTAIN):
        the_plan = plan(facts(scenario, market, [item]), DEFAULT_POLICY, 0, GUIDES, OPENED)
        assert all(a.cost_minor > 0 for a in the_plan.alternatives if a.remedy is R.EXCHANGE)


def test_refurbishs_recoveries_move_the_price_of_a_return_once_there_are_many():
    case = facts(S.FUNCTIONAL_FAULT, Market.US, [SPEAKER])
    # Faulty units the seller's refurbish graded D and sold for parts at 2% of the price.
    few = with_learnt_recovery(COST_BOOK, {Condition.FAULTY: {Grade.D: (2, Decimal("0.04"))}})
    many = with_learnt_recovery(COST_BOOK, {Condition.FAULTY: {Grade.D: (400, Decimal("8.00"))}})
    book_only, after_few, after_many = (return_cost(case, b) for b in (COST_BOOK, few, many))
    assert book_only < after_few < after_many
    assert after_few - book_only < after_many - after_few


# Walmart (US) takes some items back never, or only unopened (`law.RETURN_EXCEPTIONS`): the
# plan offers no remedy that sends a unit back (no return label), only returnless ones, or
# nothing at all (the buyer is told why, `nothing_owed`).
GIFT_CARD = CaseItem(
    sku="GC-50", title="Walmart eGift Card $50", category=None, quantity=1, unit_price_minor=5000
)
STRIPS = CaseItem(
    sku="GLU-100",
    title="Glucose Test Strips, 100 count",
    category="beauty",
    quantity=1,
    unit_price_minor=3999,
)
WALMART_CHANNEL = "channel walmart."
WALMART_PLANS = [
    # item, scenario, reason, offered, excluded (by the start of the reason)
    (
        GIFT_CARD,
        S.CHANGED_MIND,
        None,
        [],
        {R.RETURN_FULL_REFUND: "channel walmart.cards_and_codes"},
    ),
    (
        GIFT_CARD,
        S.QUALITY_DEFECT,
        None,
        [(R.PART_SHIPMENT, 0), (R.REFUND_WITHOUT_RETURN, 5000)],
        {R.EXCHANGE: WALMART_CHANNEL, R.RETURN_FULL_REFUND: WALMART_CHANNEL},
    ),
    (
        GIFT_CARD,
        S.WRONG_ITEM,
        None,
        [(R.REFUND_WITHOUT_RETURN, 5000)],
        {R.EXCHANGE: WALMART_CHANNEL, R.RETURN_FULL_REFUND: WALMART_CHANNEL},
    ),
    # opened (faulty): not returnable; unopened (a change of mind): it goes back
    (
        STRIPS,
        S.MINOR_DEFECT,
        Reason.DAMAGED,
        [(R.PARTIAL_REFUND, 399), (R.REFUND_WITHOUT_RETURN, 3999)],
        {R.RETURN_FULL_REFUND: "channel walmart.opened_or_used"},
    ),
    (STRIPS, S.CHANGED_MIND, None, [(R.RETURN_FULL_REFUND, 3999)], {}),
    # an item no exception names: as on any channel
    (SPEAKER, S.CHANGED_MIND, None, [(R.RETURN_FULL_REFUND, 4999)], {}),
]


@pytest.mark.parametrize(("item", "scenario", "reason", "offers", "exclusions"), WALMART_PLANS)
def test_an_item_walmart_does_not_take_back_gets_no_return(
    item, scenario, reason, offers, exclusions
):
    case = replace(
        facts(scenario, Market.US, [item]), marketplace="walmart", reason=reason, language="en"
    )
    the_plan = plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)
    assert offered(the_plan) == offers
    found = excluded(the_plan)
    for remedy, why in exclusions.items():
        assert found[remedy].startswith(why), found[remedy]
    if exclusions:  # nothing that sends the unit back: no return label, no route
        assert all(step.route is None for step in the_plan.steps)
        assert not {R.RETURN_FULL_REFUND, R.EXCHANGE} & {step.remedy for step in the_plan.steps}


def test_walmart_s_exceptions_bind_on_walmart_only():
    """The same gift card bought in the seller's own shop goes back as its policy says."""
    case = replace(facts(S.CHANGED_MIND, Market.US, [GIFT_CARD]), marketplace="shopify")
    assert offered(plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)) == [(R.RETURN_FULL_REFUND, 5000)]


# A repair (the buyer's unit to the local repair shop and back), for a seller who enables
# it, where the law lets the buyer choose it: the EU legal guarantee, the UK Consumer Rights
# Act past the 30-day right to reject; never in North America, never for a unit no local
# shop mends (it would go to the factory).
REPAIRING = DEFAULT_POLICY.model_copy(update={"repair_enabled": True})
TV = CaseItem(sku="TV-55", category="electronics", quantity=1, unit_price_minor=59900)
FIXED = [(R.PART_SHIPMENT, 0), (R.REPAIR, 0), (R.EXCHANGE, 0), (R.RETURN_FULL_REFUND, 4999)]
NOT_FIXED = [(R.PART_SHIPMENT, 0), (R.EXCHANGE, 0), (R.RETURN_FULL_REFUND, 4999)]
REPAIR_PLANS = [
    # market, days since delivery, item, offered, why a repair is not
    (Market.DE, 5, SPEAKER, FIXED, None),
    (Market.FR, 400, SPEAKER, FIXED, None),  # 13 months on, the guarantee runs
    (Market.FR, 731, SPEAKER, NOT_FIXED, "law: no right to choose a repair"),  # it ran out
    (Market.UK, 5, SPEAKER, [(R.RETURN_FULL_REFUND, 4999)], REJECTED),  # money, not a repair
    (Market.UK, 45, SPEAKER, FIXED, None),
    (Market.US, 5, SPEAKER, NOT_FIXED, "law: no right to choose a repair"),
    (Market.CA, 5, SPEAKER, NOT_FIXED, "law: no right to choose a repair"),
    (
        Market.DE,
        5,
        TV,
        [(R.PART_SHIPMENT, 0), (R.EXCHANGE, 0), (R.RETURN_FULL_REFUND, 59900)],
        "cost book: no local repair shop",
    ),
]


@pytest.mark.parametrize(("market", "days", "item", "offers", "not_repaired"), REPAIR_PLANS)
def test_a_quality_defect_is_offered_a_repair_where_the_law_gives_that_choice(
    market, days, item, offers, not_repaired
):
    case = facts(S.QUALITY_DEFECT, market, [item], delivered_days_before=days)
    the_plan = plan(case, REPAIRING, 0, GUIDES, OPENED)
    assert offered(the_plan) == offers
    why = excluded(the_plan).get(R.REPAIR)
    assert (why is None) if not_repaired is None else why.startswith(not_repaired), why


@pytest.mark.parametrize("market", MARKETS)
def test_a_repair_costs_the_label_there_the_repair_and_the_parcel_back_and_refunds_nothing(
    market,
):
    case = facts(S.QUALITY_DEFECT, market, [SPEAKER], delivered_days_before=45)
    [repair] = [
        a for a in plan(case, REPAIRING, 0, GUIDES, OPENED).alternatives if a.remedy is R.REPAIR
    ]
    lines = {line.item: line.amount_minor for line in repair.lines}
    assert list(lines) == [
        "return_shipping",
        "handling",
        "repair",
        "pick_and_pack",
        "outbound_shipping",
    ]
    assert all(amount > 0 for amount in lines.values())
    assert repair.cost_minor == sum(lines.values())
    # dearer than a part (it travels twice and takes bench time), cheaper than the refund
    part = next(
        a
        for a in plan(case, REPAIRING, 0, GUIDES, OPENED).alternatives
        if a.remedy is R.PART_SHIPMENT
    )
    assert part.cost_minor < repair.cost_minor < SPEAKER.unit_price_minor


def test_a_repaired_unit_goes_to_the_local_repair_shop():
    case = facts(S.QUALITY_DEFECT, Market.DE, [SPEAKER])
    [step] = [s for s in plan(case, REPAIRING, 0, GUIDES, OPENED).steps if s.remedy is R.REPAIR]
    assert step.route is ReturnRoute.LOCAL and step.refund_minor == 0 and step.seller_pays_return


def test_a_repair_is_offered_by_default_and_never_once_the_seller_turns_it_off():
    case = facts(S.QUALITY_DEFECT, Market.DE, [SPEAKER])
    assert R.REPAIR in remedies(plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED))
    turned_off = DEFAULT_POLICY.model_copy(update={"repair_enabled": False})
    the_plan = plan(case, turned_off, 0, GUIDES, OPENED)
    assert R.REPAIR not in {a.remedy for a in the_plan.alternatives}


def test_walmart_s_excepted_items_are_not_sent_for_repair_either():
    card = CaseItem(sku="GC-50", title="Gift card", quantity=1, unit_price_minor=5000)
    case = replace(facts(S.QUALITY_DEFECT, Market.US, [card]), marketplace="walmart")
    assert excluded(plan(case, REPAIRING, 0, GUIDES, OPENED))[R.REPAIR].startswith(
        "channel walmart."
    )
