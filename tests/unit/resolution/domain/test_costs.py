from dataclasses import replace
from decimal import Decimal

import pytest

from services.resolution.domain.costs import (
    COST_BOOK,
    DEFAULT,
    LINE_STORE_CREDIT,
    Condition,
    Costing,
    SizeClass,
    condition_of,
    estimate,
    recovery_share,
    recovery_value,
    return_route,
    size_class_of,
    with_learnt_recovery,
)
from shared.events import CaseItem, Grade, ProductFacts, Reason, Remedy, ReturnRoute, Scenario
from shared.markets import Currency, Market

R = Remedy


def item(category: str | None, price: int, quantity: int = 1, sku: str = "SKU-1") -> CaseItem:
    return CaseItem(sku=sku, category=category, quantity=quantity, unit_price_minor=price)


def lines_of(remedy: Remedy, costing: Costing) -> dict[str, int]:
    return {line.item: line.amount_minor for line in estimate(remedy, costing).lines}


# A US electronics item at $40 on Amazon. Hand-computed figures:
#   Amazon fee on 4000: 4000 x 15% x 20% = 120 (under the 500 cap)
#   recovery, local: 4000 x (.45x.85 + .30x.65 + .15x.40 + .10x.10) = 4000 x .6475 = 2590,
#   minus electronics refurb 600 = 1990
US_ELECTRONICS = item("electronics", 4000)
# An EU (DE) home item at EUR 50, two units, on Shopify:
#   Shopify fee: 2.9% of the refund; 1500 -> 43.5 -> 44 (half-up); 10000 -> 290
#   recovery, local, per unit: 5000 x (.50x.85 + .30x.65 + .12x.40 + .08x.10) = 5000 x .676
#   = 3380, minus home refurb 300 = 3080; x 2 units = 6160
EU_HOME = item("home", 5000, quantity=2)

CASES = [
    # (remedy, costing, expected lines in order, total)
    (
        R.PARTIAL_REFUND,
        Costing(Market.US, "amazon", [US_ELECTRONICS], refund_minor=600),
        {"refund": 600, "marketplace_fee": 18},
        618,
    ),
    (
        R.REFUND_WITHOUT_RETURN,
        Costing(Market.US, "amazon", [US_ELECTRONICS], refund_minor=4000),
        {"refund": 4000, "marketplace_fee": 120},
        4120,
    ),
    (
        R.TROUBLESHOOTING,
        Costing(Market.US, "amazon", [US_ELECTRONICS]),
        {"agent_time": 300},
        300,
    ),
    (
        R.PART_SHIPMENT,
        Costing(Market.US, "amazon", [US_ELECTRONICS]),
        # part: 8% of 4000 = 320 (above the 300 floor); small parcel 450; pick and pack 150
        {"part_cost": 320, "local_shipping": 450, "pick_and_pack": 150},
        920,
    ),
    (
        R.EXCHANGE,
        Costing(Market.US, "amazon", [US_ELECTRONICS], price_difference_minor=500),
        # replacement 45% x 4000; outbound small 70% x 900; the buyer pays 500 more; the
        # returning unit valued like the new one, at landed cost: what it nets as a share of
        # its price (.6475 - 600/4000 = .4975) x 1800 = 895.5 -> 896 (half-up)
        {
            "replacement_unit": 1800,
            "outbound_shipping": 630,
            "return_shipping": 900,
            "handling": 250,
            "recovery_value": -896,
            "price_difference": -500,
        },
        2184,
    ),
    (
        R.RETURN_FULL_REFUND,
        Costing(Market.US, "amazon", [US_ELECTRONICS], refund_minor=4000),
        {
            "refund": 4000,
            "marketplace_fee": 120,
            "return_shipping": 900,
            "handling": 250,
            "recovery_value": -1990,
        },
        3280,
    ),
    (
        R.RESHIP,
        Costing(Market.US, "amazon", [US_ELECTRONICS]),
        # replacement 45% x 4000; outbound small 70% x 900; pick and pack 150; nothing back
        {"replacement_unit": 1800, "outbound_shipping": 630, "pick_and_pack": 150},
        2580,
    ),
    (
        R.PARTIAL_REFUND,
        Costing(Market.DE, "shopify", [EU_HOME], refund_minor=1500),
        {"refund": 1500, "marketplace_fee": 44},
        1544,
    ),
    (
        R.REFUND_WITHOUT_RETURN,
        Costing(Market.DE, "shopify", [EU_HOME], refund_minor=10000),
        {"refund": 10000, "marketplace_fee": 290},
        10290,
    ),
    (
        R.TROUBLESHOOTING,
        Costing(Market.DE, "shopify", [EU_HOME]),
        {"agent_time": 280},  # one session per case, not per unit
        280,
    ),
    (
        R.PART_SHIPMENT,
        Costing(Market.DE, "shopify", [EU_HOME]),
        # per unit: part 8% x 5000 = 400, parcel 350, pick and pack 130; x 2
        {"part_cost": 800, "local_shipping": 700, "pick_and_pack": 260},
        1760,
    ),
    (
        R.EXCHANGE,
        Costing(Market.DE, "shopify", [EU_HOME], price_difference_minor=-400),
        # per unit: replacement 35% x 5000 = 1750, outbound medium 630, return medium 900,
        # handling 220, recovery at landed cost (.676 - 300/5000 = .616) x 1750 = 1078;
        # x 2. We pay 400 back.
        {
            "replacement_unit": 3500,
            "outbound_shipping": 1260,
            "return_shipping": 1800,
            "handling": 440,
            "recovery_value": -2156,
            "price_difference": 400,
        },
        5244,
    ),
    (
        R.RETURN_FULL_REFUND,
        Costing(Market.DE, "shopify", [EU_HOME], refund_minor=10000),
        {
            "refund": 10000,
            "marketplace_fee": 290,
            "return_shipping": 1800,
            "handling": 440,
            "recovery_value": -6160,
        },
        6370,
    ),
    (
        R.RESHIP,
        Costing(Market.DE, "shopify", [EU_HOME]),
        # per unit: replacement 35% x 5000 = 1750, outbound medium 630, pick and pack 130; x 2
        {"replacement_unit": 3500, "outbound_shipping": 1260, "pick_and_pack": 260},
        5020,
    ),
]


