"""Fulfillment: a decided remedy in, a dispatch task or a return label out;
a warehouse scan of a returned parcel in, `fulfillment.return_received` out."""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.shipments import (
    SHIPPED_REMEDIES,
    new_rma_id,
    new_shipment_id,
    new_tracking_number,
    units_to_reserve,
)
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, warehouses_for
from services.fulfillment.tables import ReturnParcel, Shipment, StockLevel
from shared.events import (
    DispatchRequested,
    Envelope,
    PickLine,
    Remedy,
    ResolutionDecided,
    ReturnLabelIssued,
    ReturnReceived,
    StockUnavailable,
)
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["fulfillment"])


class _NotInStock(Exception):
    pass


async def reserve_stock(
    session: AsyncSession, warehouse: str, needed: dict[str, int]
) -> list[PickLine] | None:
    """Reserve every SKU in one warehouse, or none of them.

    Two cases never get the last unit: each conditional UPDATE locks its row and
    re-checks the condition after a concurrent commit.
    """
    if len(needed) == 1:  # one conditional UPDATE is all-or-nothing by itself
        return await _reserve_each(session, warehouse, needed)
    try:
        async with session.begin_nested():
            lines = await _reserve_each(session, warehouse, needed)
            if lines is None:
                raise _NotInStock  # rolls back the SKUs reserved so far
            return lines
    except _NotInStock:
        return None


async def _reserve_each(
    session: AsyncSession, warehouse: str, needed: dict[str, int]
) -> list[PickLine] | None:
    lines = []
    for sku, quantity in sorted(needed.items()):
        bin_ = await session.scalar(
            update(StockLevel)
            .where(
                StockLevel.warehouse == warehouse,
                StockLevel.sku == sku,
                StockLevel.on_hand - StockLevel.reserved >= quantity,
            )
            .values(reserved=StockLevel.reserved + quantity)
            .returning(StockLevel.bin)
        )
        if bin_ is None:
            return None
        lines.append(PickLine(sku=sku, quantity=quantity, bin=bin_))
    return lines


async def request_dispatch(session: AsyncSession, decision: ResolutionDecided) -> None:
    needed = units_to_reserve(decision.remedy, decision.items)
    for warehouse in warehouses_for(decision.market):
        pick_list = await reserve_stock(session, warehouse.code, needed)
        if pick_list is None:
            continue
        shipment = Shipment(
            shipment_id=new_shipment_id(),
            case_id=decision.case_id,
            remedy=decision.remedy.value,
            warehouse=warehouse.code,
            status="requested",
            pick_list=[line.model_dump() for line in pick_list],
            requested_at=datetime.now(UTC),
        )
        session.add(shipment)
        await emit(
            session,
            DispatchRequested(
                case_id=decision.case_id,
                shipment_id=shipment.shipment_id,
                remedy=decision.remedy,
                warehouse=warehouse.code,
                pick_list=pick_list,
            ),
        )
        return
    await emit(
        session,
        StockUnavailable(
            case_id=decision.case_id,
            remedy=decision.remedy,
            region=decision.region,
            missing_skus=sorted(needed),
        ),
    )


async def issue_return_label(session: AsyncSession, decision: ResolutionDecided) -> None:
    if await session.scalar(
        select(ReturnParcel.rma_id).where(ReturnParcel.case_id == decision.case_id)
    ):
        return
    warehouse = warehouses_for(decision.market)[0]
    parcel = ReturnParcel(
        rma_id=new_rma_id(),
        case_id=decision.case_id,
        warehouse=warehouse.code,
        carrier=warehouse.return_carrier,
        tracking_number=new_tracking_number(warehouse.return_carrier),
        issued_at=datetime.now(UTC),
    )
    session.add(parcel)
    await emit(
        session,
        ReturnLabelIssued(
            case_id=parcel.case_id,
            rma_id=parcel.rma_id,
            warehouse=parcel.warehouse,
            carrier=parcel.carrier,
            tracking_number=parcel.tracking_number,
        ),
    )


