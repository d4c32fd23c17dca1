"""`tracing.read`: the verdict on a parcel the buyer says never arrived, for each status;
and the trace's lifecycle, settled by that verdict."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.resolution.domain.tracing import (
    MAX_WAIT,
    TRACE,
    UNTRACED,
    ParcelStatus,
    Reading,
    Trace,
    TraceState,
    Verdict,
    needs_trace,
    read,
    traced,
    untraced,
)
from shared.events import ParcelTraced
from shared.lifecycle import IllegalTransition

OPENED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
DEADLINE = OPENED + MAX_WAIT
DAY = timedelta(days=1)

PARCEL = ParcelStatus(
    carrier="USPS",
    tracking_number="9400110898825022579493",
    status="in_transit",
    delivered_at=None,
    estimated_delivery=None,
    last_event="",
)


def parcel(status: str, **changes) -> ParcelStatus:
    return replace(PARCEL, status=status, **changes)


# Every status, a day after the case was opened


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        ("delivered", Verdict.DELIVERED),
        ("available_for_pickup", Verdict.DELIVERED),
        ("pre_transit", Verdict.WAIT),
        ("in_transit", Verdict.WAIT),
        ("out_for_delivery", Verdict.WAIT),
        ("unknown", Verdict.WAIT),
        ("return_to_sender", Verdict.LOST),
        ("failure", Verdict.LOST),
        ("cancelled", Verdict.LOST),
        ("error", Verdict.LOST),
        ("held_at_customs", Verdict.WAIT),  # not EasyPost's: read as unknown
    ],
)
def test_each_status_has_its_verdict(status, verdict):
    reading = read(parcel(status), OPENED, OPENED + DAY)
    assert reading.verdict == verdict
    assert (reading.look_again_at is not None) == (verdict == Verdict.WAIT)
    assert reading.why.startswith("USPS 9400110898825022579493: ")


@pytest.mark.parametrize(
    "status", ["delivered", "available_for_pickup", "return_to_sender", "failure", "cancelled"]
)
def test_an_arrival_or_an_ending_holds_long_after_the_wait(status):
    early = read(parcel(status), OPENED, OPENED + DAY)
    late = read(parcel(status), OPENED, DEADLINE + 30 * DAY)
    assert early.verdict == late.verdict != Verdict.WAIT


# Why, in one sentence


def test_a_delivery_says_when_it_was():
    delivered = parcel(
        "delivered",
        delivered_at=datetime(2026, 11, 18, 14, 5, tzinfo=UTC),
        last_event="Delivered, front door/porch",
    )
    assert read(delivered, OPENED, OPENED + DAY) == Reading(
        Verdict.DELIVERED,
        None,
        "USPS 9400110898825022579493: delivered on 2026-11-18 (Delivered, front door/porch)",
    )


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("available_for_pickup", "waiting for the buyer at a pickup point"),
        ("return_to_sender", "returned to the sender"),
        ("failure", "delivery failed"),
        ("cancelled", "cancelled by the carrier"),
        ("error", "the carrier reports an error"),
    ],
)
def test_each_reading_says_what_the_carrier_says(status, words):
    reading = read(parcel(status, last_event="Scan"), OPENED, OPENED + DAY)
    assert reading.why == f"USPS 9400110898825022579493: {words} (Scan)"


def test_a_wait_says_when_to_look_again():
    moving = parcel("in_transit", estimated_delivery=OPENED + 2 * DAY)
    assert read(moving, OPENED, OPENED).why == (
        "USPS 9400110898825022579493: in transit, expected on 2026-11-22; look again on 2026-11-23"
    )


# When to look again


@pytest.mark.parametrize(
    ("estimate", "now", "look_again_at"),
    [
        (None, OPENED, OPENED + DAY),  # no estimate: tomorrow
        (OPENED + 2 * DAY, OPENED, OPENED + 3 * DAY),  # the day after the estimate
        (OPENED - 3 * DAY, OPENED, OPENED + DAY),  # estimate past: tomorrow, not before
        (OPENED + DAY, OPENED + 12 * timedelta(hours=1), OPENED + 2 * DAY),  # estimate wins
        (OPENED, OPENED + 12 * timedelta(hours=1), OPENED + 36 * timedelta(hours=1)),  # now wins
        (OPENED + 10 * DAY, OPENED, DEADLINE),  # never past the wait
        (None, DEADLINE - timedelta(hours=3), DEADLINE),  # tomorrow is past the wait
        (None, DEADLINE - timedelta(seconds=1), DEADLINE),
    ],
)
@pytest.mark.parametrize("status", ["pre_transit", "in_transit", "out_for_delivery"])
def test_a_moving_parcel_is_looked_at_again_after_the_later_of_estimate_and_now(
    status, estimate, now, look_again_at
):
    reading = read(parcel(status, estimated_delivery=estimate), OPENED, now)
    assert (reading.verdict, reading.look_again_at) == (Verdict.WAIT, look_again_at)


@pytest.mark.parametrize(
    ("now", "look_again_at"),
    [
        (OPENED, OPENED + DAY),
        (OPENED + 3 * DAY, OPENED + 4 * DAY),
        (DEADLINE - timedelta(hours=2), DEADLINE),
    ],
)
def test_a_parcel_without_a_scan_is_looked_at_again_a_day_later(now, look_again_at):
    reading = read(parcel("unknown"), OPENED, now)
    assert reading == Reading(
        Verdict.WAIT,
        look_again_at,
        "USPS 9400110898825022579493: no scan from the carrier yet; "
        f"look again on {look_again_at.date().isoformat()}",
    )


# The end of the wait


@pytest.mark.parametrize("status", ["pre_transit", "in_transit", "out_for_delivery", "unknown"])
@pytest.mark.parametrize(
    ("now", "verdict"),
    [
        (DEADLINE - timedelta(seconds=1), Verdict.WAIT),
        (DEADLINE, Verdict.LOST),
        (DEADLINE + timedelta(seconds=1), Verdict.LOST),
        (DEADLINE + 10 * DAY, Verdict.LOST),
    ],
)
def test_a_parcel_not_delivered_by_the_end_of_the_wait_is_lost(status, now, verdict):
    # A carrier's estimate past the wait does not stretch it.
    late = parcel(status, estimated_delivery=DEADLINE + 5 * DAY)
    reading = read(late, OPENED, now)
    assert reading.verdict == verdict
    assert reading.look_again_at == (DEADLINE if verdict == Verdict.WAIT else None)


def test_a_lost_parcel_says_how_long_it_has_been():
    assert read(parcel("in_transit"), OPENED, OPENED + 6 * DAY).why == (
        "USPS 9400110898825022579493: still in transit 6 days after the buyer reported it"
    )
    assert read(parcel("unknown"), OPENED, DEADLINE).why == (
        "USPS 9400110898825022579493: still without any scan 5 days after the buyer reported it"
    )


def test_times_in_other_zones_are_read_in_utc():
    paris = timezone(timedelta(hours=1))
    reading = read(parcel("unknown"), OPENED.astimezone(paris), OPENED.astimezone(paris))
    assert reading.look_again_at == OPENED + DAY
    assert reading.look_again_at.tzinfo is UTC


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        read(parcel("in_transit"), OPENED.replace(tzinfo=None), OPENED)
    with pytest.raises(ValueError):
        read(parcel("in_transit"), OPENED, OPENED.replace(tzinfo=None))


# The trace's lifecycle: every (state, move) pair of `TRACE`, stated here on its own

TRACE_MOVES = {
    ("pending", "look again"): "pending",
    ("pending", "settle"): "done",
    ("done", "settle"): "repeat",
}
ASKED = Trace("case-1", "USPS", PARCEL.tracking_number)
NOW = OPENED + DAY


def test_the_trace_states_are_stored_as_before():
    assert [state.value for state in TraceState] == ["pending", "done"]


@pytest.mark.parametrize("state", ["pending", "done"])
@pytest.mark.parametrize("action", ["look again", "settle"])
def test_every_trace_move_from_every_state(state, action):
    expected = TRACE_MOVES.get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition, match=f"parcel trace is {state}: it cannot {action}"):
            TRACE.next(TraceState(state), action)
    elif expected == "repeat":
        assert TRACE.next(TraceState(state), action) is None
    else:
        assert TRACE.next(TraceState(state), action) is TraceState(expected)


def traced_event(status: str, verdict: str, why: str) -> ParcelTraced:
    return ParcelTraced(
        case_id="case-1",
        carrier="USPS",
        tracking_number=PARCEL.tracking_number,
        status=status,
        verdict=verdict,
        why=why,
        at=NOW,
    )


def test_a_parcel_still_moving_keeps_its_trace_pending():
    reading = read(PARCEL, OPENED, NOW)
    transition = traced(TraceState.PENDING, ASKED, "in_transit", reading, NOW)
    assert transition.state is TraceState.PENDING
    assert transition.events == (traced_event("in_transit", "wait", reading.why),)


@pytest.mark.parametrize("status", ["delivered", "return_to_sender"])
def test_the_carriers_final_word_settles_the_trace(status):
    reading = read(parcel(status), OPENED, NOW)
    transition = traced(TraceState.PENDING, ASKED, status, reading, NOW)
    assert transition.state is TraceState.DONE
    assert transition.events == (traced_event(status, reading.verdict.value, reading.why),)


def test_no_word_from_the_carrier_settles_the_trace_untraced():
    reading = untraced("no carrier tracking is configured")
    transition = traced(TraceState.PENDING, ASKED, UNTRACED, reading, NOW)
    assert transition.state is TraceState.DONE
    assert transition.events == (traced_event("untraced", "untraced", reading.why),)


def test_a_settled_trace_settles_no_more():
    reading = read(parcel("delivered"), OPENED, NOW)
    assert traced(TraceState.DONE, ASKED, "delivered", reading, NOW).events == ()
    with pytest.raises(IllegalTransition, match="trace of case-1 is done"):
        traced(TraceState.DONE, ASKED, "in_transit", read(PARCEL, OPENED, NOW), NOW)


@pytest.mark.parametrize(
    ("scenario", "tracking_number", "expected"),
    [
        ("not_received", "9400", True),
        ("not_received", None, False),
        ("minor_defect", "9400", False),
    ],
)
def test_only_a_parcel_never_received_with_a_tracking_number_is_traced(
    scenario, tracking_number, expected
):
    assert needs_trace(scenario, tracking_number) is expected
