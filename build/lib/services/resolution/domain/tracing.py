"""What the carrier's answer means for a parcel the buyer says never arrived: `read`.

Before sending a parcel again or paying it back, resolution asks the carrier where it
is (`carrier_tracking.CarrierTracking.track`); this reads the answer:

- DELIVERED: the carrier says it arrived (or waits at a pickup point): an agent checks
  with the buyer before any remedy;
- WAIT: still moving and not late, or the carrier shows nothing yet: look again at
  `look_again_at`, never later than `MAX_WAIT` after the case was opened;
- LOST: returned, failed, cancelled, or still not there `MAX_WAIT` after the case was
  opened: go on with the plan (reship or refund).

Pure functions: the current time is always passed in.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.resolution.carrier_tracking import ParcelStatus
from shared.business_time import utc


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

ARRIVED = frozenset({"delivered", "available_for_pickup"})
MOVING = frozenset({"pre_transit", "in_transit", "out_for_delivery"})
ENDED = frozenset({"return_to_sender", "failure", "cancelled", "error"})


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
