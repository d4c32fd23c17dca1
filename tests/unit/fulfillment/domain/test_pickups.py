"""Carrier pickups at the buyer's door: the windows offered and the ones refused."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.fulfillment.domain.pickups import (
    PickupRefused,
    PickupWindow,
    check_pickup,
    pickup_windows,
)
from shared.markets import Market

NEW_YORK = ZoneInfo("America/New_York")
A_TUESDAY_MORNING = datetime(2025, 3, 4, 9, 30, tzinfo=NEW_YORK)
BEFORE_JULY_4TH = datetime(2025, 7, 1, 11, 0, tzinfo=NEW_YORK)  # a Tuesday, after 10:00


def days_of(windows: list[PickupWindow]) -> list[date]:
    return sorted({w.day for w in windows})


def test_five_business_days_of_two_windows_from_today_before_ten():
    windows = pickup_windows("USPS", Market.US, A_TUESDAY_MORNING)
    assert len(windows) == 10
    assert days_of(windows) == [date(2025, 3, d) for d in (4, 5, 6, 7, 10)]
    assert {(w.starts, w.ends) for w in windows} == {
        (time(9), time(13)),
        (time(13), time(17)),
    }


@pytest.mark.parametrize(
    ("carrier", "market", "now", "first_day"),
    [
        ("USPS", Market.US, datetime(2025, 3, 4, 10, 0, tzinfo=NEW_YORK), date(2025, 3, 5)),
        ("UPS", Market.US, datetime(2025, 7, 3, 11, 0, tzinfo=NEW_YORK), date(2025, 7, 7)),
        ("UPS", Market.US, datetime(2025, 3, 8, 8, 0, tzinfo=NEW_YORK), date(2025, 3, 10)),
        # 14:30 UTC: 09:30 in New York, 14:30 in London
        ("FedEx", Market.US, datetime(2025, 3, 4, 14, 30, tzinfo=UTC), date(2025, 3, 4)),
        ("Royal Mail", Market.UK, datetime(2025, 3, 4, 14, 30, tzinfo=UTC), date(2025, 3, 5)),
        ("DPD", Market.UK, datetime(2025, 12, 24, 8, 0, tzinfo=UTC), date(2025, 12, 24)),
        ("DHL", Market.DE, datetime(2025, 10, 2, 12, 0, tzinfo=UTC), date(2025, 10, 6)),
        ("Canada Post", Market.CA, datetime(2025, 6, 30, 15, 0, tzinfo=UTC), date(2025, 7, 2)),
    ],
)
def test_the_first_pickup_day_is_in_the_buyers_market_calendar(carrier, market, now, first_day):
    assert days_of(pickup_windows(carrier, market, now))[0] == first_day


def test_the_number_of_days_can_be_chosen_and_every_offered_window_is_bookable():
    windows = pickup_windows("DPD", Market.FR, A_TUESDAY_MORNING, days=2)
    assert len(windows) == 4
    for window in pickup_windows("UPS", Market.CA, BEFORE_JULY_4TH, days=10):
        assert check_pickup("UPS", Market.CA, window, BEFORE_JULY_4TH) == window


@pytest.mark.parametrize(
    ("carrier", "market"),
    [
        ("Royal Mail", Market.US),
        ("USPS", Market.CA),
        ("FedEx", Market.CA),
        ("DHL", Market.UK),
        ("Canada Post", Market.DE),
        ("Hermes", Market.DE),
    ],
)
def test_a_carrier_that_does_not_collect_in_the_market_is_refused(carrier, market):
    reason = f"{carrier} does not collect parcels in {market}"
    with pytest.raises(PickupRefused, match=reason):
        pickup_windows(carrier, market, A_TUESDAY_MORNING)
    window = PickupWindow(date(2025, 3, 5), time(9), time(13))
    with pytest.raises(PickupRefused, match=reason):
        check_pickup(carrier, market, window, A_TUESDAY_MORNING)


@pytest.mark.parametrize(
    ("day", "starts", "ends", "reason"),
    [
        (date(2025, 6, 30), time(9), time(13), "2025-06-30 is in the past"),
        (date(2025, 7, 1), time(13), time(17), "pickups for today are booked before 10:00"),
        (date(2025, 7, 5), time(9), time(13), "2025-07-05 is a Saturday"),
        (date(2025, 7, 6), time(9), time(13), "2025-07-06 is a Sunday"),
        (date(2025, 7, 4), time(9), time(13), "2025-07-04 is a public holiday in US"),
        (date(2025, 7, 17), time(9), time(13), "more than 10 business days ahead"),
        (date(2025, 7, 2), time(13), time(13), "ends at 13:00, not after it starts at 13:00"),
        (date(2025, 7, 2), time(15), time(11), "ends at 11:00, not after it starts at 15:00"),
        (date(2025, 7, 2), time(7), time(11), "outside pickup hours 08:00–19:00"),
        (date(2025, 7, 2), time(17), time(20), "outside pickup hours 08:00–19:00"),
        (date(2025, 7, 2), time(9), time(10, 30), "shorter than the 2 hours"),
    ],
)
def test_a_window_the_carrier_cannot_keep_is_refused_with_its_reason(day, starts, ends, reason):
    with pytest.raises(PickupRefused, match=reason):
        check_pickup("UPS", Market.US, PickupWindow(day, starts, ends), BEFORE_JULY_4TH)


@pytest.mark.parametrize(
    ("day", "starts", "ends"),
    [
        (date(2025, 7, 2), time(9), time(13)),
        (date(2025, 7, 3), time(8), time(19)),  # the widest window
        (date(2025, 7, 7), time(15), time(17)),  # exactly two hours
        (date(2025, 7, 16), time(13), time(17)),  # the tenth business day
    ],
)
def test_a_window_the_carrier_can_keep_is_returned(day, starts, ends):
    window = PickupWindow(day, starts, ends)
    assert check_pickup("UPS", Market.US, window, BEFORE_JULY_4TH) == window


def test_today_is_bookable_before_ten_in_the_buyers_market():
    window = PickupWindow(date(2025, 3, 4), time(13), time(17))
    assert check_pickup("USPS", Market.US, window, A_TUESDAY_MORNING) == window
