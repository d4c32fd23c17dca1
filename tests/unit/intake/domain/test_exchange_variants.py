"""The variants a buyer may take in exchange (`domain/exchange_variants.py`)."""

from services.intake.domain.exchange_variants import Variant, chosen, exchange_options

BOUGHT = Variant("TEE-M", "M", 2500)
SMALLER = Variant("TEE-S", "S", 2300)
LARGER = Variant("TEE-L", "L", 2800)
XXL = Variant("TEE-XXL", "XXL", 6000)
GONE = Variant("TEE-XS", "XS", 2500, available=False)


def test_only_variants_in_stock_are_offered_each_once_in_the_shop_s_order():
    options = exchange_options([BOUGHT, SMALLER, GONE, LARGER, LARGER], "TEE-M", 2500, 1, 2000)
    assert [o.choice.sku for o in options] == ["TEE-M", "TEE-S", "TEE-L"]


def test_the_difference_is_the_catalog_s_added_to_what_the_buyer_paid():
    # Bought at 20.00 after a discount: the larger size costs 3.00 more than theirs, not 8.00.
    options = exchange_options([BOUGHT, SMALLER, LARGER], "TEE-M", 2000, 1, None)
    priced = {o.choice.sku: (o.choice.unit_price_minor, o.difference_minor) for o in options}
    assert priced == {"TEE-M": (2000, 0), "TEE-S": (1800, -200), "TEE-L": (2300, 300)}


def test_the_difference_counts_every_unit_and_the_cap_bounds_it():
    options = exchange_options([BOUGHT, LARGER, XXL], "TEE-M", 2500, 2, 2000)
    assert [(o.difference_minor, o.within_cap) for o in options] == [
        (0, True),
        (600, True),
        (7000, False),
    ]


def test_without_the_bought_variant_listed_a_variant_costs_its_own_price():
    [larger] = exchange_options([LARGER], "TEE-M", 2500, 1, 2000)
    assert (larger.choice.unit_price_minor, larger.difference_minor) == (2800, 300)


def test_a_price_never_falls_below_zero():
    [free] = exchange_options([BOUGHT, Variant("TEE-SAMPLE", "Sample", 0)], "TEE-M", 1000, 1, None)[
        1:
    ]
    assert (free.choice.unit_price_minor, free.difference_minor) == (0, -1000)


def test_the_choice_is_one_of_the_options_or_none():
    options = exchange_options([BOUGHT, LARGER, GONE], "TEE-M", 2500, 1, 2000)
    assert chosen(options, "TEE-L").choice.title == "L"
    assert chosen(options, "TEE-XS") is None and chosen(options, None) is None