@pytest.mark.parametrize(("remedy", "costing", "expected", "total"), CASES)
def test_each_remedy_has_its_lines_and_total(remedy, costing, expected, total):
    priced = estimate(remedy, costing)
    assert [(line.item, line.amount_minor) for line in priced.lines] == list(expected.items())
    assert priced.total_minor == total
    assert priced.remedy is remedy


@pytest.mark.parametrize(("remedy", "costing", "expected", "total"), CASES)
def test_the_currency_is_the_markets(remedy, costing, expected, total):
    want = Currency.USD if costing.market is Market.US else Currency.EUR
    assert estimate(remedy, costing).currency is want


@pytest.mark.parametrize(
    ("remedy", "route"),
    [
        (R.PARTIAL_REFUND, None),
        (R.REFUND_WITHOUT_RETURN, None),
        (R.TROUBLESHOOTING, None),
        (R.PART_SHIPMENT, None),
        (R.EXCHANGE, ReturnRoute.LOCAL),
        (R.RETURN_FULL_REFUND, ReturnRoute.LOCAL),
        (R.RESHIP, None),
    ],
)
def test_a_route_only_when_a_unit_comes_back(remedy, route):
    assert estimate(remedy, Costing(Market.US, "amazon", [US_ELECTRONICS], 4000)).route == route


# --- who pays the return


def test_a_buyer_paid_return_has_no_return_shipping_line():
    costing = Costing(Market.US, "amazon", [US_ELECTRONICS], 4000, seller_pays_return=False)
    assert lines_of(R.RETURN_FULL_REFUND, costing) == {
        "refund": 4000,
        "marketplace_fee": 120,
        "handling": 250,
        "recovery_value": -1990,
    }


def test_the_seller_pays_the_return_of_an_exchange_whoever_pays_other_returns():
    costing = Costing(Market.US, "amazon", [US_ELECTRONICS], seller_pays_return=False)
    assert lines_of(R.EXCHANGE, costing)["return_shipping"] == 900


# --- return route


