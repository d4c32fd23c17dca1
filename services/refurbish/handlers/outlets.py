"""Where graded units leave the bench: relabel tasks for the marketplace warehouse (with
their FNSKU labels), and liquidation lots sold to a local channel. Technicians reach their
own repair shops' only (another shop's answers 404)."""

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain.outlets import LotState, RelabelState
from services.refurbish.handlers.scoping import at_shop, shop_of
from services.refurbish.tables import LiquidationLot, LotUnit, RelabelTask
from services.refurbish.workflows import outlets
from shared.identity import Principal, Technician
from shared.labels import FnskuLabel, fnsku_label_pdf, fnsku_label_zpl
from shared.lifecycle import IllegalTransition
from shared.routes import attachment, get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["relabel tasks and lots"])

NEW = "New"


@router.get("/warehouses/{code}/relabel-tasks", summary="Units to relabel for FBA inbound")
async def list_relabel_tasks(
    code: str, service: CurrentService, caller: Technician, status: str = RelabelState.OPEN
) -> list[RelabelTask]:
    shop_of(caller, code)
    async with service.sessions() as session:
        rows = await session.scalars(
            select(RelabelTask)
            .where(RelabelTask.warehouse == code, RelabelTask.status == status)
            .order_by(RelabelTask.created_at)
        )
        return list(rows)


async def _relabel_task(
    session: AsyncSession, caller: Principal, inspection_id: str, lock: bool = False
) -> RelabelTask:
    missing = f"no relabel task for inspection {inspection_id}"
    task = await get_or_404(session, RelabelTask, inspection_id, missing, lock=lock)
    at_shop(caller, task.warehouse, missing)
    return task


@router.get(
    "/relabel-tasks/{inspection_id}/label.pdf",
    summary="The unit's FNSKU label (2.25 × 1.25 in)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def fnsku_label(inspection_id: str, service: CurrentService, caller: Technician) -> Response:
    async with service.sessions() as session:
        task = await _relabel_task(session, caller, inspection_id)
    return Response(fnsku_label_pdf(task.fnsku, task.title, NEW), media_type="application/pdf")


@router.get(
    "/relabel-tasks/{inspection_id}/label.zpl",
    summary="The unit's FNSKU label as ZPL, for a Zebra printer (203 dpi, 2.25 × 1.25 in)",
    response_class=Response,
    responses={200: {"content": {"application/zpl": {}}}},
)
async def fnsku_label_for_zebra(
    inspection_id: str, service: CurrentService, caller: Technician
) -> Response:
    async with service.sessions() as session:
        task = await _relabel_task(session, caller, inspection_id)
    zpl = fnsku_label_zpl(FnskuLabel(task.fnsku, task.title, NEW))
    headers = attachment(f"fnsku-{task.fnsku}.zpl")
    return Response(zpl, media_type="application/zpl", headers=headers)


@router.post("/relabel-tasks/{inspection_id}/done", summary="Relabelled and packed for FBA")
async def relabel_done(
    inspection_id: str, service: CurrentService, caller: Technician
) -> RelabelTask:
    async with service.transaction() as session:
        task = await _relabel_task(session, caller, inspection_id, lock=True)
        await outlets.relabelled(session, task, caller.name)
        return task


@router.get("/warehouses/{code}/lots", summary="Liquidation lots with their units")
async def list_lots(
    code: str, service: CurrentService, caller: Technician, status: str = LotState.OPEN
) -> list[dict[str, Any]]:
    shop_of(caller, code)
    async with service.sessions() as session:
        lots = await session.scalars(
            select(LiquidationLot)
            .where(LiquidationLot.warehouse == code, LiquidationLot.status == status)
            .order_by(LiquidationLot.opened_at)
        )
        return [await with_units(session, lot) for lot in lots]


async def with_units(session: AsyncSession, lot: LiquidationLot) -> dict[str, Any]:
    units = list(
        await session.scalars(
            select(LotUnit).where(LotUnit.lot_id == lot.lot_id).order_by(LotUnit.added_at)
        )
    )
    return lot.model_dump() | {
        "units": units,
        "expected_minor": sum(unit.expected_minor for unit in units),
    }


@router.post("/lots/{lot_id}/close", summary="Close a lot: sold to the liquidation channel")
async def close_lot(lot_id: str, service: CurrentService, caller: Technician) -> dict[str, Any]:
    async with service.transaction() as session:
        lot = await get_or_404(session, LiquidationLot, lot_id, f"no lot {lot_id}", lock=True)
        at_shop(caller, lot.warehouse, f"no lot {lot_id}")
        try:
            await outlets.close_lot(session, lot, caller.name)
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from None
        return await with_units(session, lot)
