from datetime import UTC, datetime, timedelta

import pytest

from services.resolution.domain.clocks import (
    CLOCK,
    TICKING,
    WARN_SHARE,
    Clock,
    ClockName,
    ClockState,
    alert,
    clock,
    first_reply_clock,
    follow_up_clock,
    marketplace_clocks,
    refund_clock,
    state_of,
)
from shared.business_time import MARKET_ZONE
from shared.events import DeadlineAlert
from shared.lifecycle import IllegalTransition
from shared.markets import Market

# Tuesday 4 June 2024: a business day in every market, with no holiday in the fortnight after.
RECEIVED = datetime(2024, 6, 4, 12, 0, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def local(market: Market, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=MARKET_ZONE[market])


def end_of(market: Market, year: int, month: int, day: int) -> datetime:
    return local(market, year, month, day, 23, 59, 59)


# --- the generic clock


def test_a_clock_warns_when_three_quarters_of_its_span_have_run():
    started = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
    refund = clock("refund", started, started + timedelta(hours=8))
    assert WARN_SHARE == 0.75
    assert refund == Clock(
        "refund", started, started + timedelta(hours=8), started + timedelta(hours=6)
    )


def test_a_clock_is_kept_in_utc():
    started = local(Market.DE, 2024, 6, 4, 10, 0)
    made = clock("refund", started, started + timedelta(days=1))
    assert {made.started_at.tzinfo, made.due_at.tzinfo, made.warn_at.tzinfo} == {UTC}
    assert made.started_at == datetime(2024, 6, 4, 8, 0, tzinfo=UTC)


def test_a_clock_due_before_it_starts_warns_at_its_due_time():
    started = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
    late = clock("amazon_reply", started, started - timedelta(hours=1))
    assert late.warn_at == late.due_at


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        clock("refund", datetime(2024, 6, 4, 8, 0), RECEIVED)


# --- first reply, in the buyer's business hours


def test_first_reply_over_a_weekend():
    friday = local(Market.US, 2024, 5, 17, 16, 0)
    reply = first_reply_clock(friday, Market.US, 4)
    assert reply.name == ClockName.FIRST_REPLY
    assert reply.started_at == friday
    assert reply.due_at == local(Market.US, 2024, 5, 20, 12, 0)  # Monday noon
    # Warned after 3 of the 4 business hours, on Monday morning rather than on Sunday.
    assert reply.warn_at == local(Market.US, 2024, 5, 20, 11, 0)


def test_first_reply_over_thanksgiving():
    wednesday = local(Market.US, 2026, 11, 25, 16, 0)
    reply = first_reply_clock(wednesday, Market.US, 4)
    # Wednesday 16-17, Thursday is Thanksgiving, Friday 9-12.
    assert reply.due_at == local(Market.US, 2026, 11, 27, 12, 0)
    assert reply.warn_at == local(Market.US, 2026, 11, 27, 11, 0)


def test_first_reply_over_christmas_in_the_uk():
    christmas_eve = local(Market.UK, 2026, 12, 24, 15, 0)
    reply = first_reply_clock(christmas_eve, Market.UK, 8)
    # 24th 15-17; 25th, the weekend and Boxing Day observed (28th) are closed; 29th 9-15.
    assert reply.due_at == local(Market.UK, 2026, 12, 29, 15, 0)
    assert reply.warn_at == local(Market.UK, 2026, 12, 29, 13, 0)


def test_first_reply_opened_on_saturday_counts_from_monday_morning():
    saturday = local(Market.DE, 2024, 6, 8, 10, 0)
    reply = first_reply_clock(saturday, Market.DE, 2)
    assert reply.due_at == local(Market.DE, 2024, 6, 10, 11, 0)


# --- the marketplace's deadlines


def test_each_marketplace_deadline_becomes_a_clock_under_its_own_name():
    opened = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
    due = opened + timedelta(hours=24)
    [amazon] = marketplace_clocks([("amazon_reply", due)], opened)
    assert amazon == Clock(ClockName.AMAZON_REPLY, opened, due, opened + timedelta(hours=18))


def test_several_deadlines_make_several_clocks_in_order():
    opened = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
    deadlines = [
        ("seller_response", opened + timedelta(days=2)),
        ("refund", opened + timedelta(days=7)),
    ]
    clocks = marketplace_clocks(deadlines, opened)
    assert [(c.name, c.due_at) for c in clocks] == deadlines


def test_a_deadline_past_before_the_case_opened_is_already_breached():
    opened = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
    [late] = marketplace_clocks([("seller_response", opened - timedelta(hours=2))], opened)
    assert state_of(late, opened) is ClockState.BREACHED


def test_no_deadlines_no_clocks():
    assert marketplace_clocks([], RECEIVED) == []


# --- the refund, once the returned unit is received


@pytest.mark.parametrize(
    ("marketplace", "market", "due_day"),
    [
        # Amazon: 2 business days, earlier than the law's 14 days where the law applies.
        ("amazon", Market.US, (2024, 6, 6)),
        ("amazon", Market.CA, (2024, 6, 6)),
        ("amazon", Market.UK, (2024, 6, 6)),
        ("amazon", Market.DE, (2024, 6, 6)),
        ("amazon", Market.FR, (2024, 6, 6)),
        ("Amazon", Market.IT, (2024, 6, 6)),  # the marketplace's name in any case
        # eBay: 5 business days, earlier than the law's 14 days too.
        ("ebay", Market.US, (2024, 6, 11)),
        ("ebay", Market.CA, (2024, 6, 11)),
        ("ebay", Market.UK, (2024, 6, 11)),
        ("ebay", Market.ES, (2024, 6, 11)),
        ("ebay", Market.IE, (2024, 6, 11)),
        # Any other marketplace in the EU and the UK: the law's 14 calendar days.
        ("shopify", Market.UK, (2024, 6, 18)),
        ("shopify", Market.DE, (2024, 6, 18)),
        ("walmart", Market.NL, (2024, 6, 18)),
        ("generic", Market.IE, (2024, 6, 18)),
        # Any other marketplace in the US and Canada: the project's default, 5 business days
        # (Ontario's 15 days are for a cancelled internet agreement, not applied).
        ("shopify", Market.US, (2024, 6, 11)),
        ("walmart", Market.US, (2024, 6, 11)),
        ("shopify", Market.CA, (2024, 6, 11)),
        ("generic", Market.CA, (2024, 6, 11)),
    ],
)
def test_the_refund_is_due_by_the_earliest_deadline_that_applies(marketplace, market, due_day):
    refund = refund_clock(marketplace, market, RECEIVED)
    assert refund.name == ClockName.REFUND
    assert refund.started_at == RECEIVED
    assert refund.due_at == end_of(market, *due_day)


def test_the_refund_business_days_skip_public_holidays():
    wednesday = local(Market.US, 2026, 11, 25, 10, 0)
    # Thanksgiving Thursday, then Friday and Monday.
    assert refund_clock("amazon", Market.US, wednesday).due_at == end_of(Market.US, 2026, 11, 30)


def test_the_laws_calendar_days_count_weekends_and_holidays():
    christmas_eve = local(Market.DE, 2026, 12, 24, 10, 0)
    assert refund_clock("shopify", Market.DE, christmas_eve).due_at == end_of(Market.DE, 2027, 1, 7)


# --- the follow-up call


def test_the_follow_up_is_due_by_the_end_of_the_next_business_day():
    friday = local(Market.FR, 2024, 6, 7, 15, 0)
    follow_up = follow_up_clock(friday, Market.FR)
    assert follow_up.name == ClockName.FOLLOW_UP
    assert follow_up.due_at == end_of(Market.FR, 2024, 6, 10)


def test_the_follow_up_skips_a_public_holiday():
    christmas_eve = local(Market.DE, 2026, 12, 24, 15, 0)
    assert follow_up_clock(christmas_eve, Market.DE).due_at == end_of(Market.DE, 2026, 12, 28)


# --- the state of a clock


STARTED = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
FOUR_HOURS = clock("refund", STARTED, STARTED + timedelta(hours=4))  # warns at 11:00


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (STARTED - timedelta(hours=1), ClockState.RUNNING),
        (STARTED, ClockState.RUNNING),
        (FOUR_HOURS.warn_at - MICROSECOND, ClockState.RUNNING),
        (FOUR_HOURS.warn_at, ClockState.NEAR_BREACH),
        (FOUR_HOURS.due_at - MICROSECOND, ClockState.NEAR_BREACH),
        (FOUR_HOURS.due_at, ClockState.NEAR_BREACH),
        (FOUR_HOURS.due_at + MICROSECOND, ClockState.BREACHED),
        (FOUR_HOURS.due_at + timedelta(days=3), ClockState.BREACHED),
    ],
)
def test_state_at_the_boundaries(now, state):
    assert FOUR_HOURS.warn_at == datetime(2024, 6, 4, 11, 0, tzinfo=UTC)
    assert state_of(FOUR_HOURS, now) is state


