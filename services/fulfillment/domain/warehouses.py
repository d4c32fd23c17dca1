"""Local warehouses, as data, and which of them may serve a case."""

from dataclasses import dataclass

from shared.markets import REGION_OF, Market, Region


@dataclass(frozen=True)
class Warehouse:
    code: str
    city: str
    country: Market
    region: Region
    time_zone: str
    return_carrier: str


WAREHOUSES: tuple[Warehouse, ...] = (
    Warehouse("BOS1", "Boston", Market.US, Region.NA, "America/New_York", "USPS"),
    Warehouse("YYZ1", "Mississauga", Market.CA, Region.NA, "America/Toronto", "Canada Post"),
    Warehouse("CVT1", "Coventry", Market.UK, Region.UK, "Europe/London", "Royal Mail"),
    Warehouse("NUE1", "Nuremberg", Market.DE, Region.EU, "Europe/Berlin", "DHL"),
)

WAREHOUSE_BY_CODE = {w.code: w for w in WAREHOUSES}


def warehouses_for(market: Market) -> list[Warehouse]:
    """Warehouses of the buyer's region, the buyer's own country first."""
    region = REGION_OF[market]
    local = [w for w in WAREHOUSES if w.region is region]
    return sorted(local, key=lambda w: w.country is not market)
