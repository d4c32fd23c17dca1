"""What the carrier's answer means for a parcel the buyer says never arrived: `read`.

Before sending a parcel again or paying it back, resolution asks the carrier where it
is (`adapters/carrier_tracking.py` answers with a `ParcelStatus`); this reads the answer:

- DELIVERED: the carrier says it arrived (or waits at a pickup point): an agent checks
  with the buyer before any remedy;
- WAIT: still moving and not late, or the carrier shows nothing yet: look again at
  `look_again_at`, never later than `MAX_WAIT` after the case was opened;
- LOST: returned, failed, cancelled, or still not there `MAX_WAIT` after the case was
  opened: go on with the plan (reship or refund).

A trace is pending until the carrier's word settles it (`TRACE`): a WAIT keeps it
pending, to be asked again at `look_again_at`; any other verdict, or none at all
(`untraced`), settles it and the case goes on.

Pure functions: the current time is always passed in.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.business_time import utc
from shared.events import ParcelTraced, Scenario
from shared.lifecycle import Lifecycle, Transition

# Where the parcel is, in EasyPost's words (https://docs.easypost.com/docs/trackers).
ARRIVED = frozenset({"delivered", "available_for_pickup"})
MOVING = frozenset({"pre_transit", "in_transit", "out_for_delivery"})
ENDED = frozenset({"return_to_sender", "failure", "cancelled", "error"})
UNKNOWN = "unknown"
STATUSES = ARRIVED | MOVING | ENDED | {UNKNOWN}
UNTRACED = "untraced"  # the status of a parcel nobody could ask the carrier about


@dataclass(frozen=True)
class ParcelStatus:
    """Where the carrier says the parcel is; datetimes are aware, in UTC."""

    carrier: str
    tracking_number: str
    status: str  # one of `STATUSES`; a value the carrier adds later reads as "unknown"
    delivered_at: datetime | None  # the latest "delivered" tracking detail
    estimated_delivery: datetime | None
    last_event: str  # the latest tracking detail's message, "" if none


class Verdict(StrEnum):
    DELIVERED = "delivered"  # the carrier says it arrived: an agent checks with the buyer
    WAIT = "wait"  # still moving and not late: look again later
    LOST = "lost"  # returned, failed, cancelled, or still not there long after: go on


@dataclass(frozen=True)
class Reading:
    verdict: Verdict
    look_again_at: datetime | None  # for WAIT only
    why: str  # one sentence for the case's rule and the agent


# From the case's opening: a parcel still not delivered after this counts as lost.
MAX_WAIT = timedelta(days=5)
# How long after the carrier's estimate, or after now, to look again.
LOOK_AGAIN_AFTER = timedelta(days=1)


def needs_trace(scenario: str, tracking_number: str | None) -> bool:
    """A parcel the buyer says never arrived is traced first, when it has a tracking number."""
    return scenario == Scenario.NOT_RECEIVED and bool(tracking_number)


def untraced(why: str) -> Reading:
    """The plan goes on without the carrier's word: treated like a lost parcel."""
    return Reading(Verdict.LOST, None, why)


def read(status: ParcelStatus, opened_at: datetime, now: datetime) -> Reading:
    """The verdict on `status` at `now`, for a case opened at `opened_at` (aware datetimes).

    A status outside EasyPost's list reads as "unknown". At exactly `opened_at + MAX_WAIT`
    the wait is over: a parcel not delivered by then is lost.
    """
    opened_at, now = utc(opened_at), utc(now)
    parcel = f"{status.carrier} {status.tracking_number}"
    deadline = opened_at + MAX_WAIT
    if status.status in ARRIVED:
        return Reading(Verdict.DELIVERED, None, f"{parcel}: {arrival_of(status)}")
    if status.status in ENDED:
        return Reading(Verdict.LOST, None, f"{parcel}: {ending_of(status)}")
    days = (now - opened_at).days
    if now >= deadline:
        state = "still in transit" if status.status in MOVING else "still without any scan"
        why = f"{parcel}: {state} {days} days after the buyer reported it"
        return Reading(Verdict.LOST, None, why)
    if status.status in MOVING:
        look_again_at = later_of_estimate_and_now(status, now)
        why = f"{parcel}: {status.status.replace('_', ' ')}{estimate_of(status)}"
    else:
        # Carriers often show nothing for a day after the label is made.
        look_again_at = now + LOOK_AGAIN_AFTER
        why = f"{parcel}: no scan from the carrier yet"
    look_again_at = min(look_again_at, deadline)
    return Reading(Verdict.WAIT, look_again_at, f"{why}; look again on {day_of(look_again_at)}")


def later_of_estimate_and_now(status: ParcelStatus, now: datetime) -> datetime:
    soon = now + LOOK_AGAIN_AFTER
    if status.estimated_delivery is None:
        return soon
    return max(utc(status.estimated_delivery) + LOOK_AGAIN_AFTER, soon)


def arrival_of(status: ParcelStatus) -> str:
    if status.status == "available_for_pickup":
        return "waiting for the buyer at a pickup point" + event_of(status)
    if status.delivered_at is None:
        return "delivered" + event_of(status)
    return f"delivered on {day_of(status.delivered_at)}" + event_of(status)


def ending_of(status: ParcelStatus) -> str:
    words = {
        "return_to_sender": "returned to the sender",
        "failure": "delivery failed",
        "cancelled": "cancelled by the carrier",
        "error": "the carrier reports an error",
    }
    return words[status.status] + event_of(status)


def estimate_of(status: ParcelStatus) -> str:
    if status.estimated_delivery is None:
        return ", no delivery estimate"
    return f", expected on {day_of(status.estimated_delivery)}"


def event_of(status: ParcelStatus) -> str:
    return f" ({status.last_event})" if status.last_event else ""


def day_of(moment: datetime) -> str:
    return utc(moment).date().isoformat()


class TraceState(StrEnum):
    PENDING = "pending"  # the trace worker asks the carrier, at `next_attempt_at`
    DONE = "done"  # the carrier's word (or its absence) settled it


TRACE = Lifecycle(
    "parcel trace",
    {
        "look again": {TraceState.PENDING: TraceState.PENDING},
        "settle": {TraceState.PENDING: TraceState.DONE},
    },
    done={"settle": {TraceState.DONE}},
)


@dataclass(frozen=True)
class Trace:
    """A parcel asked about, for the case of `case_id`."""

    case_id: str
    carrier: str
    tracking_number: str


def traced(
    state: TraceState, trace: Trace, carrier_status: str, reading: Reading, now: datetime
) -> Transition[TraceState]:
    """The carrier's word on the parcel, read (`carrier_status` UNTRACED: nobody could ask):
    a WAIT keeps the trace pending until `look_again_at`; any other reading settles it."""
    waits = reading.verdict is Verdict.WAIT and reading.look_again_at is not None
    to = TRACE.next(state, "look again" if waits else "settle", f"trace of {trace.case_id}")
    if to is None:
        return Transition(state)
    verdict = UNTRACED if carrier_status == UNTRACED else reading.verdict.value
    event = ParcelTraced(
        case_id=trace.case_id,
        carrier=trace.carrier,
        tracking_number=trace.tracking_number,
        status=carrier_status,
        verdict=verdict,
        why=reading.why,
        at=now,
    )
    return Transition(to, (event,))