def test_state_reads_now_in_any_zone():
    due_in_new_york = FOUR_HOURS.due_at.astimezone(MARKET_ZONE[Market.US])
    assert state_of(FOUR_HOURS, due_in_new_york) is ClockState.NEAR_BREACH


def test_state_refuses_a_naive_now():
    with pytest.raises(ValueError, match="no time zone"):
        state_of(FOUR_HOURS, datetime(2024, 6, 4, 12, 0))


# The clock's lifecycle: every (state, move) pair of `CLOCK`, stated here on its own

CLOCK_STATES = ("running", "near_breach", "breached", "stopped")
# Where each move leads from each state; "repeat": nothing changes; absent: illegal.
CLOCK_MOVES = {
    ("running", "warn"): "near_breach",
    ("near_breach", "warn"): "repeat",
    ("breached", "warn"): "repeat",
    ("running", "breach"): "breached",
    ("near_breach", "breach"): "breached",
    ("breached", "breach"): "repeat",
    ("running", "stop"): "stopped",
    ("near_breach", "stop"): "stopped",
    ("breached", "stop"): "repeat",  # a breach was reported: it stays
    ("stopped", "stop"): "repeat",
}


def test_the_clock_states_are_stored_as_before():
    assert [state.value for state in ClockState] == list(CLOCK_STATES)
    assert set(CLOCK.actions) == {"warn", "breach", "stop"}
    assert set(TICKING) == {ClockState.RUNNING, ClockState.NEAR_BREACH}


