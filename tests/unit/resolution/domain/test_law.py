from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.resolution.domain import law
from services.resolution.domain.law import (
    AMAZON,
    BREACHES,
    DISCLOSURES,
    EBAY,
    EU,
    OWN_SHOPS,
    RULES,
    RULES_BY_ID,
    WALMART,
    Payer,
    Rule,
    Window,
    buyers_choice,
    check_offer,
    required_disclosures,
    rights_of,
    rules_for,
    seller_window_refused,
)
from shared.events import Remedy, Scenario
from shared.markets import Market

DELIVERED = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
EU_MARKETS = sorted(EU)
WITHDRAWAL_MARKETS = [*EU_MARKETS, Market.UK]


def on_day(day: int) -> datetime:
    """The same time of day, `day` days after delivery."""
    return DELIVERED + timedelta(days=day)


def rights(market: Market, day: int):
    return rights_of(market, DELIVERED, on_day(day))


def rule_ids(found) -> set[str]:
    return {item.rule_id for item in found}


# --- the rules as data


def test_every_market_has_rules():
    assert {m for m in Market if not rules_for(m)} == set()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_cites_its_source(rule: Rule):
    assert rule.source.citation.strip()
    assert rule.source.url.startswith("https://")
    assert rule.says.strip()
    assert rule.markets
    if not rule.source.verified:
        assert rule.source.note.strip(), "an unverified rule says what was not checked"


def test_rule_ids_are_unique_and_offer_rules_point_at_real_rules():
    assert len(RULES_BY_ID) == len(RULES)
    assert {r.rule_id for r in (*BREACHES, *DISCLOSURES)} <= set(RULES_BY_ID)


@pytest.mark.parametrize("market", list(Market))
def test_no_market_gets_the_same_term_from_two_rules(market):
    terms = (
        "withdrawal_days",
        "right_to_reject_days",
        "legal_guarantee_years",
        "marketplace_return_days",
        "refund_deadline_days",
        "return_cost_payer",
    )
    for channel in (None, *AMAZON, *EBAY, *WALMART, *OWN_SHOPS):
        for term in terms:
            rules = rules_for(market, channel)
            setters = [r.id for r in rules if getattr(r, term) is not None]
            assert len(setters) <= 1, f"{market} {channel}: {term} set by {setters}"


def test_eu_covers_exactly_the_eu_members():
    assert frozenset(EU) == {Market.DE, Market.FR, Market.IT, Market.ES, Market.NL, Market.IE}


# --- windows


@pytest.mark.parametrize("market", WITHDRAWAL_MARKETS)
def test_withdrawal_window_is_open_on_day_14_and_closed_on_day_15(market):
    assert rights(market, 14).withdrawal_open
    assert not rights(market, 15).withdrawal_open
    assert rights(market, 14).withdrawal_until == datetime(2024, 3, 15, 23, 59, 59, 999999, UTC)


@pytest.mark.parametrize("market", WITHDRAWAL_MARKETS)
def test_withdrawal_window_does_not_count_the_day_of_delivery(market):
    late_evening = DELIVERED.replace(hour=23, minute=59)
    assert rights_of(market, late_evening, datetime(2024, 3, 15, 23, 0, tzinfo=UTC)).withdrawal_open


@pytest.mark.parametrize("market", [Market.US, Market.CA])
def test_north_america_has_no_statutory_withdrawal_window(market):
    r = rights(market, 1)
    assert r.withdrawal_until is None
    assert not r.withdrawal_open
    assert r.withdrawal_return_paid_by is None


def test_uk_short_term_right_to_reject_lasts_30_days():
    assert rights(Market.UK, 30).right_to_reject_open
    assert not rights(Market.UK, 31).right_to_reject_open


@pytest.mark.parametrize("market", [*EU_MARKETS, Market.US, Market.CA])
def test_only_the_uk_has_a_short_term_right_to_reject(market):
    assert rights(market, 1).right_to_reject_until is None


@pytest.mark.parametrize("market", EU_MARKETS)
def test_eu_legal_guarantee_runs_two_years(market):
    last_evening = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    next_morning = datetime(2026, 3, 2, 0, 0, 1, tzinfo=UTC)
    assert rights_of(market, DELIVERED, last_evening).legal_guarantee_running
    assert not rights_of(market, DELIVERED, next_morning).legal_guarantee_running


@pytest.mark.parametrize(
    ("market", "last_day"), [(Market.UK, "2030-03-01"), (Market.DE, "2026-03-01")]
)
def test_legal_guarantee_term_per_market(market, last_day):
    assert rights(market, 1).legal_guarantee_until.date().isoformat() == last_day


