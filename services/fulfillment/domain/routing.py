"""Which local warehouse ships a spare part, an exchange unit or a reship: the one that
keeps the promise to the buyer, then the one that delivers first, then the cheapest."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from services.fulfillment.domain.carriers import (
    Quote,
    ShippingRefused,
    cheapest_meeting,
    fastest,
    in_usd_minor,
    quotes,
)
from services.fulfillment.domain.warehouses import Warehouse
from shared.business_time import business_days_after, local_day
from shared.events import CaseItem, Remedy
from shared.markets import REGION_OF, Market

# The promise to the buyer: 3 to 5 business days from a local warehouse.
PROMISE_BUSINESS_DAYS: dict[Remedy, int] = {
    Remedy.PART_SHIPMENT: 5,
    Remedy.EXCHANGE: 5,
    Remedy.RESHIP: 5,
}

# Estimated unit weights (grams) by listing category, before the parcel is weighed.
UNIT_WEIGHT_G: dict[str, int] = {
    "electronics": 600,
    "home": 1500,
    "apparel": 400,
    "default": 800,
}
SPARE_PART_WEIGHT_G = 150
SPARE_PART_SUFFIX = "-PART"
PACKAGING_G = 200  # box or mailer, dunnage and label


@dataclass(frozen=True)
class WarehouseChoice:
    warehouse: Warehouse
    quote: Quote
    meets_promise: bool


def promised_by(now: datetime, market: Market, promise_days: int) -> date:
    """The buyer's local day by which the parcel is promised."""
    return local_day(business_days_after(now, promise_days, market), market)


def rank_warehouses(
    in_stock: Sequence[Warehouse],
    market: Market,
    postal_code: str | None,
    weight_g: int,
    now: datetime,
    promise_days: int,
) -> list[WarehouseChoice]:
    """The warehouses of the buyer's region that can ship, best first: the promise met,
    the earliest delivery, the cheapest postage (in USD), the buyer's own country, code.
    A warehouse no carrier ships from is left out."""
    deadline = promised_by(now, market, promise_days)
    region = REGION_OF[market]
    choices = [
        choice
        for warehouse in in_stock
        if warehouse.region is region
        and (choice := _choice(warehouse, market, postal_code, weight_g, now, deadline))
    ]
    return sorted(choices, key=lambda c: _rank(c, market))


def _choice(
    warehouse: Warehouse,
    market: Market,
    postal_code: str | None,
    weight_g: int,
    now: datetime,
    deadline: date,
) -> WarehouseChoice | None:
    """The cheapest quote meeting the promise, or failing that the fastest one."""
    try:
        offered = quotes(warehouse, market, postal_code, weight_g, now)
    except ShippingRefused:
        return None
    meeting = cheapest_meeting(offered, deadline)
    if meeting is not None:
        return WarehouseChoice(warehouse, meeting, meets_promise=True)
    return WarehouseChoice(warehouse, fastest(offered), meets_promise=False)


def _rank(choice: WarehouseChoice, market: Market) -> tuple:
    return (
        not choice.meets_promise,
        choice.quote.delivered_by,
        _usd(choice.quote),
        choice.warehouse.country is not market,
        choice.warehouse.code,
    )


def _usd(quote: Quote) -> int:
    return in_usd_minor(quote.price_minor, quote.currency)


# An estimate is never heavier than what every carrier service takes: it picks a
# warehouse and a label, and the scale at packing (or the carrier's) has the last word.
ESTIMATE_CAP_G = 30_000


def parcel_weight_g(items: Sequence[CaseItem]) -> int:
    """An estimate of the packed parcel: each unit by its category (spare parts by their
    own weight) plus the packaging, at most ESTIMATE_CAP_G."""
    estimate = PACKAGING_G + sum(unit_weight_g(item) * item.quantity for item in items)
    return min(estimate, ESTIMATE_CAP_G)


def unit_weight_g(item: CaseItem) -> int:
    if item.sku.upper().endswith(SPARE_PART_SUFFIX):
        return SPARE_PART_WEIGHT_G
    category = (item.category or "").strip().lower()
    return UNIT_WEIGHT_G.get(category, UNIT_WEIGHT_G["default"])
