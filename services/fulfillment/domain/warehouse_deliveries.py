"""A dispatch task's delivery to a warehouse's own system: pending until its webhook takes
it (a 2xx), failed after the last attempt, cancelled when the endpoint was removed."""

from enum import StrEnum

from shared.lifecycle import Lifecycle, Transition


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


PENDING, DELIVERED, FAILED, CANCELLED = DeliveryState

DELIVERY = Lifecycle(
    "warehouse delivery",
    moves={
        "deliver": {PENDING: DELIVERED},
        "try again": {PENDING: PENDING},
        "give up": {PENDING: FAILED},
        "cancel": {PENDING: CANCELLED},
    },
)


def after_attempt(
    state: str, taken: bool, attempts: int, max_attempts: int
) -> Transition[DeliveryState]:
    """Delivered when the warehouse took it, else tried again until the last attempt."""
    if taken:
        action = "deliver"
    elif attempts >= max_attempts:
        action = "give up"
    else:
        action = "try again"
    return Transition(DELIVERY.next(DeliveryState(state), action))


def cancel(state: str) -> Transition[DeliveryState]:
    """Nowhere to send it: the warehouse's endpoint was removed."""
    return Transition(DELIVERY.next(DeliveryState(state), "cancel"))