def test_guarantee_of_goods_delivered_on_29_february_ends_on_28_february():
    leap = datetime(2024, 2, 29, 12, tzinfo=UTC)
    r = rights_of(Market.DE, leap, leap)
    assert r.legal_guarantee_until.date().isoformat() == "2026-02-28"


@pytest.mark.parametrize("market", [Market.US, Market.CA])
def test_no_fixed_guarantee_term_is_encoded_for_north_america(market):
    assert rights(market, 1).legal_guarantee_until is None


SPRING = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
AUTUMN = datetime(2024, 9, 30, 10, 0, tzinfo=UTC)  # the day before Amazon's holiday season
HOLIDAY = datetime(2024, 11, 15, 10, 0, tzinfo=UTC)
END_OF_JANUARY = (datetime(2025, 1, 31, 12, tzinfo=UTC) - HOLIDAY).days  # 77 days on

# channel, market, delivered, the seller's window there, last day open, the rule applied
CHANNEL_WINDOWS = [
    ("amazon", Market.US, SPRING, None, 30, "us.amazon.returns"),
    ("amazon", Market.CA, SPRING, None, 30, "ca.amazon.returns"),
    ("amazon", Market.UK, SPRING, None, 30, "uk.amazon.returns"),
    ("amazon", Market.DE, SPRING, None, 30, "eu.amazon.returns"),
    ("amazon", Market.US, SPRING, 90, 30, "us.amazon.returns"),  # Amazon's, not the seller's
    ("amazon", Market.US, AUTUMN, None, 30, "us.amazon.returns"),
    ("amazon", Market.US, HOLIDAY, None, END_OF_JANUARY, "us.amazon.returns"),
    ("amazon", Market.FR, HOLIDAY, None, END_OF_JANUARY, "eu.amazon.returns"),
    ("amazon_fba", Market.UK, SPRING, None, 30, "uk.amazon.returns"),
    ("ebay", Market.US, SPRING, None, 30, "ebay.returns"),
    ("ebay", Market.UK, SPRING, 60, 60, "ebay.returns"),
    ("ebay", Market.DE, SPRING, 14, 14, "ebay.returns"),
    ("ebay", Market.US, HOLIDAY, None, 30, "ebay.returns"),  # eBay has no holiday returns
    ("walmart", Market.US, SPRING, None, 30, "walmart.marketplace_returns"),
    ("walmart", Market.US, SPRING, 90, 90, "walmart.marketplace_returns"),
    ("shopify", Market.US, SPRING, None, 30, "seller.own_shop_returns"),
    ("shopify", Market.DE, SPRING, 60, 60, "seller.own_shop_returns"),
    ("shopify", Market.UK, HOLIDAY, 14, 14, "seller.own_shop_returns"),
    ("generic", Market.FR, SPRING, 45, 45, "seller.own_shop_returns"),
    ("agent", Market.CA, SPRING, None, 30, "seller.own_shop_returns"),
]


@pytest.mark.parametrize(
    ("channel", "market", "delivered", "seller_days", "last_day", "rule"),
    CHANNEL_WINDOWS,
    ids=[f"{c}-{m.value}-{d.month}-{s}" for c, m, d, s, _, _ in CHANNEL_WINDOWS],
)
def test_each_channel_has_its_own_return_window(
    channel, market, delivered, seller_days, last_day, rule
):
    def on(day: int):
        return rights_of(market, delivered, delivered + timedelta(days=day), channel, seller_days)

    assert on(last_day).is_open(Window.MARKETPLACE_RETURN)
    assert not on(last_day + 1).is_open(Window.MARKETPLACE_RETURN)
    assert on(0).return_window_rule == rule


@pytest.mark.parametrize(
    ("channel", "market"), [(None, Market.US), ("walmart", Market.UK), ("walmart", Market.DE)]
)
def test_no_channel_or_no_rule_there_gives_no_return_window(channel, market):
    r = rights_of(market, SPRING, SPRING, channel, 30)
    assert r.marketplace_return_until is None
    assert r.return_window_rule is None


def test_a_closed_return_right_ends_with_the_later_window():
    r = rights_of(Market.DE, SPRING, SPRING + timedelta(days=50), "shopify", 30)
    assert r.return_closed_on == r.marketplace_return_until  # 30 days after 14
    assert rights_of(Market.DE, SPRING, SPRING, "shopify", 7).return_closed_on == (
        r.withdrawal_until
    )


