"""A technician's checklist in: the unit graded by its category's rubric (or overridden
with a reason), then sent where it recovers the most: a repair job, a relabel task for
the marketplace warehouse, a liquidation lot, or back to origin through fulfillment."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain.checklists import Checklist
from services.refurbish.domain.disposition import (
    DispositionPlan,
    plan_disposition,
    repair_job_for,
)
from services.refurbish.domain.grading import Grading, grade_checklist
from services.refurbish.domain.units import category_of, fnsku_of, main_item
from services.refurbish.tables import Inspection, LiquidationLot, LotUnit, RelabelTask, RepairJob
from shared.events import (
    CaseItem,
    CostLine,
    Disposition,
    DispositionDecided,
    Grade,
    RecoveryOption,
    RepairOrdered,
    ReturnRoute,
    UnitGraded,
)
from shared.markets import Currency
from shared.outbox import emit


async def record_grade(
    session: AsyncSession,
    inspection: Inspection,
    checklist: Checklist,
    grading: Grading,
    technician: str,
    notes: str,
) -> None:
    now = datetime.now(UTC)
    inspection.checklist = checklist.model_dump(mode="json")
    inspection.grade, inspection.computed_grade = grading.grade.value, grading.computed.value
    inspection.reasons, inspection.override_reason = list(grading.reasons), grading.override_reason
    inspection.technician, inspection.graded_at = technician, now
    inspection.notes = notes or inspection.notes
    await emit(
        session,
        UnitGraded(
            case_id=inspection.case_id,
            inspection_id=inspection.inspection_id,
            grade=grading.grade,
            computed_grade=grading.computed,
            reasons=list(grading.reasons),
            override_reason=grading.override_reason,
            technician=technician,
            notes=notes,
        ),
    )
    await decide(session, inspection, checklist, grading, now)


def grading_of(inspection: Inspection, checklist: Checklist) -> Grading:
    return grade_checklist(category_of(main_item(inspection.items)), checklist)


async def decide(
    session: AsyncSession,
    inspection: Inspection,
    checklist: Checklist,
    grading: Grading,
    now: datetime,
) -> None:
    item = main_item(inspection.items)
    route = ReturnRoute(inspection.route)
    currency = Currency(inspection.currency)
    plan = plan_disposition(item, grading, checklist, route, inspection.repairs_done, currency)
    best = plan.best
    inspection.disposition, inspection.net_minor = best.disposition.value, best.net_minor
    inspection.alternatives = [option_of(r).model_dump(mode="json") for r in plan.alternatives]
    inspection.decided_at = now
    inspection.status = "repairing" if best.disposition is Disposition.REPAIR else "decided"
    session.add(inspection)
    await emit(session, decided_event(inspection, plan, grading.grade))
    await OUTLETS[best.disposition](session, inspection, checklist, item, now)


def option_of(recovery) -> RecoveryOption:
    return RecoveryOption(
        disposition=recovery.disposition,
        net_minor=recovery.net_minor,
        lines=[CostLine(item=line.item, amount_minor=line.amount_minor) for line in recovery.lines],
        excluded_by=recovery.excluded_by,
    )


def decided_event(
    inspection: Inspection, plan: DispositionPlan, grade: Grade
) -> DispositionDecided:
    return DispositionDecided(
        case_id=inspection.case_id,
        inspection_id=inspection.inspection_id,
        rma_id=inspection.rma_id,
        warehouse=inspection.warehouse,
        grade=grade,
        disposition=plan.best.disposition,
        net_minor=plan.best.net_minor,
        currency=Currency(inspection.currency),
        items=[CaseItem.model_validate(item) for item in inspection.items],
        alternatives=[option_of(r) for r in plan.alternatives],
    )


async def order_repair(
    session: AsyncSession, inspection: Inspection, checklist: Checklist, item: CaseItem, now
) -> None:
    currency = Currency(inspection.currency)
    job = repair_job_for(
        category_of(item), checklist, item.unit_price_minor, currency, sku=item.sku
    )
    assert job is not None  # the plan offers REPAIR only when a job exists
    repair = RepairJob(
        repair_id=f"rep-{uuid.uuid4()}",
        inspection_id=inspection.inspection_id,
        case_id=inspection.case_id,
        warehouse=inspection.warehouse,
        status="open",
        parts=[{"part": part, "cost_minor": cost} for part, cost in job.parts],
        labour_minutes=job.labour_minutes,
        cost_minor=job.cost_minor,
        currency=currency.value,
        ordered_at=now,
    )
    session.add(repair)
    await emit(
        session,
        RepairOrdered(
            case_id=inspection.case_id,
            inspection_id=inspection.inspection_id,
            repair_id=repair.repair_id,
            parts=[part for part, _ in job.parts],
            labour_minutes=job.labour_minutes,
            cost_minor=job.cost_minor,
            currency=currency,
        ),
    )


async def relabel(
    session: AsyncSession, inspection: Inspection, _: Checklist, item: CaseItem, now
) -> None:
    await session.execute(
        insert(RelabelTask)
        .values(
            inspection_id=inspection.inspection_id,
            case_id=inspection.case_id,
            warehouse=inspection.warehouse,
            fnsku=fnsku_of(item),
            title=item.title or item.sku,
            quantity=item.quantity,
            status="open",
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


async def add_to_lot(
    session: AsyncSession, inspection: Inspection, _: Checklist, item: CaseItem, now
) -> None:
    lot_id = await open_lot(session, inspection, category_of(item), now)
    await session.execute(
        insert(LotUnit)
        .values(
            inspection_id=inspection.inspection_id,
            lot_id=lot_id,
            case_id=inspection.case_id,
            items=inspection.items,
            expected_minor=inspection.net_minor or 0,
            added_at=now,
        )
        .on_conflict_do_nothing()
    )


async def open_lot(session: AsyncSession, inspection: Inspection, category: str, now) -> str:
    key = {
        "warehouse": inspection.warehouse,
        "category": category,
        "grade": inspection.grade,
        "currency": inspection.currency,
    }
    opened = await session.scalar(
        insert(LiquidationLot)
        .values(lot_id=f"lot-{uuid.uuid4().hex[:12]}", status="open", opened_at=now, **key)
        .on_conflict_do_nothing(index_elements=list(key), index_where=text("status = 'open'"))
        .returning(LiquidationLot.lot_id)
    )
    if opened is not None:
        return opened
    return await session.scalar(
        select(LiquidationLot.lot_id).where(
            *(getattr(LiquidationLot, column) == value for column, value in key.items()),
            LiquidationLot.status == "open",
        )
    )


async def nothing_more(session: AsyncSession, *_) -> None:
    """Sold as renewed, recycled, or sent back to origin (fulfillment consolidates it):
    the decision event is all it takes here."""


OUTLETS = {
    Disposition.REPAIR: order_repair,
    Disposition.RELIST_AS_NEW: relabel,
    Disposition.LIQUIDATE: add_to_lot,
    Disposition.SELL_AS_RENEWED: nothing_more,
    Disposition.RETURN_TO_ORIGIN: nothing_more,
    Disposition.RECYCLE: nothing_more,
}