@pytest.mark.parametrize(
    ("market", "category", "price", "route"),
    [
        (Market.US, "electronics", 30000, ReturnRoute.ORIGIN),  # just at the threshold
        (Market.US, "electronics", 29999, ReturnRoute.LOCAL),  # just below
        (Market.CA, "electronics", 40000, ReturnRoute.ORIGIN),
        (Market.CA, "electronics", 39999, ReturnRoute.LOCAL),
        (Market.UK, "electronics", 25000, ReturnRoute.ORIGIN),
        (Market.UK, "electronics", 24999, ReturnRoute.LOCAL),
        (Market.FR, "electronics", 28000, ReturnRoute.ORIGIN),
        (Market.FR, "electronics", 27999, ReturnRoute.LOCAL),
        (Market.US, "Electronics ", 30000, ReturnRoute.ORIGIN),  # case and spaces ignored
        (Market.US, "appliances", 50000, ReturnRoute.ORIGIN),
        (Market.US, "furniture", 29999, ReturnRoute.LOCAL),  # not worth the freight home
        (Market.US, "home", 90000, ReturnRoute.LOCAL),  # repairable locally
        (Market.US, None, 90000, ReturnRoute.LOCAL),
    ],
)
def test_return_route(market, category, price, route):
    assert return_route(item(category, price), market) is route


def test_a_high_value_electronics_return_at_the_threshold_goes_to_origin():
    # origin recovery: 30000 x (.45x.95 + .30x.80 + .15x.60 + .10x.20) = 30000 x .7775
    # = 23325, no local refurb cost; freight home for a small unit: 3500
    costing = Costing(Market.US, "amazon", [item("electronics", 30000)], refund_minor=30000)
    priced = estimate(R.RETURN_FULL_REFUND, costing)
    assert priced.route is ReturnRoute.ORIGIN
    assert {line.item: line.amount_minor for line in priced.lines} == {
        "refund": 30000,
        "marketplace_fee": 500,  # 3% = 900, capped at 500
        "return_shipping": 3500,
        "handling": 250,
        "recovery_value": -23325,
    }


def test_just_below_the_threshold_electronics_return_locally():
    # local recovery: 29999 x .6475 = 19424.35 -> 19424, minus refurb 600 = 18824
    costing = Costing(Market.US, "amazon", [item("electronics", 29999)], refund_minor=29999)
    priced = estimate(R.RETURN_FULL_REFUND, costing)
    assert priced.route is ReturnRoute.LOCAL
    lines = {line.item: line.amount_minor for line in priced.lines}
    assert lines["return_shipping"] == 900
    assert lines["recovery_value"] == -18824


def test_a_case_goes_to_origin_when_any_of_its_units_does():
    items = [item("electronics", 30000, sku="A"), item("apparel", 2000, sku="B")]
    priced = estimate(R.RETURN_FULL_REFUND, Costing(Market.US, "other", items, 32000))
    assert priced.route is ReturnRoute.ORIGIN
    # the apparel unit still travels locally: origin small 3500 + local small 900
    assert {line.item: line.amount_minor for line in priced.lines}["return_shipping"] == 4400


# --- recovery


@pytest.mark.parametrize("route", list(ReturnRoute))
@pytest.mark.parametrize(
    "category", [None, "electronics", "apparel", "home", "furniture", "appliances", "unknown"]
)
@pytest.mark.parametrize("price", [0, 1, 99, 500, 999, 1500, 2500, 10000, 1_000_000])
def test_recovery_is_never_negative(route, category, price):
    value = recovery_value(item(category, price), route, COST_BOOK)
    assert type(value) is int
    assert value >= 0


def test_a_cheap_unit_is_worth_nothing_after_local_refurbishing():
    assert recovery_value(item("furniture", 1000), ReturnRoute.LOCAL) == 0
    costing = Costing(Market.US, "other", [item("furniture", 1000)], refund_minor=1000)
    assert "recovery_value" not in lines_of(R.RETURN_FULL_REFUND, costing)


def test_recovery_scales_with_quantity():
    one = lines_of(R.RETURN_FULL_REFUND, Costing(Market.US, "other", [US_ELECTRONICS], 4000))
    three = lines_of(
        R.RETURN_FULL_REFUND,
        Costing(Market.US, "other", [item("electronics", 4000, quantity=3)], 12000),
    )
    for name in ("return_shipping", "handling", "recovery_value"):
        assert three[name] == 3 * one[name]


def test_an_item_without_category_uses_the_defaults():
    unknown = item(None, 10000)
    assert size_class_of(unknown) is SizeClass.MEDIUM
    # 10000 x .676 = 6760, minus default refurb 400
    assert recovery_value(unknown, ReturnRoute.LOCAL) == 6360


@pytest.mark.parametrize("category", sorted(COST_BOOK.grade_mix))
def test_each_grade_mix_sums_to_one(category):
    mix = COST_BOOK.grade_mix[category]
    assert set(mix) == set(Grade)
    assert sum(mix.values()) == 1


# --- marketplace fees


