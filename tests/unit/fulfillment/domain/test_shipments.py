"""What a remedy needs from a warehouse, and the numbers its parcels carry."""

from services.fulfillment.domain.shipments import (
    BUYERS_OWN_UNIT,
    SHIPPED_REMEDIES,
    new_tracking_number,
    shipped_items,
    units_to_reserve,
)
from shared.events import CaseItem, Remedy


def test_part_shipment_reserves_one_spare_part_per_line():
    items = [CaseItem(sku="CAM-1", quantity=2, unit_price_minor=100)]
    assert units_to_reserve(Remedy.PART_SHIPMENT, items) == {"CAM-1-PART": 1}


def test_exchange_reserves_a_replacement_per_unit_bought():
    items = [
        CaseItem(sku="TEE-M", quantity=2, unit_price_minor=100),
        CaseItem(sku="TEE-M", quantity=1, unit_price_minor=100),
    ]
    assert units_to_reserve(Remedy.EXCHANGE, items) == {"TEE-M": 3}


def test_a_reship_is_shipped_and_reserves_each_items_own_sku_per_unit_bought():
    items = [
        CaseItem(sku="SPK-1", quantity=2, unit_price_minor=4999),
        CaseItem(sku="CBL-1", quantity=1, unit_price_minor=999),
        CaseItem(sku="SPK-1", quantity=1, unit_price_minor=4999),
    ]
    assert Remedy.RESHIP in SHIPPED_REMEDIES
    assert units_to_reserve(Remedy.RESHIP, items) == {"SPK-1": 3, "CBL-1": 1}


def test_a_part_shipment_ships_the_part_and_a_tracking_number_has_the_carriers_format():
    items = [CaseItem(sku="CAM-1", category="electronics", quantity=2, unit_price_minor=100)]
    (part,) = shipped_items(Remedy.PART_SHIPMENT, items)
    assert (part.sku, part.quantity, part.category) == ("CAM-1-PART", 1, "electronics")
    assert new_tracking_number("UPS").startswith("1Z") and len(new_tracking_number("UPS")) == 18
    assert len(new_tracking_number("USPS")) == 22
    royal_mail = new_tracking_number("Royal Mail")
    assert royal_mail[:2] == "TT" and royal_mail.endswith("GB") and len(royal_mail) == 13
    digits, check = royal_mail[2:10], int(royal_mail[10])
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    assert check == {10: 0, 11: 5}.get(11 - total % 11, 11 - total % 11)


SPEAKER = CaseItem(sku="BT-SPK-200-BLK", quantity=2, unit_price_minor=12000)


def test_a_repaired_unit_reserves_no_stock_unlike_a_reship_of_the_same_item():
    assert units_to_reserve(Remedy.REPAIR, [SPEAKER]) == {}
    assert units_to_reserve(Remedy.RESHIP, [SPEAKER]) == {"BT-SPK-200-BLK": 2}
    assert Remedy.REPAIR in BUYERS_OWN_UNIT
