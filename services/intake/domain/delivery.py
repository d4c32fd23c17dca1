"""A delivery's lifecycle: accepted (stored before its webhook was answered), then applied
to the cases by the delivery worker, or failed for good with its cause.

A try that fails but may succeed later (the marketplace was down, the case an update
names is not open yet) leaves the delivery accepted, due again after a pause; after the
last allowed try, or when trying again cannot help, it fails. Deliveries carry no events
of their own: the cases they open, update or erase do.
"""

from enum import StrEnum

from shared.lifecycle import Lifecycle, Transition


class DeliveryState(StrEnum):
    ACCEPTED = "accepted"  # stored, to be completed and applied
    APPLIED = "applied"
    FAILED = "failed"  # given up, with its cause: `GET /deliveries?state=failed`


DELIVERY = Lifecycle(
    "delivery",
    {
        "apply": {DeliveryState.ACCEPTED: DeliveryState.APPLIED},
        "retry": {DeliveryState.ACCEPTED: DeliveryState.ACCEPTED},
        "fail": {DeliveryState.ACCEPTED: DeliveryState.FAILED},
    },
)


def applied(state: DeliveryState) -> Transition[DeliveryState]:
    return Transition(DELIVERY.next(state, "apply"))


def retried(state: DeliveryState) -> Transition[DeliveryState]:
    return Transition(DELIVERY.next(state, "retry"))


def failed(state: DeliveryState) -> Transition[DeliveryState]:
    return Transition(DELIVERY.next(state, "fail"))


def after_failure(
    state: DeliveryState, *, may_retry: bool, attempts: int, max_attempts: int
) -> Transition[DeliveryState]:
    """Tried again while trying later may help and tries are left; failed otherwise."""
    if may_retry and attempts < max_attempts:
        return retried(state)
    return failed(state)
