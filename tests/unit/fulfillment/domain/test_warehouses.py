"""The local warehouses, as data, and which of them may serve a buyer's market."""

import pytest

from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, WAREHOUSES, warehouses_for
from shared.markets import Market


def served(market: Market) -> list[str]:
    return [w.code for w in warehouses_for(market)]


def test_the_buyers_country_comes_first_then_the_region():
    assert served(Market.US) == ["BOS1", "RNO1", "YYZ1"]
    assert served(Market.CA) == ["YYZ1", "BOS1", "RNO1"]


def test_eu_markets_are_served_from_nuremberg_and_uk_from_coventry():
    assert served(Market.FR) == ["NUE1"]
    assert served(Market.DE) == ["NUE1"]
    assert served(Market.UK) == ["CVT1"]


@pytest.mark.parametrize(
    ("market", "codes"),
    [
        (Market.US, ["BOS1", "RNO1", "YYZ1"]),
        (Market.CA, ["YYZ1", "BOS1", "RNO1"]),
        (Market.UK, ["CVT1"]),
        (Market.IE, ["NUE1"]),
    ],
)
def test_the_region_serves_its_buyers_own_country_first(market, codes):
    assert [w.code for w in warehouses_for(market)] == codes


def test_each_warehouse_ships_with_its_own_carriers_and_returns_by_one_of_them():
    for warehouse in WAREHOUSES:
        assert warehouse.return_carrier in warehouse.carriers
        assert len(warehouse.address.country_code) == 2
    assert WAREHOUSE_BY_CODE["CVT1"].address.country_code == "GB"
