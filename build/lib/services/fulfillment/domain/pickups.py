"""Carrier collections at the buyer's door for a return: the windows offered, and the
checks on a window the buyer or an agent picks. Times are local to the buyer's market."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from shared.business_time import (
    MARKET_ZONE,
    is_business_day,
    local_day,
    next_business_day,
    public_holidays,
    utc,
)
from shared.markets import Market

_EU = (Market.DE, Market.FR, Market.IT, Market.ES, Market.NL, Market.IE)

# Which carriers collect parcels at a door, per market.
COLLECTING_CARRIERS: dict[Market, frozenset[str]] = {
    Market.US: frozenset({"USPS", "UPS", "FedEx"}),
    Market.CA: frozenset({"Canada Post", "UPS"}),
    Market.UK: frozenset({"Royal Mail", "DPD"}),
    **{market: frozenset({"DHL", "DPD", "UPS"}) for market in _EU},
}

# Same-day pickups are booked before this local time; later, tomorrow is the first day.
SAME_DAY_UNTIL = time(10)
WINDOWS: tuple[tuple[time, time], ...] = ((time(9), time(13)), (time(13), time(17)))
EARLIEST, LATEST = time(8), time(19)
SHORTEST = timedelta(hours=2)
MAX_DAYS_AHEAD = 10  # business days


@dataclass(frozen=True)
class PickupWindow:
    day: date
    starts: time
    ends: time


class PickupRefused(ValueError):
    """The carrier cannot collect then (or there); the message says why."""


def pickup_windows(
    carrier: str, market: Market, now: datetime, days: int = 5
) -> list[PickupWindow]:
    """Two windows on each of the next `days` business days of the buyer's market."""
    check_collects(carrier, market)
    day = first_pickup_day(market, now)
    windows = []
    for _ in range(days):
        windows += [PickupWindow(day, starts, ends) for starts, ends in WINDOWS]
        day = next_business_day(day, market)
    return windows


def first_pickup_day(market: Market, now: datetime) -> date:
    today = local_day(now, market)
    if is_business_day(today, market) and _local_time(now, market) < SAME_DAY_UNTIL:
        return today
    return next_business_day(today, market)


def check_pickup(carrier: str, market: Market, window: PickupWindow, now: datetime) -> PickupWindow:
    """The window, if the carrier can collect then; else PickupRefused with the reason."""
    check_collects(carrier, market)
    _check_hours(window)
    _check_day(window.day, market, now)
    return window


def check_collects(carrier: str, market: Market) -> None:
    if carrier not in COLLECTING_CARRIERS.get(market, frozenset()):
        raise PickupRefused(f"{carrier} does not collect parcels in {market}")


def _check_hours(window: PickupWindow) -> None:
    starts, ends = window.starts, window.ends
    if ends <= starts:
        raise PickupRefused(
            f"the window ends at {ends:%H:%M}, not after it starts at {starts:%H:%M}"
        )
    if starts < EARLIEST or ends > LATEST:
        raise PickupRefused(
            f"{starts:%H:%M}–{ends:%H:%M} is outside pickup hours {EARLIEST:%H:%M}–{LATEST:%H:%M}"
        )
    if _length(window) < SHORTEST:
        raise PickupRefused(
            f"{starts:%H:%M}–{ends:%H:%M} is shorter than the 2 hours carriers need"
        )


def _check_day(day: date, market: Market, now: datetime) -> None:
    today = local_day(now, market)
    if day < today:
        raise PickupRefused(f"{day} is in the past")
    if day == today and _local_time(now, market) >= SAME_DAY_UNTIL:
        raise PickupRefused(f"pickups for today are booked before {SAME_DAY_UNTIL:%H:%M}")
    if day.weekday() >= 5:
        raise PickupRefused(f"{day} is a {day:%A}: carriers collect on business days")
    if day in public_holidays(market, day.year):
        raise PickupRefused(f"{day} is a public holiday in {market}")
    if day > _last_bookable_day(today, market):
        raise PickupRefused(f"{day} is more than {MAX_DAYS_AHEAD} business days ahead")


def _last_bookable_day(today: date, market: Market) -> date:
    day = today
    for _ in range(MAX_DAYS_AHEAD):
        day = next_business_day(day, market)
    return day


def _length(window: PickupWindow) -> timedelta:
    return datetime.combine(window.day, window.ends) - datetime.combine(window.day, window.starts)


def _local_time(now: datetime, market: Market) -> time:
    return utc(now).astimezone(MARKET_ZONE[market]).time()
