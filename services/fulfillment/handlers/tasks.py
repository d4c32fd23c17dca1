"""Warehouse staff's dispatch tasks: list them, confirm picked, packed (weighed, rated
for the buyer's postcode, labelled) and shipped, or report a problem. Each step is an
event; repeating a step changes nothing, and a shipped task stays shipped. Staff reach
their own warehouses' tasks only (another's answers 404); agents and operations read
their sellers' tasks of a case.

With a carrier account (EasyPost), packing buys the parcel's label in the staff's request,
as they need it in hand to ship: the carrier's tracking number goes on the task and
`label.pdf` is the carrier's file. Buying happens outside the task's row lock; when
EasyPost cannot answer, packing answers 503 with Retry-After and nothing is packed, and
packing again is safe: a label bought meanwhile is read back, never bought twice."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.carriers import MAX_PARCEL_G, ShippingRefused
from services.fulfillment.domain.labels import shipping_label_of
from services.fulfillment.domain.tasks import OPEN, Problem, check_labelled
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from services.fulfillment.handlers.answers import (
    LabelChoice,
    buyer_address,
    carrier_answers,
    carrier_file,
    illegal_as_409,
)
from services.fulfillment.handlers.scoping import staff_or_404, staff_warehouse
from services.fulfillment.tables import Shipment
from services.fulfillment.workflows import labelling, tasks
from services.fulfillment.workflows.context import CurrentFulfillment
from shared.audit import personal_data
from shared.identity import Principal, SellerReader, WarehouseStaff
from shared.labels import shipping_label_pdf, shipping_label_zpl
from shared.lifecycle import IllegalTransition
from shared.routes import attachment, get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["dispatch tasks"])
PositiveSide = Annotated[int, Field(gt=0, le=3000)]


@router.get("/warehouses/{code}/tasks", summary="A warehouse's dispatch tasks, oldest first")
async def list_tasks(
    code: str,
    service: CurrentService,
    caller: WarehouseStaff,
    status: Annotated[list[str] | None, Query()] = None,
) -> list[Shipment]:
    staff_warehouse(caller, code)
    async with service.sessions() as session:
        rows = await session.scalars(
            select(Shipment)
            .where(Shipment.warehouse == code, Shipment.status.in_(status or OPEN))
            .order_by(Shipment.requested_at)
        )
        return list(rows)


@router.get("/shipments", summary="Dispatch tasks of a case")
async def list_shipments(
    case_id: str, service: CurrentService, caller: SellerReader
) -> list[Shipment]:
    async with service.sessions() as session:
        rows = await session.scalars(
            select(Shipment).where(
                Shipment.case_id == case_id, caller.sellers_in(Shipment.seller_account)
            )
        )
        return list(rows)


async def staff_task(
    session: AsyncSession, caller: Principal, shipment_id: str, lock: bool = True
) -> Shipment:
    """The caller's warehouse's task; another warehouse's answers as unknown."""
    missing = f"no dispatch task {shipment_id}"
    task = await get_or_404(session, Shipment, shipment_id, missing, lock=lock)
    staff_or_404(caller, task.warehouse, missing)
    return task


@router.post("/tasks/{shipment_id}/picked", summary="Confirm the pick list picked")
async def confirm_picked(
    shipment_id: str, service: CurrentService, caller: WarehouseStaff
) -> Shipment:
    async with service.transaction() as session:
        task = await staff_task(session, caller, shipment_id)
        with illegal_as_409():
            return await tasks.pick(service, session, task, caller.name)


class Packing(BaseModel):
    weight_g: int = Field(gt=0, le=MAX_PARCEL_G, description="The packed parcel, in grams")
    dimensions_mm: tuple[PositiveSide, PositiveSide, PositiveSide] | None = Field(
        default=None,
        description="The packed box measured (length, width, height in mm), for a carrier "
        "label bought with its size; unset: the size the catalog gives, if any",
    )