@pytest.mark.parametrize(
    ("marketplace", "refund", "fee"),
    [
        ("amazon", 4000, 120),  # 3% of the refund
        ("Amazon", 4000, 120),  # names are matched case-insensitively
        ("amazon", 50000, 500),  # capped
        ("walmart", 50000, 1500),  # no cap
        ("ebay", 4000, 30),  # full refund: the per-order fee is kept
        ("ebay", 600, 0),  # partial refund: nothing kept
        ("shopify", 4000, 116),  # 2.9%
        ("etsy", 4000, 0),  # unknown marketplaces keep nothing
    ],
)
def test_marketplace_fee_on_a_refund(marketplace, refund, fee):
    costing = Costing(Market.US, marketplace, [US_ELECTRONICS], refund_minor=refund)
    assert lines_of(R.REFUND_WITHOUT_RETURN, costing).get("marketplace_fee", 0) == fee


def test_lines_that_come_to_zero_are_left_out():
    costing = Costing(Market.US, "etsy", [US_ELECTRONICS], refund_minor=600)
    assert lines_of(R.PARTIAL_REFUND, costing) == {"refund": 600}
    assert "price_difference" not in lines_of(R.EXCHANGE, costing)


# --- several items


def test_lines_are_summed_across_items_of_different_categories():
    items = [item("electronics", 4000, sku="A"), item("home", 5000, quantity=2, sku="B")]
    lines = lines_of(R.PART_SHIPMENT, Costing(Market.US, "amazon", items))
    # parts: 320 + 2 x 400; parcels 3 x 450; pick and pack 3 x 150
    assert lines == {"part_cost": 1120, "local_shipping": 1350, "pick_and_pack": 450}


def test_a_part_never_costs_less_than_the_floor():
    lines = lines_of(R.PART_SHIPMENT, Costing(Market.UK, "amazon", [item("toys", 1000, 2)]))
    assert lines["part_cost"] == 600  # 8% of 1000 = 80, floored at 300, x 2


# --- the book


def test_outbound_shipping_is_about_seventy_percent_of_a_return():
    assert COST_BOOK.outbound_shipping[Currency.USD] == {
        SizeClass.SMALL: 630,
        SizeClass.MEDIUM: 1050,
        SizeClass.LARGE: 3150,
    }
    assert COST_BOOK.outbound_shipping[Currency.GBP][SizeClass.SMALL] == 315


@pytest.mark.parametrize(
    ("currency", "small", "medium", "large"),
    [
        (Currency.USD, 3500, 6000, 15000),
        (Currency.CAD, 4700, 8100, 20300),  # 4725 -> 4700, 20250 -> 20300 (half-up)
        (Currency.GBP, 2800, 4700, 11900),
        (Currency.EUR, 3200, 5500, 13800),
    ],
)
def test_origin_freight_is_converted_and_rounded_to_whole_units(currency, small, medium, large):
    assert COST_BOOK.origin_return_shipping[currency] == {
        SizeClass.SMALL: small,
        SizeClass.MEDIUM: medium,
        SizeClass.LARGE: large,
    }


def test_us_medium_return_shipping_is_the_domain_figure():
    assert COST_BOOK.return_shipping[Currency.USD][SizeClass.MEDIUM] == 1500  # about $15


def test_a_seller_can_bring_their_own_rates():
    book = replace(COST_BOOK, handling={**COST_BOOK.handling, Currency.USD: 400})
    costing = Costing(Market.US, "amazon", [US_ELECTRONICS], refund_minor=4000)
    lines = {
        line.item: line.amount_minor for line in estimate(R.RETURN_FULL_REFUND, costing, book).lines
    }
    assert lines["handling"] == 400


def test_every_market_and_currency_has_rates():
    for market in Market:
        priced = [estimate(remedy, Costing(market, "amazon", [EU_HOME], 10000)) for remedy in R]
        assert all(p.lines for p in priced)
    assert DEFAULT in COST_BOOK.replacement_cost_ratio
    assert DEFAULT in COST_BOOK.local_refurb_cost


# --- money is int


@pytest.mark.parametrize("remedy", list(R))
@pytest.mark.parametrize("market", list(Market))
@pytest.mark.parametrize("marketplace", ["amazon", "shopify", "ebay", "walmart", "other"])
def test_money_is_always_int(remedy, market, marketplace):
    items = [item("electronics", 33333, sku="A"), item("apparel", 1999, quantity=3, sku="B")]
    costing = Costing(market, marketplace, items, refund_minor=1234, price_difference_minor=-77)
    priced = estimate(remedy, costing)
    assert all(type(line.amount_minor) is int for line in priced.lines)
    assert type(priced.total_minor) is int


