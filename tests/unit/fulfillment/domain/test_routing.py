"""Which local warehouse ships a part, an exchange unit or a reship."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.fulfillment.domain.routing import (
    PROMISE_BUSINESS_DAYS,
    promised_by,
    rank_warehouses,
)
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, WAREHOUSES
from shared.events import Remedy
from shared.markets import Market

BOSTON = ZoneInfo("America/New_York")
A_TUESDAY = datetime(2025, 3, 4, 10, 0, tzinfo=BOSTON)  # before every cutoff in NA


def ranked(market, postal_code, codes, weight_g=900, promise_days=5, now=A_TUESDAY):
    in_stock = [WAREHOUSE_BY_CODE[code] for code in codes]
    return rank_warehouses(in_stock, market, postal_code, weight_g, now, promise_days)


ALL = [w.code for w in WAREHOUSES]


@pytest.mark.parametrize(
    ("market", "postal_code", "in_stock", "chosen"),
    [
        (Market.US, "94105", ALL, ["RNO1", "BOS1", "YYZ1"]),  # San Francisco
        (Market.US, "98101", ALL, ["RNO1", "BOS1", "YYZ1"]),  # Seattle
        (Market.US, "02118", ALL, ["BOS1", "RNO1", "YYZ1"]),  # Boston
        (Market.US, "10001", ALL, ["BOS1", "RNO1", "YYZ1"]),  # New York
        (Market.CA, "M5E 1E6", ALL, ["YYZ1", "BOS1", "RNO1"]),  # Toronto
        (Market.CA, "M5E 1E6", ["BOS1", "RNO1"], ["BOS1", "RNO1"]),  # YYZ1 out of stock
        (Market.UK, "EH2 2AN", ALL, ["CVT1"]),
        (Market.UK, "EH2 2AN", ["NUE1", "BOS1"], []),  # never from Nuremberg
        (Market.IE, "D02 X285", ALL, ["NUE1"]),
        (Market.FR, "75004", ALL, ["NUE1"]),
        (Market.DE, None, ["CVT1", "NUE1"], ["NUE1"]),
    ],
)
def test_the_warehouse_that_keeps_the_promise_and_delivers_first_ships(
    market, postal_code, in_stock, chosen
):
    assert [c.warehouse.code for c in ranked(market, postal_code, in_stock)] == chosen


def test_the_west_coast_gets_reno_sooner_and_at_a_lower_price():
    reno, boston = ranked(Market.US, "94105", ["BOS1", "RNO1"])
    assert reno.meets_promise and boston.meets_promise
    assert reno.quote.zone == "US-2" and boston.quote.zone == "US-8"
    assert reno.quote.delivered_by < boston.quote.delivered_by


def test_a_us_warehouse_ships_a_canadian_buyer_cross_border():
    (boston,) = ranked(Market.CA, "M5E 1E6", ["BOS1"])
    assert boston.quote.zone == "NA-X" and boston.meets_promise
    assert boston.quote.delivered_by <= promised_by(A_TUESDAY, Market.CA, 5)


def test_when_no_quote_meets_the_promise_the_fastest_is_kept_and_ranked_last():
    boston, reno = ranked(Market.US, "02118", ["RNO1", "BOS1"], promise_days=1)
    assert (boston.warehouse.code, boston.meets_promise) == ("BOS1", True)
    assert boston.quote.delivered_by == date(2025, 3, 5)
    assert (reno.warehouse.code, reno.meets_promise) == ("RNO1", False)
    assert reno.quote.delivered_by == date(2025, 3, 6)  # two-day air: its fastest
    assert reno.quote.service_code == "FDX-2D"  # the cheaper of the two fastest


def test_the_choice_is_the_cheapest_quote_that_meets_the_promise():
    (boston,) = ranked(Market.US, "02118", ["BOS1"])
    assert boston.quote.service_code == "USPS-GA"
    (rushed,) = ranked(Market.US, "02118", ["BOS1"], promise_days=1)
    assert rushed.quote.service_code in ("USPS-PM", "FDX-HD", "UPS-GND")
    assert rushed.quote.delivered_by == date(2025, 3, 5)


@pytest.mark.parametrize("weight_g", [0, -1, 70_001])
def test_absurd_weights_leave_no_warehouse(weight_g):
    assert ranked(Market.US, "02118", ALL, weight_g=weight_g) == []


def test_the_promise_is_five_business_days_for_every_shipped_remedy():
    """A repaired unit going back to its buyer too."""
    assert PROMISE_BUSINESS_DAYS == {
        Remedy.PART_SHIPMENT: 5,
        Remedy.EXCHANGE: 5,
        Remedy.RESHIP: 5,
        Remedy.REPAIR: 5,
    }


@pytest.mark.parametrize(
    ("now", "market", "days", "promised"),
    [
        (datetime(2025, 3, 7, 16, tzinfo=BOSTON), Market.US, 5, date(2025, 3, 14)),
        (datetime(2025, 7, 3, 9, tzinfo=BOSTON), Market.US, 5, date(2025, 7, 11)),  # July 4th
        (
            datetime(2025, 4, 17, 9, tzinfo=ZoneInfo("Europe/Berlin")),
            Market.DE,
            5,
            date(2025, 4, 28),
        ),
        (
            datetime(2025, 6, 27, 12, tzinfo=ZoneInfo("America/Toronto")),
            Market.CA,
            3,
            date(2025, 7, 3),
        ),
    ],
)
def test_the_promised_day_counts_the_buyers_business_days(now, market, days, promised):
    assert promised_by(now, market, days) == promised
