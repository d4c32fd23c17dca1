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
from shared.events import Remedy
from shared.markets import REGION_OF, Market

# The promise to the buyer: 3 to 5 business days from a local warehouse.
PROMISE_BUSINESS_DAYS: dict[Remedy, int] = {
    Remedy.PART_SHIPMENT: 5,
    Remedy.EXCHANGE: 5,
    Remedy.RESHIP: 5,
    Remedy.REPAIR: 5,  # the repaired unit, from the repair shop back to its buyer
}


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
