"""Repairs: a job ordered for a unit whose repair adds more than it costs, and, once the
technician has done it, the unit back on the bench to be graded again."""

import uuid
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain import inspections, repairs
from services.refurbish.domain.checklists import Checklist
from services.refurbish.domain.disposition import repair_job_for
from services.refurbish.domain.inspections import InspectionState, UnitOnBench
from services.refurbish.domain.repairs import RepairState
from services.refurbish.tables import Inspection, RepairJob
from shared.events import RepairOrdered
from shared.outbox import emit, emit_all
from shared.service import Service


async def order_repair(
    session: AsyncSession,
    inspection: Inspection,
    unit: UnitOnBench,
    checklist: Checklist,
    now: datetime,
) -> None:
    item = unit.item
    job = repair_job_for(
        unit.category,
        checklist,
        item.unit_price_minor,
        unit.priced_in,
        item.sku,
        whatever_the_value=unit.for_repair,  # the buyer's own unit
    )
    assert job is not None  # the plan offers REPAIR only when a job exists
    repair = RepairJob(
        repair_id=f"rep-{uuid.uuid4()}",
        inspection_id=unit.inspection_id,
        case_id=unit.case_id,
        warehouse=unit.warehouse,
        status=RepairState.OPEN,
        parts=[{"part": part, "cost_minor": cost} for part, cost in job.parts],
        labour_minutes=job.labour_minutes,
        cost_minor=job.cost_minor,
        currency=unit.currency.value,
        ordered_at=now,
    )
    session.add(repair)
    await emit(
        session,
        RepairOrdered(
            case_id=unit.case_id,
            inspection_id=unit.inspection_id,
            repair_id=repair.repair_id,
            parts=[part for part, _ in job.parts],
            labour_minutes=job.labour_minutes,
            cost_minor=job.cost_minor,
            currency=unit.currency,
        ),
    )


async def finish_repair(
    service: Service, session: AsyncSession, repair: RepairJob, technician: str
) -> None:
    """The repair done: its unit back on the bench (once; done again changes nothing)."""
    now = datetime.now(UTC)
    finished = repairs.finish(
        RepairState(repair.status),
        case_id=repair.case_id,
        inspection_id=repair.inspection_id,
        repair_id=repair.repair_id,
        technician=technician,
        at=now,
    )
    if finished.repeated:
        return
    inspection = await session.get(Inspection, repair.inspection_id, with_for_update=True)
    reopened = inspections.reopen(InspectionState(inspection.status), inspection.inspection_id)
    repair.status, repair.done_by, repair.done_at = finished.state, technician, now
    inspection.status, inspection.repairs_done = reopened.state, inspection.repairs_done + 1
    session.add_all([repair, inspection])
    async with service.case_span(session, repair.case_id, "repair done"):
        await emit_all(session, finished.events)
