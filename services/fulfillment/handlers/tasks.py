"""Warehouse staff's dispatch tasks: list them, confirm picked, packed (weighed, rated
for the buyer's postcode, labelled) and shipped, or report a problem. Each step is an
event; repeating a step changes nothing, and a shipped task stays shipped."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.adapters.ship_to import ShipTo
from services.fulfillment.domain.carriers import (
    MAX_PARCEL_G,
    ShippingRefused,
    cheapest_meeting,
    quotes,
)
from services.fulfillment.domain.labels import shipping_label_of
from services.fulfillment.domain.shipments import new_tracking_number
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, Warehouse
from services.fulfillment.tables import Shipment
from services.fulfillment.workflows import dispatching
from shared.access import WarehouseStaff
from shared.events import (
    CaseItem,
    DispatchProblem,
    Remedy,
    ShipmentPacked,
    ShipmentPicked,
    Shipped,
)
from shared.labels import shipping_label_pdf
from shared.markets import Currency, Market
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["dispatch tasks"])

OPEN = ("requested", "picked", "packed")


def warehouse_of(code: str) -> Warehouse:
    if code not in WAREHOUSE_BY_CODE:
        raise HTTPException(404, f"no warehouse {code}")
    return WAREHOUSE_BY_CODE[code]


@router.get("/warehouses/{code}/tasks", summary="A warehouse's dispatch tasks, oldest first")
async def list_tasks(
    code: str,
    service: CurrentService,
    _: WarehouseStaff,
    status: Annotated[list[str] | None, Query()] = None,
) -> list[Shipment]:
    warehouse_of(code)
    async with service.sessions() as session:
        rows = await session.scalars(
            select(Shipment)
            .where(Shipment.warehouse == code, Shipment.status.in_(status or OPEN))
            .order_by(Shipment.requested_at)
        )
        return list(rows)


@router.get("/shipments", summary="Dispatch tasks of a case")
async def list_shipments(case_id: str, service: CurrentService) -> list[Shipment]:
    async with service.sessions() as session:
        rows = await session.scalars(select(Shipment).where(Shipment.case_id == case_id))
        return list(rows)


async def _task(session: AsyncSession, shipment_id: str) -> Shipment:
    shipment = await session.get(Shipment, shipment_id, with_for_update=True)
    if shipment is None:
        raise HTTPException(404, f"no dispatch task {shipment_id}")
    return shipment


def _refuse_unless(shipment: Shipment, *statuses: str, doing: str) -> None:
    if shipment.status not in statuses:
        raise HTTPException(
            409, f"task {shipment.shipment_id} is {shipment.status}: it cannot be {doing}"
        )


@router.post("/tasks/{shipment_id}/picked", summary="Confirm the pick list picked")
async def confirm_picked(shipment_id: str, service: CurrentService, by: WarehouseStaff) -> Shipment:
    async with service.transaction() as session:
        shipment = await _task(session, shipment_id)
        if shipment.status in ("picked", "packed", "shipped"):
            return shipment
        _refuse_unless(shipment, "requested", doing="picked")
        async with service.case_span(session, shipment.case_id, "task picked"):
            now = datetime.now(UTC)
            shipment.status, shipment.picked_by, shipment.picked_at = "picked", by, now
            session.add(shipment)
            await emit(
                session,
                ShipmentPicked(
                    case_id=shipment.case_id,
                    shipment_id=shipment_id,
                    warehouse=shipment.warehouse,
                    by=by,
                    at=now,
                ),
            )
        return shipment


class Packing(BaseModel):
    weight_g: int = Field(gt=0, le=MAX_PARCEL_G, description="The packed parcel, in grams")


@router.post("/tasks/{shipment_id}/packed", summary="Confirm packed: weigh, rate and label")
async def confirm_packed(
    shipment_id: str, packing: Packing, service: CurrentService, by: WarehouseStaff, ship_to: ShipTo
) -> Shipment:
    async with service.sessions() as session:
        case_id = (await _task(session, shipment_id)).case_id
    recipient = await ship_to.address_for_request(case_id)  # outside the row lock: a remote call
    async with service.transaction() as session:
        shipment = await _task(session, shipment_id)
        if shipment.status in ("packed", "shipped") and shipment.weight_g == packing.weight_g:
            return shipment
        _refuse_unless(shipment, "picked", doing="packed (pick it first)")
        async with service.case_span(session, case_id, "task packed"):
            return await _pack(session, shipment, packing.weight_g, recipient.postal_code, by)


async def _pack(
    session: AsyncSession, shipment: Shipment, weight_g: int, postal_code: str, by: str
) -> Shipment:
    now = datetime.now(UTC)
    warehouse = WAREHOUSE_BY_CODE[shipment.warehouse]
    try:
        offered = quotes(warehouse, Market(shipment.market), postal_code, weight_g, now)
    except ShippingRefused as refusal:
        raise HTTPException(422, str(refusal)) from refusal
    quote = cheapest_meeting(offered, shipment.promised_by) or min(
        offered, key=lambda q: q.delivered_by
    )
    shipment.status, shipment.packed_by, shipment.packed_at = "packed", by, now
    shipment.weight_g = weight_g
    shipment.carrier, shipment.service, shipment.service_code = (
        quote.carrier,
        quote.service,
        quote.service_code,
    )
    shipment.postage_minor, shipment.postage_currency = quote.price_minor, quote.currency.value
    shipment.tracking_number = new_tracking_number(quote.carrier)
    session.add(shipment)
    await emit(
        session,
        ShipmentPacked(
            case_id=shipment.case_id,
            shipment_id=shipment.shipment_id,
            warehouse=shipment.warehouse,
            weight_g=weight_g,
            carrier=quote.carrier,
            service=quote.service,
            by=by,
            at=now,
        ),
    )
    return shipment


@router.get(
    "/tasks/{shipment_id}/label.pdf",
    summary="The parcel's 4×6 in shipping label",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def shipping_label(
    shipment_id: str, service: CurrentService, _: WarehouseStaff, ship_to: ShipTo
) -> Response:
    async with service.sessions() as session:
        shipment = await session.get(Shipment, shipment_id)
    if shipment is None:
        raise HTTPException(404, f"no dispatch task {shipment_id}")
    _refuse_unless(shipment, "packed", "shipped", doing="labelled before it is packed")
    recipient = await ship_to.address_for_request(shipment.case_id)
    label = shipping_label_of(shipment, WAREHOUSE_BY_CODE[shipment.warehouse], recipient)
    return Response(shipping_label_pdf(label), media_type="application/pdf")


class Shipping(BaseModel):
    tracking_number: str | None = Field(
        default=None, min_length=4, max_length=64, description="Only if not the label's own"
    )


@router.post("/tasks/{shipment_id}/shipped", summary="Confirm handed to the carrier")
async def confirm_shipped(
    shipment_id: str, service: CurrentService, by: WarehouseStaff, shipping: Shipping | None = None
) -> Shipment:
    tracking = shipping.tracking_number if shipping else None
    async with service.transaction() as session:
        shipment = await _task(session, shipment_id)
        if shipment.status == "shipped":
            if tracking not in (None, shipment.tracking_number):
                raise HTTPException(
                    409, f"task {shipment_id} shipped as {shipment.tracking_number} already"
                )
            return shipment
        _refuse_unless(shipment, "packed", doing="shipped (pack and label it first)")
        async with service.case_span(session, shipment.case_id, "task shipped"):
            return await _ship(session, shipment, tracking or shipment.tracking_number, by)


async def _ship(session: AsyncSession, shipment: Shipment, tracking: str, by: str) -> Shipment:
    now = datetime.now(UTC)
    shipment.status, shipment.shipped_by, shipment.shipped_at = "shipped", by, now
    shipment.tracking_number = tracking
    session.add(shipment)
    await dispatching.take_stock(session, shipment)
    await emit(
        session,
        Shipped(
            case_id=shipment.case_id,
            shipment_id=shipment.shipment_id,
            remedy=Remedy(shipment.remedy),
            warehouse=shipment.warehouse,
            carrier=shipment.carrier,
            service=shipment.service,
            tracking_number=tracking,
            postage_minor=shipment.postage_minor,
            postage_currency=Currency(shipment.postage_currency),
            promised_by=shipment.promised_by,
            by=by,
            at=now,
        ),
    )
    return shipment


class ProblemReport(BaseModel):
    problem: Literal["damaged_stock", "not_found", "other"]
    note: str = Field(default="", max_length=2000)


@router.post("/tasks/{shipment_id}/problem", summary="Report a task that cannot be filled")
async def report_problem(
    shipment_id: str, report: ProblemReport, service: CurrentService, by: WarehouseStaff
) -> Shipment:
    """The stock is given back (less the damaged or missing units), and the case is sent
    to the next warehouse of its region that holds it (never one that failed it before),
    or back to resolution."""
    async with service.transaction() as session:
        shipment = await _task(session, shipment_id)
        if shipment.status == "problem":
            return shipment
        _refuse_unless(shipment, *OPEN, doing="reported (it has left the warehouse)")
        async with service.case_span(session, shipment.case_id, "task problem"):
            await _give_up_task(session, shipment, report, by)
        return shipment


async def _give_up_task(
    session: AsyncSession, shipment: Shipment, report: ProblemReport, by: str
) -> None:
    now = datetime.now(UTC)
    failed_before = tuple(
        await session.scalars(
            select(Shipment.warehouse).where(
                Shipment.case_id == shipment.case_id, Shipment.status == "problem"
            )
        )
    )
    shipment.status, shipment.problem, shipment.problem_note = (
        "problem",
        report.problem,
        report.note,
    )
    session.add(shipment)
    await dispatching.release_stock(session, shipment)
    if report.problem in ("damaged_stock", "not_found"):
        await dispatching.write_off(session, shipment)
    await emit(
        session,
        DispatchProblem(
            case_id=shipment.case_id,
            shipment_id=shipment.shipment_id,
            warehouse=shipment.warehouse,
            problem=report.problem,
            note=report.note,
            by=by,
            at=now,
        ),
    )
    await dispatching.owe_dispatch(
        session,
        f"after-{shipment.shipment_id}",
        shipment.case_id,
        Remedy(shipment.remedy),
        Market(shipment.market),
        [CaseItem.model_validate(item) for item in shipment.items],
        passing_over=(*failed_before, shipment.warehouse),
    )