async def on_resolution_decided(
    session: AsyncSession, decision: ResolutionDecided, _: Envelope
) -> None:
    if decision.remedy in SHIPPED_REMEDIES:
        await request_dispatch(session, decision)
    elif decision.remedy is Remedy.RETURN_FULL_REFUND:
        await issue_return_label(session, decision)


class StockCount(BaseModel):
    on_hand: int = Field(ge=0, le=1_000_000)
    bin: str = Field(min_length=1, max_length=40)


@router.put("/stock/{warehouse}/{sku}", summary="Set the counted stock of a SKU in a warehouse")
async def count_stock(
    warehouse: str, sku: str, count: StockCount, service: CurrentService
) -> StockLevel:
    if warehouse not in WAREHOUSE_BY_CODE:
        raise HTTPException(404, f"no warehouse {warehouse}")
    async with service.transaction() as session:
        level = await session.scalar(
            insert(StockLevel)
            .values(warehouse=warehouse, sku=sku, bin=count.bin, on_hand=count.on_hand, reserved=0)
            .on_conflict_do_update(
                index_elements=[StockLevel.warehouse, StockLevel.sku],
                set_={"on_hand": count.on_hand, "bin": count.bin},
                where=StockLevel.reserved <= count.on_hand,
            )
            .returning(StockLevel)
        )
        if level is None:
            raise HTTPException(409, f"{count.on_hand} on hand is fewer than the units reserved")
        return level


@router.get("/stock/{warehouse}", summary="Stock of a warehouse")
async def list_stock(warehouse: str, service: CurrentService) -> list[StockLevel]:
    if warehouse not in WAREHOUSE_BY_CODE:
        raise HTTPException(404, f"no warehouse {warehouse}")
    async with service.sessions() as session:
        rows = await session.scalars(
            select(StockLevel).where(StockLevel.warehouse == warehouse).order_by(StockLevel.sku)
        )
        return list(rows)


@router.get("/shipments", summary="Dispatch tasks of a case")
async def list_shipments(case_id: str, service: CurrentService) -> list[Shipment]:
    async with service.sessions() as session:
        rows = await session.scalars(select(Shipment).where(Shipment.case_id == case_id))
        return list(rows)


async def _return_of(session: AsyncSession, case_id: str) -> ReturnParcel:
    parcel = await session.scalar(select(ReturnParcel).where(ReturnParcel.case_id == case_id))
    if parcel is None:
        raise HTTPException(404, f"no return authorised for case {case_id}")
    return parcel


@router.get("/returns/{case_id}", summary="The return of a case")
async def get_return(case_id: str, service: CurrentService) -> ReturnParcel:
    async with service.sessions() as session:
        return await _return_of(session, case_id)


class ReturnScan(BaseModel):
    condition_note: str = Field(default="", max_length=2000)


@router.post("/returns/{case_id}/received", summary="Warehouse scan of a returned parcel")
async def receive_return(
    case_id: str, service: CurrentService, scan: ReturnScan | None = None
) -> ReturnParcel:
    scan = scan or ReturnScan()
    async with (
        service.transaction() as session,
        service.case_span(session, case_id, "receive return"),
    ):
        parcel = await _return_of(session, case_id)
        received = await session.scalar(
            update(ReturnParcel)
            .where(ReturnParcel.rma_id == parcel.rma_id, ReturnParcel.received_at.is_(None))
            .values(received_at=datetime.now(UTC), condition_note=scan.condition_note)
            .returning(ReturnParcel)
        )
        if received is None:
            return parcel  # scanned before: the first scan stands
        await emit(
            session,
            ReturnReceived(
                case_id=case_id,
                rma_id=received.rma_id,
                warehouse=received.warehouse,
                condition_note=received.condition_note,
                received_at=received.received_at,
            ),
        )
        return received
