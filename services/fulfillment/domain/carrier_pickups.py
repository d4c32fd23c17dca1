"""A carrier collection of a return booked through EasyPost's Pickup API: one per window
booked, its reference the RMA and the window, so booking the same window again reads the
same pickup back rather than booking a second one.

booking (made at EasyPost, not yet bought) → scheduled (bought: the carrier's
confirmation). When the return's pickup is moved to another window, the one before it is
owed a cancellation → cancelled, so the carrier never comes twice."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.fulfillment.domain.pickups import PickupWindow
from shared.business_time import at_local
from shared.lifecycle import Lifecycle
from shared.markets import Market


class PickupState(StrEnum):
    BOOKING = "booking"
    SCHEDULED = "scheduled"
    CANCEL_OWED = "cancel_owed"
    CANCELLED = "cancelled"


BOOKING, SCHEDULED, CANCEL_OWED, CANCELLED = PickupState

PICKUP = Lifecycle(
    "carrier pickup",
    moves={
        "schedule": {BOOKING: SCHEDULED},
        "move away": {BOOKING: CANCEL_OWED, SCHEDULED: CANCEL_OWED},
        "cancel": {CANCEL_OWED: CANCELLED},
    },
    done={
        "schedule": {SCHEDULED},
        "move away": {CANCEL_OWED, CANCELLED},
        "cancel": {CANCELLED},
    },
)

# EasyPost's statuses of a Pickup.
EASYPOST_SCHEDULED, EASYPOST_CANCELED = "scheduled", "canceled"


@dataclass(frozen=True)
class PickupRate:
    carrier: str
    service: str
    amount: str
    currency: str


@dataclass(frozen=True)
class CarrierPickup:
    """An EasyPost pickup: its rates, and once bought, its confirmation."""

    pickup_id: str
    reference: str | None
    status: str
    confirmation: str | None
    rates: tuple[PickupRate, ...]

    @property
    def is_scheduled(self) -> bool:
        return self.status == EASYPOST_SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EASYPOST_CANCELED


def pickup_reference(rma_id: str, window: PickupWindow) -> str:
    """One booking per return and window: `RMA-…@2026-11-24T0900-1300`."""
    return f"{rma_id}@{window.day.isoformat()}T{window.starts:%H%M}-{window.ends:%H%M}"


def window_in_utc(window: PickupWindow, market: Market) -> tuple[datetime, datetime]:
    """The window (local to the buyer's market) as the moments EasyPost takes."""
    return at_local(window.day, window.starts, market), at_local(window.day, window.ends, market)


def rate_for(pickup: CarrierPickup, carrier: str) -> PickupRate | None:
    """The cheapest of the carrier's pickup rates; None when EasyPost offers it none."""
    offered = [rate for rate in pickup.rates if rate.carrier.lower() == carrier.lower()]
    return min(offered, key=lambda rate: Decimal(rate.amount), default=None)


def schedule(state: str, reference: str) -> PickupState:
    return _move(state, "schedule", reference)


def move_away(state: str, reference: str) -> PickupState:
    return _move(state, "move away", reference)


def cancel(state: str, reference: str) -> PickupState:
    return _move(state, "cancel", reference)


def _move(state: str, action: str, reference: str) -> PickupState:
    current = PickupState(state)
    return PICKUP.next(current, action, what=f"pickup {reference}") or current
