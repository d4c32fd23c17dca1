"""Local warehouses, as data, and which of them may serve a case."""

from dataclasses import dataclass
from datetime import time
from typing import Annotated

from pydantic import WithJsonSchema

from shared.markets import REGION_OF, Currency, Market, Region

# A wall-clock time in the warehouse's own time zone: no offset, so not JSON Schema's "time".
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "description": "local time"}
    ),
]


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    postal_code: str
    country_code: str  # ISO 3166 alpha-2: "GB" for the UK


@dataclass(frozen=True)
class Warehouse:
    code: str
    name: str
    city: str
    country: Market
    region: Region
    time_zone: str
    address: Address
    carriers: tuple[str, ...]
    return_carrier: str
    cutoff: LocalTime  # a parcel reserved later ships the next business day
    currency: Currency  # of its rate cards


WAREHOUSES: tuple[Warehouse, ...] = (
    Warehouse(
        code="BOS1",
        name="Boston Fulfillment Center",
        city="Boston",
        country=Market.US,
        region=Region.NA,
        time_zone="America/New_York",
        address=Address("88 Black Falcon Ave, Suite 210", "Boston, MA", "02210", "US"),
        carriers=("USPS", "UPS", "FedEx"),
        return_carrier="USPS",
        cutoff=time(15),
        currency=Currency.USD,
    ),
    Warehouse(
        code="RNO1",
        name="Reno Fulfillment Center",
        city="Reno",
        country=Market.US,
        region=Region.NA,
        time_zone="America/Los_Angeles",
        address=Address("4855 Joule St, Building B", "Reno, NV", "89502", "US"),
        carriers=("USPS", "UPS", "FedEx"),
        return_carrier="USPS",
        cutoff=time(14),
        currency=Currency.USD,
    ),
    Warehouse(
        code="YYZ1",
        name="Mississauga Fulfilment Centre",
        city="Mississauga",
        country=Market.CA,
        region=Region.NA,
        time_zone="America/Toronto",
        address=Address("6350 Tomken Rd, Unit 3", "Mississauga, ON", "L5T 1Y3", "CA"),
        carriers=("Canada Post", "UPS", "FedEx"),
        return_carrier="Canada Post",
        cutoff=time(14),
        currency=Currency.CAD,
    ),
    Warehouse(
        code="CVT1",
        name="Coventry Fulfilment Centre",
        city="Coventry",
        country=Market.UK,
        region=Region.UK,
        time_zone="Europe/London",
        address=Address("Unit 4, Prologis Park, Wheler Road", "Coventry", "CV3 4LA", "GB"),
        carriers=("Royal Mail", "DPD", "DHL"),
        return_carrier="Royal Mail",
        cutoff=time(16),
        currency=Currency.GBP,
    ),
    Warehouse(
        code="NUE1",
        name="Logistikzentrum Nürnberg",
        city="Nuremberg",
        country=Market.DE,
        region=Region.EU,
        time_zone="Europe/Berlin",
        address=Address("Hafenstraße 22", "Nürnberg", "90451", "DE"),
        carriers=("DHL", "DPD", "UPS"),
        return_carrier="DHL",
        cutoff=time(15),
        currency=Currency.EUR,
    ),
)

WAREHOUSE_BY_CODE = {w.code: w for w in WAREHOUSES}


def warehouses_for(market: Market) -> list[Warehouse]:
    """Warehouses of the buyer's region, the buyer's own country first."""
    region = REGION_OF[market]
    local = [w for w in WAREHOUSES if w.region is region]
    return sorted(local, key=lambda w: w.country is not market)
