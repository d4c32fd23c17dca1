from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.business_time import (
    CLOSES,
    MARKET_ZONE,
    OPENS,
    add_business_hours,
    business_days_after,
    calendar_days_after,
    is_business_day,
)
from shared.markets import Market

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")


def local(market: Market, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=MARKET_ZONE[market])


# --- the calendar


def test_every_market_has_a_zone():
    assert set(MARKET_ZONE) == set(Market)


def test_business_hours_are_nine_to_five():
    assert (OPENS.hour, CLOSES.hour) == (9, 17)


@pytest.mark.parametrize(
    ("day", "market", "open_for_business"),
    [
        (date(2026, 11, 25), Market.US, True),  # Wednesday
        (date(2026, 11, 26), Market.US, False),  # Thanksgiving
        (date(2026, 11, 26), Market.UK, True),  # not a holiday in the UK
        (date(2026, 11, 28), Market.US, False),  # Saturday
        (date(2026, 11, 29), Market.US, False),  # Sunday
        (date(2026, 12, 25), Market.UK, False),  # Christmas Day
        (date(2026, 12, 28), Market.UK, False),  # Boxing Day observed (the 26th is a Saturday)
        (date(2026, 12, 28), Market.DE, True),  # Germany does not move its holidays
        (date(2026, 12, 25), Market.DE, False),
        (date(2026, 10, 3), Market.DE, False),  # German Unity Day (a Saturday anyway)
        (date(2026, 7, 1), Market.CA, False),  # Canada Day
        (date(2026, 7, 1), Market.US, True),
        (date(2026, 7, 14), Market.FR, False),  # Bastille Day
    ],
)
def test_business_days_are_weekdays_that_are_not_public_holidays(day, market, open_for_business):
    assert is_business_day(day, market) is open_for_business


# --- business days


def test_business_days_skip_the_weekend():
    friday = local(Market.US, 2024, 5, 17, 15, 0)
    assert business_days_after(friday, 2, Market.US) == local(Market.US, 2024, 5, 21, 23, 59, 59)


def test_a_saturday_counts_from_monday():
    saturday = local(Market.UK, 2024, 5, 18, 9, 0)
    assert business_days_after(saturday, 1, Market.UK) == local(Market.UK, 2024, 5, 20, 23, 59, 59)


def test_business_days_skip_thanksgiving():
    wednesday = local(Market.US, 2026, 11, 25, 10, 0)
    # Thursday is Thanksgiving, the weekend follows: Friday, then Monday.
    assert business_days_after(wednesday, 2, Market.US) == local(
        Market.US, 2026, 11, 30, 23, 59, 59
    )


def test_business_days_skip_christmas_in_the_uk_and_germany():
    christmas_eve = local(Market.UK, 2026, 12, 24, 12, 0)
    # UK: 25 Christmas, 26-27 weekend, 28 Boxing Day observed: the 29th is the first day.
    assert business_days_after(christmas_eve, 1, Market.UK) == local(
        Market.UK, 2026, 12, 29, 23, 59, 59
    )
    # Germany: 25 and 26 are holidays, then the weekend; Monday the 28th is open.
    assert business_days_after(christmas_eve, 1, Market.DE) == local(
        Market.DE, 2026, 12, 28, 23, 59, 59
    )


def test_business_days_count_on_the_markets_calendar():
    # Sunday 21:00 in New York is already Monday in UTC; the count starts from Sunday.
    sunday_evening = datetime(2024, 5, 20, 1, 0, tzinfo=UTC)
    assert business_days_after(sunday_evening, 1, Market.US) == local(
        Market.US, 2024, 5, 20, 23, 59, 59
    )


def test_business_days_end_in_utc_across_a_dst_change():
    # Europe moves to summer time on Sunday 29 March 2026.
    friday = local(Market.DE, 2026, 3, 27, 12, 0)
    due = business_days_after(friday, 1, Market.DE)
    assert due == datetime(2026, 3, 30, 21, 59, 59, tzinfo=UTC)  # 23:59:59 CEST
    assert due.tzinfo is UTC


def test_zero_business_days_end_the_same_local_day():
    tuesday = local(Market.FR, 2024, 5, 21, 10, 0)
    assert business_days_after(tuesday, 0, Market.FR) == local(Market.FR, 2024, 5, 21, 23, 59, 59)


