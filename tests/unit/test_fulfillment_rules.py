from services.fulfillment.domain.shipments import SHIPPED_REMEDIES, units_to_reserve
from services.fulfillment.domain.warehouses import warehouses_for
from shared.events import CaseItem, Remedy
from shared.markets import Market


def codes(market: Market) -> list[str]:
    return [w.code for w in warehouses_for(market)]


def test_the_buyers_country_comes_first_then_the_region():
    assert codes(Market.US) == ["BOS1", "YYZ1"]
    assert codes(Market.CA) == ["YYZ1", "BOS1"]


def test_eu_markets_are_served_from_nuremberg_and_uk_from_coventry():
    assert codes(Market.FR) == ["NUE1"]
    assert codes(Market.DE) == ["NUE1"]
    assert codes(Market.UK) == ["CVT1"]


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