@pytest.mark.parametrize(
    ("channel", "days", "allowed"),
    [
        ("ebay", 30, True),
        ("ebay", 60, True),
        ("ebay", 0, True),
        ("ebay", 45, False),
        ("walmart", 90, True),
        ("walmart", 20, False),
        ("shopify", 0, True),
        ("generic", 365, True),
        ("generic", 400, False),
        ("amazon", 30, False),
        ("unknown", 30, False),
    ],
)
def test_the_seller_sets_a_window_only_where_the_channel_lets_it(channel, days, allowed):
    assert (seller_window_refused(channel, days) is None) is allowed


@pytest.mark.parametrize("rule", [r for r in RULES if r.channels], ids=lambda r: r.id)
def test_every_channel_rule_names_its_channels_and_a_source(rule: Rule):
    assert rule.channels <= AMAZON | EBAY | WALMART | OWN_SHOPS
    assert rule.source.url.startswith("https://")


@pytest.mark.parametrize(
    ("market", "days", "payer"),
    [
        *[(m, 14, Payer.BUYER) for m in EU_MARKETS],
        (Market.UK, 14, Payer.BUYER),
        (Market.CA, 15, None),
        (Market.US, None, None),
    ],
)
def test_refund_deadline_and_who_pays_a_withdrawal_return(market, days, payer):
    r = rights(market, 1)
    assert r.refund_deadline_days == days
    assert r.withdrawal_return_paid_by == payer


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        rights_of(Market.DE, datetime(2024, 3, 1), on_day(1))
    with pytest.raises(ValueError, match="time zone"):
        rights_of(Market.DE, DELIVERED, datetime(2024, 3, 2))


def test_other_time_zones_are_converted_to_utc():
    tokyo = timezone(timedelta(hours=9))
    delivered_in_tokyo = datetime(2024, 3, 2, 1, 0, tzinfo=tokyo)  # 1 March 16:00 UTC
    r = rights_of(Market.FR, delivered_in_tokyo, on_day(14))
    assert r.delivered_at.tzinfo is UTC
    assert r.withdrawal_until.date().isoformat() == "2024-03-15"


# --- disclosures


@pytest.mark.parametrize("market", WITHDRAWAL_MARKETS)
def test_partial_refund_inside_the_withdrawal_window_must_say_the_buyer_may_still_return(market):
    found = required_disclosures(
        market, Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND, rights(market, 3), True
    )
    expected = "uk.ccr.cancellation" if market is Market.UK else "eu.crd.withdrawal"
    assert expected in rule_ids(found)
    sentence = next(d.sentence for d in found if d.rule_id == expected)
    assert "full refund until 2024-03-15" in sentence


@pytest.mark.parametrize("market", WITHDRAWAL_MARKETS)
def test_partial_refund_after_the_withdrawal_window_needs_no_withdrawal_disclosure(market):
    found = required_disclosures(
        market, Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND, rights(market, 15), True
    )
    assert rule_ids(found).isdisjoint({"eu.crd.withdrawal", "uk.ccr.cancellation"})


@pytest.mark.parametrize("market", WITHDRAWAL_MARKETS)
def test_a_full_refund_return_needs_no_withdrawal_disclosure(market):
    found = required_disclosures(
        market, Scenario.CHANGED_MIND, Remedy.RETURN_FULL_REFUND, rights(market, 3), True
    )
    assert found == []


def test_us_partial_refund_needs_no_statutory_disclosure():
    assert (
        required_disclosures(
            Market.US, Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND, rights(Market.US, 3), True
        )
        == []
    )


def test_uk_exchange_for_a_faulty_item_within_30_days_must_mention_the_right_to_reject():
    found = required_disclosures(
        Market.UK, Scenario.QUALITY_DEFECT, Remedy.EXCHANGE, rights(Market.UK, 20), True
    )
    assert "uk.cra.short_term_right_to_reject" in rule_ids(found)
    assert "uk.ccr.cancellation" not in rule_ids(found)  # day 20: cancellation is over


@pytest.mark.parametrize("market", EU_MARKETS)
def test_eu_partial_refund_for_a_defect_must_say_the_legal_guarantee_remains(market):
    found = required_disclosures(
        market, Scenario.QUALITY_DEFECT, Remedy.PARTIAL_REFUND, rights(market, 100), True
    )
    assert rule_ids(found) == {"eu.sgd.remedies"}


@pytest.mark.parametrize("market", WITHDRAWAL_MARKETS)
def test_buyer_paid_withdrawal_return_must_have_been_announced(market):
    found = required_disclosures(
        market, Scenario.CHANGED_MIND, Remedy.RETURN_FULL_REFUND, rights(market, 3), False
    )
    expected = "uk.ccr.return_cost" if market is Market.UK else "eu.crd.return_cost"
    assert rule_ids(found) == {expected}


