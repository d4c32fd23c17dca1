"""Where graded units leave the bench: a relabel task for a like-new unit, until it is
relabelled for the marketplace's warehouse; a unit in the open liquidation lot of its
kind, until the lot is sold."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain import outlets
from services.refurbish.domain.checklists import Checklist
from services.refurbish.domain.inspections import UnitOnBench
from services.refurbish.domain.outlets import LotState, RelabelState
from services.refurbish.domain.units import fnsku_of
from services.refurbish.tables import (
    ONE_OPEN_LOT,
    Inspection,
    LiquidationLot,
    LotUnit,
    RelabelTask,
)


async def open_relabel_task(
    session: AsyncSession, inspection: Inspection, unit: UnitOnBench, _: Checklist, now: datetime
) -> None:
    item = unit.item
    await session.execute(
        insert(RelabelTask)
        .values(
            inspection_id=unit.inspection_id,
            case_id=unit.case_id,
            warehouse=unit.warehouse,
            fnsku=fnsku_of(item),
            title=item.title or item.sku,
            quantity=item.quantity,
            status=RelabelState.OPEN,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


async def add_to_lot(
    session: AsyncSession, inspection: Inspection, unit: UnitOnBench, _: Checklist, now: datetime
) -> None:
    lot_id = await _open_lot(session, inspection, unit.category, now)
    await session.execute(
        insert(LotUnit)
        .values(
            inspection_id=unit.inspection_id,
            lot_id=lot_id,
            case_id=unit.case_id,
            items=inspection.items,
            expected_minor=inspection.net_minor or 0,
            added_at=now,
        )
        .on_conflict_do_nothing()
    )


async def _open_lot(session: AsyncSession, inspection: Inspection, category: str, now) -> str:
    """The open lot of the unit's warehouse, category, grade and currency; opened if none."""
    kind = {
        "warehouse": inspection.warehouse,
        "category": category,
        "grade": inspection.grade,
        "currency": inspection.currency,
    }
    opened = await session.scalar(
        insert(LiquidationLot)
        .values(lot_id=f"lot-{uuid.uuid4().hex[:12]}", status=LotState.OPEN, opened_at=now, **kind)
        .on_conflict_do_nothing(index_elements=list(kind), index_where=ONE_OPEN_LOT)
        .returning(LiquidationLot.lot_id)
    )
    if opened is not None:
        return opened
    return await session.scalar(
        select(LiquidationLot.lot_id).where(
            *(getattr(LiquidationLot, column) == value for column, value in kind.items()),
            LiquidationLot.status == LotState.OPEN,
        )
    )


async def relabelled(session: AsyncSession, task: RelabelTask, technician: str) -> None:
    """The unit relabelled and packed for the marketplace's warehouse (once)."""
    done = outlets.relabelled(RelabelState(task.status))
    if done.state == task.status:
        return
    task.status, task.done_by, task.done_at = done.state, technician, datetime.now(UTC)
    session.add(task)


async def close_lot(session: AsyncSession, lot: LiquidationLot, technician: str) -> None:
    """The lot sold to the liquidation channel (once; a lot holding no units is refused)."""
    units = await session.scalar(
        select(func.count()).select_from(LotUnit).where(LotUnit.lot_id == lot.lot_id)
    )
    closed = outlets.close(LotState(lot.status), lot.lot_id, units)
    if closed.state == lot.status:
        return
    lot.status, lot.closed_by, lot.closed_at = closed.state, technician, datetime.now(UTC)
    session.add(lot)
