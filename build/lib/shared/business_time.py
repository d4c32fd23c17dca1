"""The one business calendar of the project: when a market is open for business.

Deadlines promised to buyers and set by marketplaces are counted in business days or
business hours, and a buyer reads them on their own clock. So every count here runs on
the market's local calendar: Monday to Friday, 09:00 to 17:00 local time, the national
public holidays of the market's country excluded (from the `holidays` package).

Instants go in time-zone aware and come out in UTC; the local calendar is reached with
`astimezone`, so a daylight-saving change never adds or loses an hour of business time.
"""

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from shared.markets import Market

MARKET_ZONE: dict[Market, ZoneInfo] = {
    Market.US: ZoneInfo("America/New_York"),
    Market.CA: ZoneInfo("America/Toronto"),
    Market.UK: ZoneInfo("Europe/London"),
    Market.DE: ZoneInfo("Europe/Berlin"),
    Market.FR: ZoneInfo("Europe/Paris"),
    Market.IT: ZoneInfo("Europe/Rome"),
    Market.ES: ZoneInfo("Europe/Madrid"),
    Market.NL: ZoneInfo("Europe/Amsterdam"),
    Market.IE: ZoneInfo("Europe/Dublin"),
}

# The buyer's local business hours, on business days.
OPENS = time(9)
CLOSES = time(17)

# A deadline "by day X" ends at the last second of that local day.
END_OF_DAY = time(23, 59, 59)

# The `holidays` package names countries by ISO 3166; the project says UK for GB.
HOLIDAY_COUNTRY: dict[Market, str] = {Market.UK: "GB"}


def is_business_day(day: date, market: Market) -> bool:
    """A weekday that is not a national public holiday in the market's country."""
    return day.weekday() < 5 and day not in public_holidays(market, day.year)


def business_days_after(moment: datetime, days: int, market: Market) -> datetime:
    """The end (23:59:59 local) of the `days`-th business day after the local day of `moment`.

    The day of `moment` itself never counts, as marketplaces count "within N business
    days". Returned in UTC.
    """
    if days < 0:
        raise ValueError(f"business days cannot be negative: {days}")
    day = local_day(moment, market)
    for _ in range(days):
        day = next_business_day(day, market)
    return end_of_local_day(day, market)


def calendar_days_after(moment: datetime, days: int, market: Market) -> datetime:
    """The end (23:59:59 local) of the `days`-th calendar day after the local day of `moment`.

    For terms of law counted in plain days, where weekends and holidays count too.
    """
    if days < 0:
        raise ValueError(f"calendar days cannot be negative: {days}")
    return end_of_local_day(local_day(moment, market) + timedelta(days=days), market)


def add_business_hours(start: datetime, hours: float, market: Market) -> datetime:
    """The moment (UTC) when `hours` of the market's business hours have run since `start`.

    Only time inside opening hours on business days counts: a case opened on Friday at
    16:00 with 4 hours is due on Monday at 12:00; one opened on Saturday starts counting
    on Monday at 09:00.
    """
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"business hours must be a finite, non-negative number: {hours}")
    remaining = timedelta(hours=hours)
    cursor = utc(start)
    for opens, closes in opening_hours_from(local_day(start, market), market):
        begin = max(cursor, opens)
        if begin >= closes:
            continue
        if remaining <= closes - begin:
            return begin + remaining
        remaining -= closes - begin
    raise AssertionError("unreachable: business days never run out")


def opening_hours_from(day: date, market: Market) -> Iterator[tuple[datetime, datetime]]:
    """The (opens, closes) instants in UTC of each business day from `day` on, endlessly."""
    if not is_business_day(day, market):
        day = next_business_day(day, market)
    while True:
        yield at_local(day, OPENS, market), at_local(day, CLOSES, market)
        day = next_business_day(day, market)


def next_business_day(day: date, market: Market) -> date:
    day += timedelta(days=1)
    while not is_business_day(day, market):
        day += timedelta(days=1)
    return day


@cache
def public_holidays(market: Market, year: int) -> frozenset[date]:
    """The national public holidays of the market's country in one year."""
    country = HOLIDAY_COUNTRY.get(market, market.value)
    return frozenset(holidays.country_holidays(country, years=year))


def local_day(moment: datetime, market: Market) -> date:
    """The calendar day it is in the market when `moment` happens."""
    return utc(moment).astimezone(MARKET_ZONE[market]).date()


def end_of_local_day(day: date, market: Market) -> datetime:
    return at_local(day, END_OF_DAY, market)


def at_local(day: date, clock_time: time, market: Market) -> datetime:
    """A local wall-clock time on a local day, as a UTC instant."""
    return datetime.combine(day, clock_time, tzinfo=MARKET_ZONE[market]).astimezone(UTC)


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is refused, as its market time cannot be known."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; business time needs aware datetimes")
    return moment.astimezone(UTC)