@router.post("/tasks/{shipment_id}/packed", summary="Confirm packed: weigh, rate and label")
async def confirm_packed(
    shipment_id: str,
    packing: Packing,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: WarehouseStaff,
) -> Shipment:
    by = caller.name
    async with service.sessions() as session:
        task = await staff_task(session, caller, shipment_id, lock=False)
    recipient = await buyer_address(
        fulfillment, task.case_id
    )  # outside the row lock: a remote call
    bought = None
    if fulfillment.labels is not None:  # likewise the carrier's label
        with illegal_as_409(), carrier_answers():
            bought = await labelling.dispatch_label(
                service,
                fulfillment.labels,
                task,
                packing.weight_g,
                recipient,
                by,
                packing.dimensions_mm,
            )
    try:
        async with service.transaction() as session:
            task = await staff_task(session, caller, shipment_id)
            return await tasks.pack(
                service, session, task, packing.weight_g, recipient.postal_code, by, bought
            )
    except IllegalTransition as refusal:
        if bought is not None:  # the task moved on meanwhile: its label is not used
            async with service.transaction() as session:
                await labelling.give_up(session, shipment_id)
        raise HTTPException(409, refusal.reason) from refusal
    except ShippingRefused as refusal:
        raise HTTPException(422, str(refusal)) from refusal


@router.get(
    "/tasks/{shipment_id}/label.pdf",
    summary="The parcel's 4×6 in shipping label",
    dependencies=[personal_data("ship-to address")],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def shipping_label(
    shipment_id: str,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: WarehouseStaff,
    label: LabelChoice = None,
) -> Response:
    """The carrier's label when one was bought, else drawn here; a warehouse printing its
    own (`WAREHOUSES_DRAWING_LABELS`) gets it drawn here, with the carrier's tracking
    number, unless it asks `?label=carrier`."""
    async with service.sessions() as session:
        task = await staff_task(session, caller, shipment_id, lock=False)
        bought = await labelling.label_of(session, shipment_id)
    with illegal_as_409():
        check_labelled(task)
    drawn_here = task.warehouse in service.settings.warehouses_drawing_labels
    if label == "drawn" or (label is None and drawn_here) or bought is None:
        if label == "carrier":
            raise HTTPException(404, f"task {shipment_id} has no label from the carrier")
        recipient = await buyer_address(fulfillment, task.case_id)
        drawn = shipping_label_of(task, WAREHOUSE_BY_CODE[task.warehouse], recipient)
        return Response(shipping_label_pdf(drawn), media_type="application/pdf")
    return await carrier_file(fulfillment, bought.label_url)


@router.get(
    "/tasks/{shipment_id}/label.zpl",
    summary="The parcel's 4×6 in shipping label as ZPL, for a Zebra printer (203 dpi)",
    dependencies=[personal_data("ship-to address")],
    response_class=Response,
    responses={200: {"content": {"application/zpl": {}}}},
)
async def shipping_label_for_zebra(
    shipment_id: str,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: WarehouseStaff,
) -> Response:
    """Drawn here from the same label data as the PDF drawn here: the service and the
    tracking number packing gave the parcel (the carrier's, when one was bought)."""
    async with service.sessions() as session:
        task = await staff_task(session, caller, shipment_id, lock=False)
    with illegal_as_409():
        check_labelled(task)
    recipient = await buyer_address(fulfillment, task.case_id)
    drawn = shipping_label_of(task, WAREHOUSE_BY_CODE[task.warehouse], recipient)
    headers = attachment(f"label-{shipment_id}.zpl")
    return Response(shipping_label_zpl(drawn), media_type="application/zpl", headers=headers)


class Shipping(BaseModel):
    tracking_number: str | None = Field(
        default=None, min_length=4, max_length=64, description="Only if not the label's own"
    )


@router.post("/tasks/{shipment_id}/shipped", summary="Confirm handed to the carrier")
async def confirm_shipped(
    shipment_id: str,
    service: CurrentService,
    caller: WarehouseStaff,
    shipping: Shipping | None = None,
) -> Shipment:
    tracking_number = shipping.tracking_number if shipping else None
    async with service.transaction() as session:
        task = await staff_task(session, caller, shipment_id)
        with illegal_as_409():
            return await tasks.ship(service, session, task, tracking_number, caller.name)


class ProblemReport(BaseModel):
    problem: Problem
    note: str = Field(default="", max_length=2000)


@router.post("/tasks/{shipment_id}/problem", summary="Report a task that cannot be filled")
async def report_problem(
    shipment_id: str, report: ProblemReport, service: CurrentService, caller: WarehouseStaff
) -> Shipment:
    """The stock is given back (less the damaged or missing units), and the case is sent
    to the next warehouse of its region that holds it (never one that failed it before),
    or back to resolution."""
    async with service.transaction() as session:
        task = await staff_task(session, caller, shipment_id)
        with illegal_as_409():
            return await tasks.report_problem(
                service, session, task, report.problem, report.note, caller.name
            )
