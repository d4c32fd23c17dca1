"""A catalog CSV: read whole, or refused whole with every bad row's line and reason."""

import pytest

from services.intake.domain.catalog_csv import CsvRefused, read_catalog

HEADER = "sku,product_id,category,price_UK,attr_size,weight_g,length_mm,width_mm,height_mm"


def test_a_good_file_is_read_with_its_prices_by_market():
    [variant] = read_catalog(f"{HEADER}\nTEE-M,TEE,Clothing,19.99,M,300,1,2,3\n")
    assert variant.category == "apparel"
    assert variant.prices["UK"].amount_minor == 1999 and variant.prices["UK"].currency == "GBP"
    assert variant.attributes == {"size": "M"} and variant.dimensions_mm == (1, 2, 3)


def test_every_bad_row_is_named_by_its_line():
    text = (
        f"{HEADER}\n"
        "TEE-M,TEE,apparel,19.99,M,300,,,\n"
        "TEE-L,TEE,apparel,abc,L,300,,,\n"
        "TEE-S,TEE,apparel,19.99,S,300,1,,\n"
        ",TEE,apparel,19.99,S,300,,,\n"
    )
    with pytest.raises(CsvRefused) as refused:
        read_catalog(text)
    assert [(bad.line, bad.reason.split(":")[0]) for bad in refused.value.bad] == [
        (3, "price_UK"),
        (4, "length_mm, width_mm and height_mm are given together"),
        (5, "sku is empty"),
    ]


def test_a_file_without_the_required_columns_is_refused_on_its_header():
    with pytest.raises(CsvRefused) as refused:
        read_catalog("sku,title\nA,B\n")
    assert refused.value.bad[0].line == 1 and "product_id" in refused.value.bad[0].reason
