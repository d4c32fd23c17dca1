"""The seller's discounted carrier rate cards: which services take a parcel from a
warehouse to a buyer, when it arrives and what it costs.

The cards are data (`rate_cards.json`, or a seller's own file of the same shape):
- `zones`: warehouse code → destination country → postal-code prefix → zone. The longest
  matching prefix wins, "" matches any known code, and "*" answers for an unknown code
  with the farthest zone, so a quote made without the postcode never undersells.
- `carriers`: carrier → services, each with its origins, destinations, transit business
  days and prices per zone, weight brackets (grams, up to) and whether the carrier collects.
  Prices are minor units of the origin warehouse's currency.
- `reference_fx`: units of each currency per USD, to compare quotes across currencies.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from services.fulfillment.domain.warehouses import Warehouse
from shared.business_time import is_business_day, next_business_day, utc
from shared.markets import Currency, Market

DEFAULT_RATE_CARDS = Path(__file__).with_name("rate_cards.json")

# Heavier than any parcel carrier takes: a typo in grams, not a parcel.
MAX_PARCEL_G = 70_000

UNKNOWN_POSTCODE = "*"


class ShippingRefused(ValueError):
    """No carrier service can take this parcel; the message says why."""


@dataclass(frozen=True)
class Service:
    carrier: str
    code: str
    name: str
    origins: frozenset[Market]
    destinations: frozenset[Market]
    collects: bool
    max_weight_g: int
    transit_days: Mapping[str, int]
    brackets_g: tuple[int, ...]
    prices_minor: Mapping[str, tuple[int, ...]]

    def serves(self, origin: Market, destination: Market, zone: str) -> bool:
        return (
            origin in self.origins
            and destination in self.destinations
            and zone in self.prices_minor
        )

    def price_minor(self, zone: str, weight_g: int) -> int:
        """The price of the first bracket that takes the weight."""
        bracket = next(i for i, up_to in enumerate(self.brackets_g) if weight_g <= up_to)
        return self.prices_minor[zone][bracket]


@dataclass(frozen=True)
class RateCards:
    services: tuple[Service, ...]
    zones: Mapping[str, Mapping[Market, Mapping[str, str]]]
    fx: Mapping[Currency, Decimal]


@dataclass(frozen=True)
class Quote:
    carrier: str
    service: str
    service_code: str
    zone: str
    price_minor: int
    currency: Currency
    ships_on: date
    delivered_by: date
    collects: bool


# Reading the cards


def load_rate_cards(path: Path | None = None) -> RateCards:
    """The cards of `path` (a seller's own file), or the default cards."""
    text = (path or DEFAULT_RATE_CARDS).read_text(encoding="utf-8")
    return parse_rate_cards(json.loads(text, parse_float=Decimal))


def parse_rate_cards(data: Mapping[str, Any]) -> RateCards:
    """Cards from their JSON shape; a malformed card is refused with its name."""
    services = tuple(
        _service(carrier, entry)
        for carrier, entries in data["carriers"].items()
        for entry in entries
    )
    zones = {code: _zone_tables(code, tables) for code, tables in data["zones"].items()}
    fx = {Currency(c): Decimal(str(rate)) for c, rate in data["reference_fx"].items()}
    if missing := set(Currency) - set(fx):
        raise ValueError(f"reference_fx lacks {sorted(missing)}")
    return RateCards(services, zones, fx)


def _service(carrier: str, entry: Mapping[str, Any]) -> Service:
    service = Service(
        carrier=carrier,
        code=entry["code"],
        name=entry["name"],
        origins=frozenset(Market(m) for m in entry["from"]),
        destinations=frozenset(Market(m) for m in entry["to"]),
        collects=bool(entry["collects"]),
        max_weight_g=int(entry["max_weight_g"]),
        transit_days={zone: int(days) for zone, days in entry["transit_business_days"].items()},
        brackets_g=tuple(int(g) for g in entry["weight_brackets_g"]),
        prices_minor={z: tuple(int(p) for p in row) for z, row in entry["prices_minor"].items()},
    )
    _check_service(service)
    return service


def _check_service(service: Service) -> None:
    problem = None
    if list(service.brackets_g) != sorted(set(service.brackets_g)):
        problem = "weight brackets must rise"
    elif service.max_weight_g > service.brackets_g[-1]:
        problem = "its max weight is beyond its last weight bracket"
    elif set(service.prices_minor) != set(service.transit_days):
        problem = "prices and transit days must name the same zones"
    elif any(len(row) != len(service.brackets_g) for row in service.prices_minor.values()):
        problem = "each zone needs one price per weight bracket"
    if problem:
        raise ValueError(f"rate card {service.carrier} {service.code}: {problem}")


def _zone_tables(code: str, tables: Mapping[str, Mapping[str, str]]) -> dict:
    for country, table in tables.items():
        if UNKNOWN_POSTCODE not in table:
            raise ValueError(f"zones of {code} to {country} lack the '*' default")
    return {Market(country): dict(table) for country, table in tables.items()}


RATE_CARDS = load_rate_cards()
REFERENCE_FX = RATE_CARDS.fx

# When each carrier last collects at each warehouse (local time): a parcel packed after
# its carrier's cut-off leaves the next business day. A carrier not named here collects at
# the warehouse's own cut-off, as does a task not yet given a carrier.
CARRIER_CUTOFFS: Mapping[str, Mapping[str, time]] = {
    "BOS1": {"USPS": time(17), "UPS": time(16, 30), "FedEx": time(15, 30)},
    "RNO1": {"USPS": time(16, 30), "UPS": time(16), "FedEx": time(14, 30)},
    "YYZ1": {"Canada Post": time(16), "UPS": time(16, 30), "FedEx": time(15)},
    "CVT1": {"Royal Mail": time(17, 30), "DPD": time(16, 30), "DHL": time(16)},
    "NUE1": {"DHL": time(17), "DPD": time(16), "UPS": time(15, 30)},
}


# Zones, dates, quotes


def zone_of(
    warehouse: Warehouse,
    country: Market,
    postal_code: str | None,
    *,
    cards: RateCards = RATE_CARDS,
) -> str:
    """The zone a parcel from `warehouse` travels to; the farthest one if the code is unknown."""
    table = cards.zones.get(warehouse.code, {}).get(country)
    if table is None:
        raise ShippingRefused(f"no carrier ships from {warehouse.code} to {country}")
    key = postal_key(country, postal_code)
    matching = [p for p in table if p != UNKNOWN_POSTCODE and key is not None and key.startswith(p)]
    if not matching:
        return table[UNKNOWN_POSTCODE]
    return table[max(matching, key=len)]


def postal_key(country: Market, postal_code: str | None) -> str | None:
    """The code upper-cased without spaces or dashes; a UK one as "OUTWARD INWARD", so that
    district prefixes such as PA20 cannot match PA2 0AB."""
    if postal_code is None:
        return None
    compact = "".join(postal_code.upper().split()).replace("-", "")
    if country is Market.UK and len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact or None


def cutoff_of(warehouse: Warehouse, carrier: str | None = None) -> time:
    """The carrier's last collection of the day at the warehouse; with no carrier (or one
    without a collection of its own there), the warehouse's cut-off."""
    return CARRIER_CUTOFFS.get(warehouse.code, {}).get(carrier or "", warehouse.cutoff)


def ships_on(warehouse: Warehouse, now: datetime, carrier: str | None = None) -> date:
    """Today (the warehouse's day) if before the cut-off (the carrier's, else the
    warehouse's) on a business day, else the next business day."""
    local = utc(now).astimezone(ZoneInfo(warehouse.time_zone))
    today = local.date()
    if is_business_day(today, warehouse.country) and local.time() < cutoff_of(warehouse, carrier):
        return today
    return next_business_day(today, warehouse.country)


def collected_at(warehouse: Warehouse, now: datetime, carrier: str | None = None) -> datetime:
    """The moment (UTC) of the next collection a parcel ready `now` can still make: the
    carrier's cut-off today if not yet past, else on the next business day."""
    day = ships_on(warehouse, now, carrier)
    local = datetime.combine(day, cutoff_of(warehouse, carrier), ZoneInfo(warehouse.time_zone))
    return local.astimezone(UTC)


def delivered_by(ships: date, transit_days: int, destination: Market) -> date:
    """`transit_days` business days of the buyer's market after the day it ships."""
    day = ships
    for _ in range(transit_days):
        day = next_business_day(day, destination)
    return day


def quotes(
    warehouse: Warehouse,
    country: Market,
    postal_code: str | None,
    weight_g: int,
    now: datetime,
    *,
    cards: RateCards = RATE_CARDS,
) -> list[Quote]:
    """Every service of the warehouse's carriers that takes the parcel, cheapest first."""
    check_weight(weight_g)
    zone = zone_of(warehouse, country, postal_code, cards=cards)
    routes = [
        s
        for s in cards.services
        if s.carrier in warehouse.carriers and s.serves(warehouse.country, country, zone)
    ]
    if not routes:
        raise ShippingRefused(f"no carrier ships from {warehouse.code} to {country}")
    fitting = [s for s in routes if weight_g <= s.max_weight_g]
    if not fitting:
        raise ShippingRefused(_too_heavy(routes, weight_g, warehouse, country))
    day = ships_on(warehouse, now)
    offered = [_quote(s, zone, weight_g, day, country, warehouse.currency) for s in fitting]
    return sorted(offered, key=lambda q: (q.price_minor, q.delivered_by, q.service_code))


def check_weight(weight_g: int) -> None:
    if weight_g <= 0:
        raise ShippingRefused(f"weight {weight_g} g: must be more than 0")
    if weight_g > MAX_PARCEL_G:
        raise ShippingRefused(f"weight {weight_g} g: over the {MAX_PARCEL_G} g any carrier takes")


def _too_heavy(routes: list[Service], weight_g: int, warehouse: Warehouse, country: Market) -> str:
    carriers = ", ".join(dict.fromkeys(s.carrier for s in routes))
    heaviest = max(s.max_weight_g for s in routes)
    return (
        f"no service of {carriers} ships {weight_g} g from {warehouse.code} to {country}"
        f" (at most {heaviest} g)"
    )


def _quote(
    service: Service, zone: str, weight_g: int, ships: date, country: Market, currency: Currency
) -> Quote:
    return Quote(
        carrier=service.carrier,
        service=service.name,
        service_code=service.code,
        zone=zone,
        price_minor=service.price_minor(zone, weight_g),
        currency=currency,
        ships_on=ships,
        delivered_by=delivered_by(ships, service.transit_days[zone], country),
        collects=service.collects,
    )


# Choosing


def in_usd_minor(
    amount_minor: int, currency: Currency, fx: Mapping[Currency, Decimal] = REFERENCE_FX
) -> int:
    """An amount in US cents at the reference rate, to compare quotes across currencies."""
    usd = Decimal(amount_minor) / Decimal(str(fx[currency]))
    return int(usd.to_integral_value(rounding=ROUND_HALF_UP))


def cheapest_meeting(
    quotes: Sequence[Quote],
    deliver_by: date | None,
    fx: Mapping[Currency, Decimal] = REFERENCE_FX,
) -> Quote | None:
    """The cheapest quote (in USD) delivered by `deliver_by`, the earlier one on a tie;
    None if none arrives in time. No date: the cheapest of all."""
    meeting = [q for q in quotes if deliver_by is None or q.delivered_by <= deliver_by]
    if not meeting:
        return None
    return min(
        meeting,
        key=lambda q: (in_usd_minor(q.price_minor, q.currency, fx), q.delivered_by, q.service_code),
    )


def fastest(quotes: Sequence[Quote], fx: Mapping[Currency, Decimal] = REFERENCE_FX) -> Quote:
    """The earliest delivery, the cheaper (in USD) on a tie: when none keeps the promise."""
    return min(quotes, key=lambda q: (q.delivered_by, in_usd_minor(q.price_minor, q.currency, fx)))


def ranked(
    quotes: Sequence[Quote],
    deliver_by: date | None,
    fx: Mapping[Currency, Decimal] = REFERENCE_FX,
) -> list[Quote]:
    """Every quote in the order the cards choose: those delivered by `deliver_by`, cheapest
    (in USD) first, then the others, fastest first. The first is `cheapest_meeting`, else
    `fastest`; the rest are what a carrier is asked for when it cannot sell the first."""
    meeting = [q for q in quotes if deliver_by is None or q.delivered_by <= deliver_by]
    late = [q for q in quotes if q not in meeting]
    return sorted(
        meeting,
        key=lambda q: (in_usd_minor(q.price_minor, q.currency, fx), q.delivered_by, q.service_code),
    ) + sorted(late, key=lambda q: (q.delivered_by, in_usd_minor(q.price_minor, q.currency, fx)))
