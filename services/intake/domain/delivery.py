"""A delivery's lifecycle: accepted (stored before its webhook was answered), then applied
to the cases by the delivery worker, or failed with its cause.

A try that fails but may succeed later (the marketplace was down, the case an update
names is not open yet) leaves the delivery accepted, due again after a pause that grows
with each try (capped, with jitter, never shorter than the marketplace's Retry-After).
Trying goes on for a time budget counted from the delivery's first receipt (72 hours by
default); a try that fails once the budget is spent, or that trying again cannot help,
fails the delivery. A failed delivery is revived (accepted again, due at once, with a
budget of its own) by an operator's retry or by the marketplace delivering it again, or
discarded by an operator with the reason (then nothing revives it).
Deliveries carry no events of their own: the cases they open, update or erase do.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.lifecycle import Lifecycle, Transition


class DeliveryState(StrEnum):
    ACCEPTED = "accepted"  # stored, to be completed and applied
    APPLIED = "applied"
    FAILED = "failed"  # given up, with its cause: `GET /deliveries?state=failed`
    DISCARDED = "discarded"  # a failed one an operator set aside, saying why


DELIVERY = Lifecycle(
    "delivery",
    {
        "apply": {DeliveryState.ACCEPTED: DeliveryState.APPLIED},
        "retry": {DeliveryState.ACCEPTED: DeliveryState.ACCEPTED},
        "fail": {DeliveryState.ACCEPTED: DeliveryState.FAILED},
        "revive": {DeliveryState.FAILED: DeliveryState.ACCEPTED},
        "discard": {DeliveryState.FAILED: DeliveryState.DISCARDED},
    },
    # Reviving one that is still being tried changes nothing: it is due in its own time.
    done={"revive": {DeliveryState.ACCEPTED}},
)


def applied(state: DeliveryState) -> Transition[DeliveryState]:
    return Transition(DELIVERY.next(state, "apply"))


def retried(state: DeliveryState) -> Transition[DeliveryState]:
    return Transition(DELIVERY.next(state, "retry"))


def failed(state: DeliveryState) -> Transition[DeliveryState]:
    return Transition(DELIVERY.next(state, "fail"))


def revived(state: DeliveryState, what: str | None = None) -> Transition[DeliveryState] | None:
    """Accepted again, to be tried from now on; None when it is still being tried."""
    to = DELIVERY.next(state, "revive", what)
    return None if to is None else Transition(to)


def discarded(state: DeliveryState, what: str | None = None) -> Transition[DeliveryState]:
    """Set aside by an operator: neither tried again nor revived by a redelivery."""
    return Transition(DELIVERY.next(state, "discard", what))


def revivable() -> tuple[DeliveryState, ...]:
    """The states a delivery is revived from (by an operator's retry or a redelivery)."""
    return tuple(state for state in DeliveryState if DELIVERY.allows(state, "revive"))


@dataclass(frozen=True)
class Retries:
    """How long a delivery is tried, and how long it waits between tries."""

    budget: timedelta  # from its first receipt (or its revival) to the try that gives up
    longest_pause: timedelta
    first_pause: timedelta = timedelta(seconds=1)


def after_failure(
    state: DeliveryState,
    *,
    may_retry: bool,
    trying_since: datetime,
    now: datetime,
    retries: Retries,
) -> Transition[DeliveryState]:
    """Tried again while trying later may help and the budget is not spent; failed otherwise."""
    if may_retry and now < trying_since + retries.budget:
        return retried(state)
    return failed(state)


def pause_before_next_try(
    attempts: int, retries: Retries, jitter: float, retry_after: float | None = None
) -> timedelta:
    """Capped exponential backoff with jitter. The ceiling doubles with each failed try
    (`attempts` so far) from the first pause up to the longest; the pause is drawn between
    half of it and all of it (`jitter` in [0, 1)), so that deliveries an outage failed
    together do not all come back at the same moment. Never shorter than the marketplace
    asked (`retry_after`, seconds)."""
    doublings = min(max(attempts - 1, 0), 40)
    ceiling = min(retries.first_pause * 2**doublings, retries.longest_pause)
    pause = ceiling * (0.5 + jitter / 2)
    if retry_after is not None:
        pause = max(pause, timedelta(seconds=retry_after))
    return pause