# --- breaches


@pytest.mark.parametrize("market", EU_MARKETS)
@pytest.mark.parametrize("remedy", [Remedy.RETURN_FULL_REFUND, Remedy.EXCHANGE])
def test_eu_buyer_never_pays_to_send_back_a_defective_item(market, remedy):
    breaches = check_offer(market, Scenario.QUALITY_DEFECT, remedy, rights(market, 100), False)
    assert rule_ids(breaches) == {"eu.sgd.free_of_charge"}
    assert breaches[0].source.startswith("Directive (EU) 2019/771")


@pytest.mark.parametrize("market", EU_MARKETS)
def test_eu_seller_paid_defect_return_is_lawful(market):
    r = rights(market, 100)
    assert check_offer(market, Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND, r, True) == []


def test_eu_defect_return_after_the_guarantee_is_not_a_breach_here():
    r = rights(Market.DE, 800)
    assert (
        check_offer(Market.DE, Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND, r, False) == []
    )


@pytest.mark.parametrize("market", EU_MARKETS)
def test_eu_buyer_may_pay_a_change_of_mind_return(market):
    r = rights(market, 3)
    assert check_offer(market, Scenario.CHANGED_MIND, Remedy.RETURN_FULL_REFUND, r, False) == []


def test_uk_buyer_never_pays_to_send_back_a_faulty_item():
    breaches = check_offer(
        Market.UK, Scenario.WRONG_ITEM, Remedy.EXCHANGE, rights(Market.UK, 5), False
    )
    assert rule_ids(breaches) == {"uk.cra.trader_bears_return_cost"}


@pytest.mark.parametrize("remedy", [Remedy.PART_SHIPMENT, Remedy.EXCHANGE, Remedy.PARTIAL_REFUND])
def test_uk_rejection_within_30_days_cannot_be_answered_without_a_full_refund(remedy):
    r = rights(Market.UK, 25)
    breaches = check_offer(Market.UK, Scenario.QUALITY_DEFECT, remedy, r, True, buyer_rejected=True)
    assert rule_ids(breaches) == {"uk.cra.short_term_right_to_reject"}


def test_uk_rejection_within_30_days_answered_with_a_full_refund_is_lawful():
    r = rights(Market.UK, 25)
    remedy = Remedy.RETURN_FULL_REFUND
    assert (
        check_offer(Market.UK, Scenario.QUALITY_DEFECT, remedy, r, True, buyer_rejected=True) == []
    )


def test_uk_repair_after_30_days_is_lawful_even_if_the_buyer_asks_to_reject():
    r = rights(Market.UK, 31)
    remedy = Remedy.PART_SHIPMENT
    assert (
        check_offer(Market.UK, Scenario.QUALITY_DEFECT, remedy, r, True, buyer_rejected=True) == []
    )


def test_uk_part_offer_before_any_rejection_is_a_disclosure_not_a_breach():
    r = rights(Market.UK, 25)
    remedy = Remedy.PART_SHIPMENT
    assert check_offer(Market.UK, Scenario.QUALITY_DEFECT, remedy, r, True) == []
    found = required_disclosures(Market.UK, Scenario.QUALITY_DEFECT, remedy, r, True)
    assert "uk.cra.short_term_right_to_reject" in rule_ids(found)


@pytest.mark.parametrize("market", [Market.US, Market.CA])
def test_north_america_has_no_encoded_breach_for_a_buyer_paid_defect_return(market):
    r = rights(market, 5)
    assert check_offer(market, Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND, r, False) == []


def test_rights_for_another_market_are_refused():
    with pytest.raises(ValueError, match="computed for DE"):
        check_offer(
            Market.FR, Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND, rights(Market.DE, 1), True
        )


FAULTS = [
    Scenario.MINOR_DEFECT,
    Scenario.FUNCTIONAL_FAULT,
    Scenario.QUALITY_DEFECT,
    Scenario.WRONG_ITEM,
]
LESS_THAN_A_FULL_REFUND = [
    Remedy.PARTIAL_REFUND,
    Remedy.TROUBLESHOOTING,
    Remedy.PART_SHIPMENT,
    Remedy.EXCHANGE,
    Remedy.STORE_CREDIT,
]


@pytest.mark.parametrize("scenario", FAULTS)
@pytest.mark.parametrize("remedy", LESS_THAN_A_FULL_REFUND)
@pytest.mark.parametrize(
    ("market", "notice"),
    [
        (Market.DE, "eu.sgd.remedies"),
        (Market.IE, "eu.sgd.remedies"),
        (Market.UK, "uk.cra.repair_or_replacement"),
    ],
)
def test_every_eu_and_uk_remedy_for_a_fault_keeps_the_guarantee_in_view(
    scenario, remedy, market, notice
):
    found = required_disclosures(market, scenario, remedy, rights(market, 100), True)
    assert notice in rule_ids(found)