# --- the source's target


def test_the_functional_fault_path_costs_at_least_60_percent_less_than_a_return():
    """DOMAIN.md: troubleshooting plus a part from a local warehouse costs about 60% less
    than a return. Checked on a $40 electronics item in the US, seller-paid return."""
    costing = Costing(Market.US, "amazon", [US_ELECTRONICS], refund_minor=4000)
    fault_path = (
        estimate(R.TROUBLESHOOTING, costing).total_minor
        + estimate(R.PART_SHIPMENT, costing).total_minor
    )
    a_return = estimate(R.RETURN_FULL_REFUND, costing).total_minor
    assert (fault_path, a_return) == (1220, 3280)
    assert fault_path <= a_return * 40 // 100


def test_a_reship_costs_less_than_a_full_refund_without_return():
    """A $49.99 speaker that never arrived: sending it again from the local warehouse
    (2250 + 630 + 150) is cheaper than refunding it (4999 + Amazon's fee 150)."""
    speaker = item("electronics", 4999, sku="BT-SPK-200-BLK")
    costing = Costing(Market.US, "amazon", [speaker], refund_minor=4999)
    reship = estimate(R.RESHIP, costing).total_minor
    refund = estimate(R.REFUND_WITHOUT_RETURN, costing).total_minor
    assert (reship, refund) == (3030, 5149)
    assert reship < refund


SHIRTS = CaseItem(sku="SH-1", category="apparel", quantity=2, unit_price_minor=2500)
SPEAKER_UNIT = CaseItem(sku="SPK-1", category="electronics", quantity=1, unit_price_minor=4999)


def test_store_credit_costs_the_goods_it_buys_not_its_face_value():
    priced = estimate(R.STORE_CREDIT, Costing(Market.US, "shopify", [SHIRTS], 5500))
    apparel = COST_BOOK.replacement_cost_ratio["apparel"]
    assert {line.item: line.amount_minor for line in priced.lines} == {
        LINE_STORE_CREDIT: int(5500 * apparel)
    }
    refund = estimate(R.REFUND_WITHOUT_RETURN, Costing(Market.US, "shopify", [SHIRTS], 5000))
    assert priced.total_minor < refund.total_minor


def test_store_credit_cost_is_spread_over_items_at_each_category_share():
    both = [SHIRTS, SPEAKER_UNIT]  # 5000 apparel at 0.30, 4999 electronics at 0.45
    priced = estimate(R.STORE_CREDIT, Costing(Market.US, "shopify", both, 9999))
    assert priced.total_minor == 3750  # 1500 + 2249.55, rounded half-up once
    assert estimate(R.STORE_CREDIT, Costing(Market.US, "shopify", both, 0)).lines == ()


# --- condition, learnt recovery, the catalog's facts


@pytest.mark.parametrize(
    ("scenario", "reason", "condition"),
    [
        (Scenario.FUNCTIONAL_FAULT, None, Condition.FAULTY),
        (Scenario.QUALITY_DEFECT, Reason.QUALITY, Condition.FAULTY),
        (Scenario.MINOR_DEFECT, None, Condition.DAMAGED),
        (Scenario.MINOR_DEFECT, Reason.DEFECTIVE, Condition.FAULTY),
        (Scenario.QUALITY_DEFECT, Reason.DAMAGED, Condition.DAMAGED),
        (Scenario.SIZE_STYLE_MISMATCH, Reason.STYLE, Condition.OPENED),
        (Scenario.CHANGED_MIND, Reason.CHANGED_MIND, Condition.UNOPENED),
        (Scenario.WRONG_ITEM, None, Condition.UNOPENED),
    ],
)
def test_the_condition_follows_the_reason_then_the_scenario(scenario, reason, condition):
    assert condition_of(scenario, reason) is condition


@pytest.mark.parametrize("condition", list(Condition))
def test_each_condition_grade_mix_sums_to_one(condition):
    mix = COST_BOOK.condition_grade_mix[condition]
    assert set(mix) == set(Grade)
    assert sum(mix.values()) == 1


def test_recovery_falls_from_unopened_to_faulty():
    unit = item("electronics", 10000)
    # local shares .85/.65/.40/.10, electronics refurb 600: unopened 10000 x .8045 - 600 =
    # 7445; opened .7075 -> 6475; damaged .45 -> 3900; faulty .1725 -> 1125
    values = [recovery_value(unit, ReturnRoute.LOCAL, COST_BOOK, c) for c in Condition]
    assert values == [7445, 6475, 3900, 1125]