def test_calendar_days_count_weekends_and_holidays():
    christmas_eve = local(Market.DE, 2026, 12, 24, 12, 0)
    assert calendar_days_after(christmas_eve, 14, Market.DE) == local(
        Market.DE, 2027, 1, 7, 23, 59, 59
    )


# --- business hours


def test_friday_afternoon_hours_continue_on_monday():
    friday = local(Market.US, 2024, 5, 17, 16, 0)
    assert add_business_hours(friday, 4, Market.US) == local(Market.US, 2024, 5, 20, 12, 0)


def test_a_case_opened_on_saturday_starts_counting_on_monday_morning():
    saturday = local(Market.US, 2024, 5, 18, 11, 0)
    assert add_business_hours(saturday, 2, Market.US) == local(Market.US, 2024, 5, 20, 11, 0)


def test_hours_opened_before_nine_start_at_nine():
    early = local(Market.UK, 2024, 5, 21, 7, 30)
    assert add_business_hours(early, 1.5, Market.UK) == local(Market.UK, 2024, 5, 21, 10, 30)


def test_hours_opened_after_five_start_the_next_business_day():
    evening = local(Market.UK, 2024, 5, 21, 18, 0)
    assert add_business_hours(evening, 1, Market.UK) == local(Market.UK, 2024, 5, 22, 10, 0)


def test_hours_ending_at_closing_time_stay_on_that_day():
    friday = local(Market.US, 2024, 5, 17, 16, 0)
    assert add_business_hours(friday, 1, Market.US) == local(Market.US, 2024, 5, 17, 17, 0)


def test_business_hours_skip_thanksgiving_and_the_weekend():
    wednesday = local(Market.US, 2026, 11, 25, 15, 0)
    # Wed 15-17 (2h), Thu Thanksgiving, Fri 9-17 (8h), Monday 9-11 (2h).
    assert add_business_hours(wednesday, 12, Market.US) == local(Market.US, 2026, 11, 30, 11, 0)


def test_business_hours_skip_christmas_in_germany():
    christmas_eve = local(Market.DE, 2026, 12, 24, 16, 0)
    assert add_business_hours(christmas_eve, 3, Market.DE) == local(Market.DE, 2026, 12, 28, 11, 0)


def test_business_hours_across_the_spring_dst_change():
    # US clocks go forward on Sunday 8 March 2026: Friday is EST (UTC-5), Monday EDT (UTC-4).
    friday = local(Market.US, 2026, 3, 6, 15, 0)
    due = add_business_hours(friday, 4, Market.US)
    assert due == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # Monday 11:00 EDT
    assert due.astimezone(NEW_YORK).hour == 11
    assert due - friday.astimezone(UTC) == timedelta(hours=67)  # 68 wall-clock hours, one lost


def test_business_hours_across_the_autumn_dst_change():
    # Europe goes back on Sunday 25 October 2026: Friday is BST (UTC+1), Monday GMT.
    friday = local(Market.UK, 2026, 10, 23, 16, 30)
    due = add_business_hours(friday, 1, Market.UK)
    assert due == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)  # Monday 09:30 GMT
    assert due.astimezone(LONDON).hour == 9


def test_a_full_business_day_is_eight_hours_on_a_dst_monday():
    monday = local(Market.DE, 2026, 3, 30, 9, 0)
    assert add_business_hours(monday, 8, Market.DE) == local(Market.DE, 2026, 3, 30, 17, 0)


def test_business_hours_come_back_in_utc():
    due = add_business_hours(local(Market.DE, 2024, 5, 21, 10, 0), 1, Market.DE)
    assert due.tzinfo is UTC
    assert due.astimezone(BERLIN).hour == 11


# --- refusals


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: business_days_after(naive, 1, Market.US),
        lambda naive: calendar_days_after(naive, 1, Market.US),
        lambda naive: add_business_hours(naive, 1, Market.US),
    ],
)
def test_a_naive_datetime_is_refused(call):
    with pytest.raises(ValueError, match="no time zone"):
        call(datetime(2024, 5, 17, 12, 0))


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf")])
def test_hours_must_be_a_finite_non_negative_number(hours):
    with pytest.raises(ValueError):
        add_business_hours(local(Market.US, 2024, 5, 17, 12, 0), hours, Market.US)


def test_negative_business_days_are_refused():
    with pytest.raises(ValueError):
        business_days_after(local(Market.US, 2024, 5, 17, 12, 0), -1, Market.US)