@pytest.mark.parametrize("state", CLOCK_STATES)
@pytest.mark.parametrize("action", ["warn", "breach", "stop"])
def test_every_clock_move_from_every_state(state, action):
    expected = CLOCK_MOVES.get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition, match=f"clock is {state}: it cannot {action}"):
            CLOCK.next(ClockState(state), action)
    elif expected == "repeat":
        assert CLOCK.next(ClockState(state), action) is None
    else:
        assert CLOCK.next(ClockState(state), action) is ClockState(expected)


# `alert` at a moment of each level, from each state a sweep finds a clock in
@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        ("running", FOUR_HOURS.warn_at - MICROSECOND, None),
        ("running", FOUR_HOURS.warn_at, "near_breach"),
        ("running", FOUR_HOURS.due_at + MICROSECOND, "breached"),  # the warning skipped
        ("near_breach", FOUR_HOURS.warn_at, None),
        ("near_breach", FOUR_HOURS.due_at + MICROSECOND, "breached"),
        ("breached", FOUR_HOURS.warn_at, None),
        ("breached", FOUR_HOURS.due_at + MICROSECOND, None),
    ],
)
def test_a_clock_alerts_once_per_level(state, now, expected):
    transition = alert(ClockState(state), FOUR_HOURS, "case-1", now)
    if expected is None:
        assert (transition.state, transition.events) == (ClockState(state), ())
        return
    assert transition.state is ClockState(expected)
    assert transition.events == (
        DeadlineAlert(
            case_id="case-1",
            clock=FOUR_HOURS.name,
            level=expected,
            due_at=FOUR_HOURS.due_at,
            at=now,
        ),
    )


@pytest.mark.parametrize("now", [STARTED, FOUR_HOURS.warn_at, FOUR_HOURS.due_at + MICROSECOND])
def test_a_stopped_clock_never_alerts(now):
    if now < FOUR_HOURS.warn_at:
        assert alert(ClockState.STOPPED, FOUR_HOURS, "case-1", now).events == ()
        return
    with pytest.raises(IllegalTransition, match="clock refund is stopped"):
        alert(ClockState.STOPPED, FOUR_HOURS, "case-1", now)
