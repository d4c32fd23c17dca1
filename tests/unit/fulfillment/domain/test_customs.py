"""A customs line declares the product's HS code, origin and weight from the seller's
catalog when the case item carries them, else its category's defaults."""

import pytest

from services.fulfillment.domain.customs import (
    DEFAULT_HS_CODE,
    DEFAULT_UNIT_WEIGHT_G,
    ORIGIN_COUNTRY,
    customs_line,
)
from shared.events import CaseItem, ProductFacts
from shared.labels import InvoiceLine

SPEAKER = CaseItem(
    sku="BT-SPK-200-BLK",
    title="Portable Bluetooth Speaker 20W",
    category="electronics",
    quantity=2,
    unit_price_minor=12000,
)


def with_facts(item: CaseItem, **facts) -> CaseItem:
    return item.model_copy(update={"product": ProductFacts(product_id="prod-spk-200", **facts)})


def test_a_line_declares_the_catalogs_hs_code_origin_and_weight():
    item = with_facts(SPEAKER, hs_code="8518220090", origin_country="VN", weight_g=1150)
    assert customs_line(item) == InvoiceLine(
        description="Portable Bluetooth Speaker 20W",
        hs_code="8518220090",
        origin_country="VN",
        quantity=2,
        unit_value_minor=12000,
        weight_g=2 * 1150,
    )


@pytest.mark.parametrize(
    "item", [SPEAKER, with_facts(SPEAKER), with_facts(SPEAKER, fnsku="X00ABCDEF1")]
)
def test_without_the_catalogs_facts_a_line_declares_the_categorys(item):
    line = customs_line(item)
    assert (line.hs_code, line.origin_country, line.weight_g) == ("8518.22", ORIGIN_COUNTRY, 1800)


def test_each_fact_the_catalog_lacks_falls_back_on_its_own():
    item = with_facts(SPEAKER.model_copy(update={"category": "toys"}), origin_country="MY")
    line = customs_line(item)
    assert (line.hs_code, line.origin_country) == (DEFAULT_HS_CODE, "MY")
    assert line.weight_g == 2 * DEFAULT_UNIT_WEIGHT_G
