"""The project taxonomy each marketplace's words map onto, units, and an item's facts."""

import pytest

from services.intake.domain.catalog import (
    Money,
    category_of,
    grams,
    hs_code_of,
    millimetres,
    priced_in_markets,
    product_facts,
)
from shared.markets import Currency, Market


@pytest.mark.parametrize(
    ("words", "category"),
    [
        (("Home & Garden > Kitchen & Dining > Cookware",), "kitchen"),
        (("Home & Garden > Decor > Window Treatments",), "home"),
        (("Apparel & Accessories > Clothing",), "apparel"),
        (("Electronics > Audio",), "electronics"),
        (("CONSUMER_ELECTRONICS",), "electronics"),
        (("HEADPHONES",), "electronics"),
        (("SHIRT",), "apparel"),
        (("Home Appliances",), "appliances"),
        (("Toys & Games",), "toys"),
        (("", "Curtains"), "home"),
        (("electronics",), "electronics"),
        (("Gift cards",), None),
        ((None,), None),
    ],
)
def test_a_marketplace_s_category_maps_onto_the_project_s_taxonomy(words, category):
    assert category_of(*words) == category


def test_weights_and_sizes_in_any_unit_become_grams_and_millimetres():
    assert grams(1.2, "kilograms") == 1200
    assert grams(2, "POUND") == 907
    assert grams("350", "GRAM") == 350
    assert grams(0, "g") is None and grams(3, "stones") is None
    assert millimetres(22.5, "CENTIMETER") == 225
    assert millimetres(10, "inches") == 254


def test_hs_codes_and_prices():
    assert hs_code_of("8518.22.00") == "85182200"
    assert hs_code_of("85") is None
    assert priced_in_markets("12.50", "EUR")["DE"] == Money(1250, "EUR")
    assert set(priced_in_markets("12.50", "EUR")) == {"DE", "FR", "IT", "ES", "NL", "IE"}
    assert priced_in_markets("x", "USD") == {}


def test_an_item_s_landed_cost_is_its_market_s_in_the_case_s_currency():
    row = {
        "product_id": "P-1",
        "attributes": {"size": "L"},
        "fnsku": "X00ABC1234",
        "weight_g": 400,
        "dimensions_mm": [10, 20, 30],
        "landed_costs": {"US": {"amount_minor": 700, "currency": "USD"}},
        "hs_code": "620443",
        "origin_country": "CN",
    }
    us = product_facts(row, Market.US, Currency.USD)
    assert us.landed_cost_minor == 700 and us.dimensions_mm == (10, 20, 30)
    assert product_facts(row, Market.UK, Currency.GBP).landed_cost_minor is None
    assert product_facts({**row, "fnsku": "X" * 30}, Market.US, Currency.USD).fnsku is None
