"""A dispatch task's life in the warehouse: requested → picked → packed → shipped, or a
problem reported while it is still there (its stock goes back, the case to the next
warehouse). A step taken again changes nothing; a shipped task cannot be un-shipped and no
step can be skipped. Packing weighs the parcel and rates it for the buyer's postcode: the
cheapest service still meeting the promised date, else the fastest."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Protocol

from services.fulfillment.domain.carriers import Quote, quotes, ranked
from services.fulfillment.domain.shipments import new_tracking_number
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from shared.events import DispatchProblem, Remedy, ShipmentPacked, ShipmentPicked, Shipped
from shared.lifecycle import IllegalTransition, Lifecycle, Transition
from shared.markets import Currency, Market


class TaskStatus(StrEnum):
    REQUESTED = "requested"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    PROBLEM = "problem"


REQUESTED, PICKED, PACKED, SHIPPED, PROBLEM = TaskStatus

# Still in the warehouse: what staff work on, and where a problem can still be reported.
OPEN = (REQUESTED, PICKED, PACKED)
# A label can be drawn once the parcel is weighed and rated.
LABELLED = (PACKED, SHIPPED)

TASK = Lifecycle(
    "dispatch task",
    moves={
        "pick": {REQUESTED: PICKED},
        "pack": {PICKED: PACKED},
        "ship": {PACKED: SHIPPED},
        "report a problem": {state: PROBLEM for state in OPEN},
    },
    done={
        "pick": {PICKED, PACKED, SHIPPED},
        "pack": {PACKED, SHIPPED},
        "ship": {SHIPPED},
        "report a problem": {PROBLEM},
    },
)

Problem = Literal["damaged_stock", "not_found", "other"]
# Units damaged or not found are written off; "other" gives them back to the shelf.
UNITS_LOST: frozenset[str] = frozenset({"damaged_stock", "not_found"})


class Task(Protocol):
    """What the moves read of a dispatch task (a `shipments` row)."""

    shipment_id: str
    case_id: str
    remedy: str
    warehouse: str
    status: str
    market: str
    carrier: str
    service: str
    postage_minor: int
    postage_currency: str
    promised_by: date | None
    weight_g: int | None
    tracking_number: str | None


@dataclass(frozen=True)
class BoughtService:
    """A label the carrier sold for the parcel: the rate cards' quote it stands for and the
    carrier's tracking number."""

    quote: Quote
    tracking_number: str


@dataclass(frozen=True)
class Packed(Transition[TaskStatus]):
    """Packing's transition, with the service the parcel was rated for and its label's
    tracking number (none for a repeat)."""

    quote: Quote | None = None
    tracking_number: str = ""


def pick(task: Task, by: str, at: datetime) -> Transition[TaskStatus]:
    state = TaskStatus(task.status)
    to = TASK.next(state, "pick", refusal=_refusal(task, "picked"))
    if to is None:
        return Transition(state)
    picked = ShipmentPicked(
        case_id=task.case_id, shipment_id=task.shipment_id, warehouse=task.warehouse, by=by, at=at
    )
    return Transition(to, (picked,))


def pack(
    task: Task,
    weight_g: int,
    postal_code: str | None,
    by: str,
    at: datetime,
    bought: BoughtService | None = None,
) -> Packed:
    """Packed again at the same weight changes nothing; at another weight it is refused.
    `ShippingRefused` when no service takes the parcel. With a label `bought` from the
    carrier, its service and tracking number; else the cards' choice and a number minted
    here."""
    state = TaskStatus(task.status)
    refusal = _refusal(task, "packed (pick it first)")
    to = TASK.next(state, "pack", refusal=refusal)
    if to is None:
        if task.weight_g != weight_g:
            raise IllegalTransition(refusal)
        return Packed(state)
    quote = bought.quote if bought else rate_parcel(task, weight_g, postal_code, at)
    packed = ShipmentPacked(
        case_id=task.case_id,
        shipment_id=task.shipment_id,
        warehouse=task.warehouse,
        weight_g=weight_g,
        carrier=quote.carrier,
        service=quote.service,
        by=by,
        at=at,
    )
    tracking_number = bought.tracking_number if bought else new_tracking_number(quote.carrier)
    return Packed(to, (packed,), quote, tracking_number)


def rate_parcel(task: Task, weight_g: int, postal_code: str | None, now: datetime) -> Quote:
    """The cheapest service delivering by the promised date, else the fastest."""
    return rank_parcel(task, weight_g, postal_code, now)[0]


def rank_parcel(task: Task, weight_g: int, postal_code: str | None, now: datetime) -> list[Quote]:
    """Every service taking the parcel, in the order the cards choose (`carriers.ranked`)."""
    warehouse = WAREHOUSE_BY_CODE[task.warehouse]
    offered = quotes(warehouse, Market(task.market), postal_code, weight_g, now)
    return ranked(offered, task.promised_by)


def check_labelled(task: Task) -> None:
    """A label shows the service and the tracking number packing gave the parcel."""
    if TaskStatus(task.status) not in LABELLED:
        raise IllegalTransition(_refusal(task, "labelled before it is packed"))


def ship(task: Task, tracking_number: str | None, by: str, at: datetime) -> Transition[TaskStatus]:
    """Handed to the carrier under the label's tracking number, or the one staff give.
    Shipped again changes nothing, unless it names another tracking number."""
    state = TaskStatus(task.status)
    to = TASK.next(state, "ship", refusal=_refusal(task, "shipped (pack and label it first)"))
    if to is None:
        if tracking_number not in (None, task.tracking_number):
            raise IllegalTransition(
                f"task {task.shipment_id} shipped as {task.tracking_number} already"
            )
        return Transition(state)
    shipped = Shipped(
        case_id=task.case_id,
        shipment_id=task.shipment_id,
        remedy=Remedy(task.remedy),
        warehouse=task.warehouse,
        carrier=task.carrier,
        service=task.service,
        tracking_number=tracking_number or task.tracking_number,
        postage_minor=task.postage_minor,
        postage_currency=Currency(task.postage_currency),
        promised_by=task.promised_by,
        by=by,
        at=at,
    )
    return Transition(to, (shipped,))


def report_problem(
    task: Task, problem: Problem, note: str, by: str, at: datetime
) -> Transition[TaskStatus]:
    state = TaskStatus(task.status)
    refusal = _refusal(task, "reported (it has left the warehouse)")
    to = TASK.next(state, "report a problem", refusal=refusal)
    if to is None:
        return Transition(state)
    reported = DispatchProblem(
        case_id=task.case_id,
        shipment_id=task.shipment_id,
        warehouse=task.warehouse,
        problem=problem,
        note=note,
        by=by,
        at=at,
    )
    return Transition(to, (reported,))


def _refusal(task: Task, doing: str) -> str:
    return f"task {task.shipment_id} is {task.status}: it cannot be {doing}"
