"""Where graded units leave the bench: relabel tasks for the marketplace warehouse (with
their FNSKU labels), and liquidation lots sold to a local channel."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.tables import LiquidationLot, LotUnit, RelabelTask
from shared.access import Technician
from shared.labels import fnsku_label_pdf
from shared.service import CurrentService

router = APIRouter(tags=["relabel tasks and lots"])

NEW = "New"


@router.get("/warehouses/{code}/relabel-tasks", summary="Units to relabel for FBA inbound")
async def list_relabel_tasks(
    code: str, service: CurrentService, status: str = "open"
) -> list[RelabelTask]:
    async with service.sessions() as session:
        rows = await session.scalars(
            select(RelabelTask)
            .where(RelabelTask.warehouse == code, RelabelTask.status == status)
            .order_by(RelabelTask.created_at)
        )
        return list(rows)


async def _relabel_task(session: AsyncSession, inspection_id: str, lock: bool = False):
    task = await session.get(RelabelTask, inspection_id, with_for_update=lock)
    if task is None:
        raise HTTPException(404, f"no relabel task for inspection {inspection_id}")
    return task


@router.get(
    "/relabel-tasks/{inspection_id}/label.pdf",
    summary="The unit's FNSKU label (2.25 × 1.25 in)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def fnsku_label(inspection_id: str, service: CurrentService) -> Response:
    async with service.sessions() as session:
        task = await _relabel_task(session, inspection_id)
    return Response(fnsku_label_pdf(task.fnsku, task.title, NEW), media_type="application/pdf")


@router.post("/relabel-tasks/{inspection_id}/done", summary="Relabelled and packed for FBA")
async def relabel_done(inspection_id: str, service: CurrentService, by: Technician) -> RelabelTask:
    async with service.transaction() as session:
        task = await _relabel_task(session, inspection_id, lock=True)
        if task.status != "done":
            task.status, task.done_by, task.done_at = "done", by, datetime.now(UTC)
            session.add(task)
        return task


@router.get("/warehouses/{code}/lots", summary="Liquidation lots with their units")
async def list_lots(
    code: str, service: CurrentService, status: str = "open"
) -> list[dict[str, Any]]:
    async with service.sessions() as session:
        lots = await session.scalars(
            select(LiquidationLot)
            .where(LiquidationLot.warehouse == code, LiquidationLot.status == status)
            .order_by(LiquidationLot.opened_at)
        )
        return [await _with_units(session, lot) for lot in lots]


async def _with_units(session: AsyncSession, lot: LiquidationLot) -> dict[str, Any]:
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
async def close_lot(lot_id: str, service: CurrentService, by: Technician) -> dict[str, Any]:
    async with service.transaction() as session:
        lot = await session.get(LiquidationLot, lot_id, with_for_update=True)
        if lot is None:
            raise HTTPException(404, f"no lot {lot_id}")
        if lot.status == "open":
            count = await session.scalar(
                select(func.count()).select_from(LotUnit).where(LotUnit.lot_id == lot_id)
            )
            if not count:
                raise HTTPException(409, f"lot {lot_id} holds no units")
            lot.status, lot.closed_by, lot.closed_at = "closed", by, datetime.now(UTC)
            session.add(lot)
        return await _with_units(session, lot)
