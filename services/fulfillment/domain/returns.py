"""A return's life: a prepaid label issued, then the parcel received at the warehouse,
once, when a scan names its RMA or its label's tracking number. Until then a carrier
pickup can be booked, and booked again to move it. A parcel no scan could match is held
until staff match it to its return, and matching it receives the return."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from services.fulfillment.domain.carriers import Quote, quotes, ranked
from services.fulfillment.domain.pickups import PickupWindow, check_pickup
from services.fulfillment.domain.shipments import new_pickup_confirmation
from services.fulfillment.domain.warehouses import Warehouse
from shared.events import CaseItem, PickupScheduled, ReturnReceived, ReturnRoute
from shared.lifecycle import IllegalTransition, Lifecycle, Transition
from shared.markets import Market


class ReturnState(StrEnum):
    ISSUED = "issued"
    RECEIVED = "received"


ISSUED, RECEIVED = ReturnState

RETURN = Lifecycle(
    "return",
    moves={"receive": {ISSUED: RECEIVED}, "book a pickup": {ISSUED: ISSUED}},
    done={"receive": {RECEIVED}},
)


class HeldState(StrEnum):
    HELD = "held"
    MATCHED = "matched"


HELD, MATCHED = HeldState

HELD_PARCEL = Lifecycle("held parcel", moves={"match": {HELD: MATCHED}}, done={"match": {MATCHED}})


class Return(Protocol):
    """What the moves read of a return (a `returns` row)."""

    rma_id: str
    case_id: str
    warehouse: str
    carrier: str
    market: str
    currency: str
    items: list[dict[str, Any]]
    route: str
    received_at: datetime | None
    for_repair: bool


class Held(Protocol):
    """What the moves read of a held parcel (a `held_parcels` row)."""

    holding_id: str
    matched_rma: str | None


def return_services(
    warehouse: Warehouse, market: Market, weight_g: int, now: datetime
) -> list[Quote]:
    """The services a prepaid return label is bought with, the first choice first: the
    warehouse's return carrier, cheapest first, then any other, cheapest first. Rated
    without the buyer's postcode (the farthest zone), as the label is priced when the return
    is decided."""
    offered = quotes(warehouse, market, None, weight_g, now)
    own = [quote for quote in offered if quote.carrier == warehouse.return_carrier]
    return ranked(own, None) + ranked([quote for quote in offered if quote not in own], None)


def state_of(parcel: Return) -> ReturnState:
    """No column says it: a return is received once it has a receiving time."""
    return ISSUED if parcel.received_at is None else RECEIVED


def receive(
    parcel: Return, condition_note: str, photos: Sequence[str], at: datetime
) -> Transition[ReturnState]:
    """Received once: a second scan changes nothing."""
    state = state_of(parcel)
    to = RETURN.next(state, "receive")
    if to is None:
        return Transition(state)
    received = ReturnReceived(
        case_id=parcel.case_id,
        rma_id=parcel.rma_id,
        warehouse=parcel.warehouse,
        condition_note=condition_note,
        received_at=at,
        items=[CaseItem.model_validate(item) for item in parcel.items],
        market=parcel.market or None,
        currency=parcel.currency or None,
        route=ReturnRoute(parcel.route),
        photos=list(photos),
        for_repair=parcel.for_repair,
    )
    return Transition(to, (received,))


def book_pickup(
    parcel: Return, window: PickupWindow, now: datetime, confirmation: str | None = None
) -> Transition[ReturnState]:
    """A parcel already received needs no pickup; `PickupRefused` for a window the carrier
    does not offer. The carrier's `confirmation` when it was booked with it; else one
    minted here."""
    to = RETURN.next(
        state_of(parcel), "book a pickup", refusal=f"return {parcel.rma_id} was received already"
    )
    check_pickup(parcel.carrier, Market(parcel.market), window, now)
    scheduled = PickupScheduled(
        case_id=parcel.case_id,
        rma_id=parcel.rma_id,
        carrier=parcel.carrier,
        day=window.day,
        starts=window.starts,
        ends=window.ends,
        confirmation=confirmation or new_pickup_confirmation(),
    )
    return Transition(to, (scheduled,))


def held_state_of(held: Held) -> HeldState:
    return HELD if held.matched_rma is None else MATCHED


def match(held: Held, rma_id: str) -> Transition[HeldState]:
    """Matched to one return; matched again to the same one changes nothing."""
    if held.matched_rma not in (None, rma_id):
        raise IllegalTransition(f"{held.holding_id} was matched to {held.matched_rma}")
    state = held_state_of(held)
    return Transition(HELD_PARCEL.next(state, "match") or state)
