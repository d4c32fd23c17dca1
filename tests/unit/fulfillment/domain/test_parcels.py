"""The parcel before it is weighed: each unit by its catalog weight and size when the case
item carries them, else by its category's estimate (and no size)."""

import pytest

from services.fulfillment.domain.parcels import (
    PACKAGING_G,
    PACKAGING_MM,
    parcel_dimensions_mm,
    parcel_weight_g,
)
from shared.events import CaseItem, ProductFacts


def item(
    sku: str,
    category: str | None,
    quantity: int = 1,
    weight_g: int | None = None,
    dimensions_mm: tuple[int, int, int] | None = None,
) -> CaseItem:
    product = None
    if weight_g is not None or dimensions_mm is not None:
        product = ProductFacts(
            product_id=f"prod-{sku}", weight_g=weight_g, dimensions_mm=dimensions_mm
        )
    return CaseItem(
        sku=sku, category=category, quantity=quantity, unit_price_minor=1999, product=product
    )


@pytest.mark.parametrize(
    ("items", "weight_g"),
    [
        ([item("SPK-1", "electronics")], PACKAGING_G + 600),
        ([item("SPK-1", "electronics", 2)], PACKAGING_G + 1200),
        ([item("LMP-1", "home")], PACKAGING_G + 1500),
        ([item("TEE-M", "Apparel", 3)], PACKAGING_G + 1200),
        ([item("TOY-1", None)], PACKAGING_G + 800),
        ([item("TOY-1", "toys")], PACKAGING_G + 800),
        ([item("CAM-1-PART", "electronics")], PACKAGING_G + 150),
        ([item("CAM-1-PART", "home"), item("TEE-S", "apparel")], PACKAGING_G + 150 + 400),
    ],
)
def test_without_the_catalog_a_parcel_is_estimated_from_categories_parts_and_packaging(
    items, weight_g
):
    assert parcel_weight_g(items) == weight_g


@pytest.mark.parametrize(
    ("items", "weight_g"),
    [
        ([item("SPK-1", "electronics", weight_g=1234)], PACKAGING_G + 1234),
        ([item("SPK-1", "electronics", 3, weight_g=1234)], PACKAGING_G + 3 * 1234),
        ([item("LMP-1", None, weight_g=2750), item("TEE-S", "apparel")], PACKAGING_G + 2750 + 400),
        ([item("SPK-1", "electronics", dimensions_mm=(100, 80, 60))], PACKAGING_G + 600),
    ],
)
def test_a_unit_the_catalog_weighs_counts_its_real_weight_times_its_quantity(items, weight_g):
    assert parcel_weight_g(items) == weight_g


def test_an_estimate_for_many_heavy_units_stays_within_what_carriers_take():
    curtains = CaseItem(sku="CRT-1", category="home", quantity=40, unit_price_minor=2799)
    assert parcel_weight_g([curtains]) == 30_000
    assert parcel_weight_g([item("ANV-1", "home", 5, weight_g=9000)]) == 30_000


def test_units_the_catalog_measures_are_laid_flat_and_stacked_in_the_box():
    speaker = item("SPK-1", "electronics", 2, dimensions_mm=(60, 200, 90))
    stacked = 2 * 60 + PACKAGING_MM  # two units on their smallest side
    assert parcel_dimensions_mm([speaker]) == (200 + PACKAGING_MM, stacked, 90 + PACKAGING_MM)
    cable = item("USB-1", "electronics", dimensions_mm=(150, 100, 20))
    box = parcel_dimensions_mm([speaker, cable])
    assert box == (200 + PACKAGING_MM, 140 + PACKAGING_MM, 100 + PACKAGING_MM)


@pytest.mark.parametrize(
    "items",
    [
        [item("SPK-1", "electronics")],
        [item("SPK-1", "electronics", weight_g=900)],
        [item("SPK-1", "electronics", dimensions_mm=(10, 10, 10)), item("TEE-S", "apparel")],
        [item("CAM-1-PART", "electronics", dimensions_mm=(100, 80, 60))],
        [item("SPK-1", "electronics", dimensions_mm=(100, 0, 60))],
        [],
    ],
)
def test_a_parcel_has_no_size_unless_the_catalog_measures_every_unit(items):
    assert parcel_dimensions_mm(items) is None