def test_a_dead_unit_no_longer_recovers_most_of_its_price():
    unit = item("electronics", 4999)
    faulty = recovery_value(unit, ReturnRoute.LOCAL, COST_BOOK, Condition.FAULTY)
    assert faulty < 4999 * 0.1
    assert recovery_value(unit, ReturnRoute.LOCAL) > 4999 * 0.5  # condition unknown: category


def test_refurbishs_grades_and_recoveries_are_learnt_weighing_the_book_as_20_units():
    unit = item("home", 10000)
    # 20 faulty units seen: all grade D, each netting 5% of its price
    seen = {Condition.FAULTY: {Grade.D: (20, Decimal("1.00"))}}
    book = with_learnt_recovery(COST_BOOK, seen)
    # mix: A 0, B .05/2, C .15/2, D (.8x20+20)/40 = .9; shares (book less refurb 300 of 10000):
    # B .65-.03 = .62, C .40-.03 = .37, D (.07x20 + 1)/40 = .06
    expected = Decimal("0.025") * Decimal("0.62") + Decimal("0.075") * Decimal("0.37")
    expected += Decimal("0.9") * Decimal("0.06")
    assert recovery_share(unit, ReturnRoute.LOCAL, Condition.FAULTY, book) == expected
    learnt = recovery_value(unit, ReturnRoute.LOCAL, book, Condition.FAULTY)
    assert learnt == 973  # 10000 x .09725, half-up
    assert learnt < recovery_value(unit, ReturnRoute.LOCAL, COST_BOOK, Condition.FAULTY)
    # other conditions keep the book's figures
    assert recovery_value(unit, ReturnRoute.LOCAL, book, Condition.UNOPENED) == (
        recovery_value(unit, ReturnRoute.LOCAL, COST_BOOK, Condition.UNOPENED)
    )


def test_without_recoveries_the_book_is_unchanged():
    assert with_learnt_recovery(COST_BOOK, {}) is COST_BOOK


@pytest.mark.parametrize("condition", [None, *Condition])
@pytest.mark.parametrize("category", ["electronics", "apparel", "home", "furniture", None])
@pytest.mark.parametrize("price", [999, 4999, 19999, 99999])
def test_an_exchange_never_costs_less_than_nothing(condition, category, price):
    for market in (Market.US, Market.UK, Market.DE):
        costing = Costing(Market.US, "amazon", [item(category, price)], condition=condition)
        assert estimate(R.EXCHANGE, replace(costing, market=market)).total_minor > 0


def facts_of_catalog(landed: int | None = None, weight: int | None = None) -> ProductFacts:
    return ProductFacts(product_id="p-1", landed_cost_minor=landed, weight_g=weight)


def test_the_catalogs_landed_cost_replaces_the_category_share():
    known = item("electronics", 4000).model_copy(update={"product": facts_of_catalog(900)})
    lines = lines_of(R.RESHIP, Costing(Market.US, "amazon", [known]))
    assert lines["replacement_unit"] == 900  # not 45% x 4000
    credit = lines_of(R.STORE_CREDIT, Costing(Market.US, "amazon", [known], refund_minor=2000))
    assert credit == {LINE_STORE_CREDIT: 450}  # half the price buys half a unit: 900 / 2


@pytest.mark.parametrize(
    ("weight", "size"),
    [
        (300, SizeClass.SMALL),
        (1000, SizeClass.SMALL),
        (1001, SizeClass.MEDIUM),
        (10000, SizeClass.MEDIUM),
        (12000, SizeClass.LARGE),
        (None, SizeClass.SMALL),
    ],
)
def test_the_catalogs_weight_decides_the_parcel_size(weight, size):
    # electronics is SMALL by category; the weight, when known, decides
    known = item("electronics", 4000).model_copy(
        update={"product": facts_of_catalog(weight=weight)}
    )
    assert size_class_of(known) is size


def test_a_heavy_unit_costs_a_large_parcel_to_send():
    heavy = item("electronics", 4000).model_copy(update={"product": facts_of_catalog(weight=15000)})
    lines = lines_of(R.RESHIP, Costing(Market.US, "amazon", [heavy]))
    assert lines["outbound_shipping"] == COST_BOOK.outbound_shipping[Currency.USD][SizeClass.LARGE]
