"""How the marketplace warehouse knows a unit: its FNSKU from the seller's catalog, else
the ASIN, else the SKU; and its weight, when the catalog has it."""

from decimal import Decimal

import pytest

from services.refurbish.domain.units import fnsku_of, unit_weight_kg
from shared.events import CaseItem, ProductFacts

SPEAKER = CaseItem(sku="BT-SPK-200-BLK", asin="B0C7K2M4QX", quantity=1, unit_price_minor=12000)


def with_facts(item: CaseItem, **facts) -> CaseItem:
    return item.model_copy(update={"product": ProductFacts(product_id="prod-spk-200", **facts)})


@pytest.mark.parametrize(
    ("item", "fnsku"),
    [
        (with_facts(SPEAKER, fnsku="X00ABCDEF1"), "X00ABCDEF1"),
        (with_facts(SPEAKER.model_copy(update={"asin": None}), fnsku="X00ABCDEF1"), "X00ABCDEF1"),
        (SPEAKER, "B0C7K2M4QX"),
        (with_facts(SPEAKER, weight_g=900), "B0C7K2M4QX"),
        (SPEAKER.model_copy(update={"asin": None}), "BT-SPK-200-BLK"),
    ],
)
def test_a_unit_is_relabelled_with_the_catalogs_fnsku_else_its_asin_else_its_sku(item, fnsku):
    assert fnsku_of(item) == fnsku


def test_a_units_weight_is_the_catalogs_or_unknown():
    assert unit_weight_kg(with_facts(SPEAKER, weight_g=1150)) == Decimal("1.15")
    assert unit_weight_kg(with_facts(SPEAKER)) is None
    assert unit_weight_kg(SPEAKER) is None
