"""Units routed back to the factory: each joins its warehouse's open consolidation (opened
on the first unit), which staff dispatch as one shipment with its commercial invoice."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain import origin
from services.fulfillment.domain.origin import OPEN
from services.fulfillment.tables import OriginConsolidation, OriginUnit
from shared.events import DispositionDecided
from shared.messaging_tables import utc_now
from shared.outbox import emit
from shared.service import Service


async def hold_for_origin(
    session: AsyncSession, disposition: DispositionDecided, now: datetime | None = None
) -> None:
    """A unit refurbish routes back to the factory joins its warehouse's open
    consolidation; once per return."""
    now = now or utc_now()
    consolidation_id = await open_consolidation(session, disposition.warehouse, now)
    await session.execute(
        insert(OriginUnit)
        .values(
            rma_id=disposition.rma_id,
            consolidation_id=consolidation_id,
            case_id=disposition.case_id,
            items=[item.model_dump(mode="json") for item in disposition.items],
            currency=disposition.currency.value,
            added_at=now,
        )
        .on_conflict_do_nothing()
    )


async def open_consolidation(session: AsyncSession, warehouse: str, now: datetime) -> str:
    """The warehouse's open consolidation, opened now if it has none (one at a time: a
    partial unique index)."""
    opened = await session.scalar(
        insert(OriginConsolidation)
        .values(
            consolidation_id=f"org-{warehouse}-{now:%Y%m%d%H%M%S%f}",
            warehouse=warehouse,
            status=OPEN,
            opened_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=["warehouse"], index_where=OriginConsolidation.status == OPEN
        )
        .returning(OriginConsolidation.consolidation_id)
    )
    if opened is not None:
        return opened
    return await session.scalar(
        select(OriginConsolidation.consolidation_id).where(
            OriginConsolidation.warehouse == warehouse, OriginConsolidation.status == OPEN
        )
    )


async def units_of(session: AsyncSession, consolidation_id: str) -> list[OriginUnit]:
    rows = await session.scalars(
        select(OriginUnit)
        .where(OriginUnit.consolidation_id == consolidation_id)
        .order_by(OriginUnit.added_at)
    )
    return list(rows)


async def dispatch(
    service: Service,
    session: AsyncSession,
    consolidation: OriginConsolidation,
    tracking_number: str | None,
    by: str,
) -> OriginConsolidation:
    """Shipped to origin; each unit's case learns it left. The caller holds the
    consolidation locked."""
    now = utc_now()
    units = await units_of(session, consolidation.consolidation_id)
    moved = origin.dispatch(consolidation, units, tracking_number, now)
    if moved.repeated:
        return consolidation
    consolidation.status, consolidation.dispatched_by, consolidation.dispatched_at = (
        moved.state,
        by,
        now,
    )
    consolidation.invoice_number = moved.invoice_number
    consolidation.carrier, consolidation.tracking_number = moved.carrier, moved.tracking_number
    session.add(consolidation)
    for unit, left in zip(units, moved.events, strict=True):
        async with service.case_span(session, unit.case_id, "returned to origin"):
            await emit(session, left)
    return consolidation
