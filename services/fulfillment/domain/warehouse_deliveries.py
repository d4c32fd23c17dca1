"""A dispatch task's delivery to a warehouse's own system: pending until its webhook takes
it (a 2xx), failed after the last attempt, cancelled when the endpoint was removed. A failed
one waits for an operator (`workflows/failed_calls.py`): retried (pending again, its tries
counted afresh) or discarded, with the reason."""

from enum import StrEnum

from shared.lifecycle import Lifecycle, Transition


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DISCARDED = "discarded"  # failed, and given up by an operator (why: `error`)


PENDING, DELIVERED, FAILED, CANCELLED, DISCARDED = DeliveryState

DELIVERY = Lifecycle(
    "warehouse delivery",
    moves={
        "deliver": {PENDING: DELIVERED},
        "try again": {PENDING: PENDING},
        "give up": {PENDING: FAILED},
        "cancel": {PENDING: CANCELLED},
        "retry": {FAILED: PENDING},  # an operator, once the warehouse's system takes it
        "discard": {FAILED: DISCARDED},  # an operator, saying why
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


def retry(state: str, delivery_id: str) -> Transition[DeliveryState]:
    """A failed delivery owed again; refused for one that is not failed."""
    return Transition(DELIVERY.next(DeliveryState(state), "retry", f"delivery {delivery_id}"))


def discard(state: str, delivery_id: str) -> Transition[DeliveryState]:
    """A failed delivery given up; refused for one that is not failed."""
    return Transition(DELIVERY.next(DeliveryState(state), "discard", f"delivery {delivery_id}"))