@pytest.mark.parametrize("market", [Market.DE, Market.UK])
@pytest.mark.parametrize("remedy", [Remedy.RETURN_FULL_REFUND, Remedy.REFUND_WITHOUT_RETURN])
def test_a_full_refund_for_a_fault_needs_no_guarantee_notice(market, remedy):
    found = required_disclosures(market, Scenario.QUALITY_DEFECT, remedy, rights(market, 100), True)
    assert rule_ids(found).isdisjoint({"eu.sgd.remedies", "uk.cra.repair_or_replacement"})


@pytest.mark.parametrize("market", [Market.US, Market.CA])
def test_no_guarantee_notice_where_no_guarantee_is_encoded(market):
    found = required_disclosures(
        market, Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND, rights(market, 3), True
    )
    assert found == []


def test_the_uk_notices_speak_of_cancellation_and_the_consumer_rights_act():
    found = required_disclosures(
        Market.UK, Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND, rights(Market.UK, 3), True
    )
    sentences = " ".join(d.sentence for d in found)
    assert "cancel the purchase" in sentences
    assert "Consumer Rights Act 2015" in sentences
    assert "withdraw" not in sentences


# --- What the buyer may choose first

REPAIR_OR_REPLACE = {Remedy.REPAIR, Remedy.PART_SHIPMENT, Remedy.EXCHANGE}


@pytest.mark.parametrize(
    ("market", "scenario", "day", "expected"),
    [
        (Market.DE, Scenario.QUALITY_DEFECT, 5, REPAIR_OR_REPLACE),
        (Market.FR, Scenario.QUALITY_DEFECT, 400, REPAIR_OR_REPLACE),  # 13 months on
        (Market.FR, Scenario.QUALITY_DEFECT, 730, REPAIR_OR_REPLACE),  # the guarantee's last day
        (Market.FR, Scenario.QUALITY_DEFECT, 731, set()),  # two years and a day
        (Market.IT, Scenario.WRONG_ITEM, 5, REPAIR_OR_REPLACE),
        (Market.UK, Scenario.QUALITY_DEFECT, 400, REPAIR_OR_REPLACE),
        (Market.US, Scenario.QUALITY_DEFECT, 5, set()),
        (Market.CA, Scenario.QUALITY_DEFECT, 400, set()),
        (Market.DE, Scenario.FUNCTIONAL_FAULT, 5, set()),  # works with a guide: no defect rule
        (Market.DE, Scenario.CHANGED_MIND, 5, set()),
    ],
)
def test_repair_or_replacement_is_the_buyers_first_choice_while_a_legal_guarantee_runs(
    market, scenario, day, expected
):
    assert buyers_choice(market, scenario, rights(market, day)) == expected


@pytest.mark.parametrize(
    ("channel", "market", "words", "opened", "exception"),
    [
        ("walmart", Market.US, "Walmart eGift Card $50", False, "walmart.cards_and_codes"),
        ("walmart", Market.US, "Prepaid SIM Card, 5G", False, "walmart.cards_and_codes"),
        ("walmart", Market.US, "Red wine gift box", False, "walmart.final_sale"),
        ("walmart", Market.US, "Glucose Test Strips 100ct", True, "walmart.opened_or_used"),
        ("walmart", Market.US, "Glucose Test Strips 100ct", False, None),  # unopened: back
        ("walmart", Market.US, "All-season tires 205/55R16", True, "walmart.opened_or_used"),
        ("walmart", Market.US, "Tired-looking lamp shade", True, None),  # words, not letters
        ("walmart", Market.US, "Laptop 15 inch", True, None),  # only the window is unbound
        ("walmart", Market.CA, "Walmart eGift Card $50", False, None),  # Walmart.ca: unchecked
        ("shopify", Market.US, "Walmart eGift Card $50", False, None),  # not Walmart's sale
        ("amazon", Market.US, "Gift card", False, None),
    ],
)
def test_items_a_channel_does_not_take_back(channel, market, words, opened, exception):
    found = law.return_exception(channel, market, words, opened)
    assert (found.id if found else None) == exception


def test_every_return_exception_names_its_products_and_its_source():
    for exception in law.RETURN_EXCEPTIONS:
        assert exception.products and exception.words
        assert exception.source.citation and exception.source.url.startswith("https://")
        assert exception.channels and exception.markets
