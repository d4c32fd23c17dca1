"""Units refurbish routes back to the factory: each warehouse fills one open
consolidation, which staff dispatch as one shipment with one commercial invoice
(open → dispatched; dispatched again changes nothing)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from services.fulfillment.domain.shipments import new_tracking_number
from shared.events import ReturnedToOrigin
from shared.lifecycle import IllegalTransition, Lifecycle, Transition

ORIGIN_CARRIER = "DHL"  # DHL Express carries the consolidated freight to Shenzhen


class ConsolidationStatus(StrEnum):
    OPEN = "open"
    DISPATCHED = "dispatched"


OPEN, DISPATCHED = ConsolidationStatus

CONSOLIDATION = Lifecycle(
    "origin shipment", moves={"dispatch": {OPEN: DISPATCHED}}, done={"dispatch": {DISPATCHED}}
)


class Consolidation(Protocol):
    """What the moves read of a consolidation (an `origin_consolidations` row)."""

    consolidation_id: str
    warehouse: str
    status: str


class Unit(Protocol):
    rma_id: str
    case_id: str


@dataclass(frozen=True)
class Dispatched(Transition[ConsolidationStatus]):
    """Dispatching's transition, with what the consolidation leaves under (nothing for
    a repeat)."""

    invoice_number: str = ""
    carrier: str = ""
    tracking_number: str = ""


def dispatch(
    consolidation: Consolidation,
    units: Sequence[Unit],
    tracking_number: str | None,
    at: datetime,
) -> Dispatched:
    """Shipped under the tracking number staff give, or one minted for the carrier; each
    unit's case learns it left."""
    state = ConsolidationStatus(consolidation.status)
    to = CONSOLIDATION.next(state, "dispatch")
    if to is None:
        return Dispatched(state)
    check_holds_units(consolidation, units)
    invoice_number = f"CI-{at:%Y%m%d}-{consolidation.consolidation_id[-6:].upper()}"
    tracking_number = tracking_number or new_tracking_number(ORIGIN_CARRIER)
    left = tuple(
        ReturnedToOrigin(
            case_id=unit.case_id,
            consolidation_id=consolidation.consolidation_id,
            rma_id=unit.rma_id,
            warehouse=consolidation.warehouse,
            invoice_number=invoice_number,
            carrier=ORIGIN_CARRIER,
            tracking_number=tracking_number,
            at=at,
        )
        for unit in units
    )
    return Dispatched(to, left, invoice_number, ORIGIN_CARRIER, tracking_number)


def check_holds_units(consolidation: Consolidation, units: Sequence[Unit]) -> None:
    """Nothing to declare nor to ship in an empty consolidation."""
    if not units:
        raise IllegalTransition(f"origin shipment {consolidation.consolidation_id} holds no units")


def check_invoiced(consolidation: Consolidation) -> None:
    """The commercial invoice is printed once the consolidation is dispatched."""
    if ConsolidationStatus(consolidation.status) is not DISPATCHED:
        raise IllegalTransition(
            f"origin shipment {consolidation.consolidation_id} is not dispatched yet"
        )
