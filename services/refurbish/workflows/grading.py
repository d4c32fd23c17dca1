"""A technician's checklist in: the unit graded by its category's rubric (or overridden
with a reason), the grade recorded, and the unit sent where it recovers the most
(`disposing`). The buyer's own unit, in for a repair, is repaired and sent back to its
buyer (`disposition.plan_buyer_repair`), or held for an agent when the shop cannot repair
it."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain import inspections
from services.refurbish.domain.checklists import Checklist
from services.refurbish.domain.disposition import (
    DispositionPlan,
    option_of,
    plan_buyer_repair,
    plan_disposition,
)
from services.refurbish.domain.grading import Override, grade_checklist, override
from services.refurbish.domain.inspections import Findings, InspectionState, UnitOnBench
from services.refurbish.tables import Inspection
from services.refurbish.workflows import disposing
from shared.events import CaseItem, Grade, ReturnRoute
from shared.markets import Currency
from shared.outbox import emit_all
from shared.service import Service


def on_bench(inspection: Inspection) -> UnitOnBench:
    return UnitOnBench(
        inspection_id=inspection.inspection_id,
        case_id=inspection.case_id,
        rma_id=inspection.rma_id,
        warehouse=inspection.warehouse,
        items=tuple(CaseItem.model_validate(item) for item in inspection.items),
        currency=Currency(inspection.currency) if inspection.currency else None,
        route=ReturnRoute(inspection.route),
        repairs_done=inspection.repairs_done,
        state=InspectionState(inspection.status),
        grade=Grade(inspection.grade) if inspection.grade else None,
        checklist=inspection.checklist,
        for_repair=inspection.for_repair,
    )


async def record_findings(
    service: Service,
    session: AsyncSession,
    inspection: Inspection,
    checklist: Checklist,
    technician: str,
    notes: str = "",
    wanted: Override | None = None,
) -> None:
    """Grade the checklist (the technician's grade when `wanted`) and dispose of the unit
    at once. The same findings again change nothing; others for a graded unit raise
    IllegalTransition; a unit with no price to weigh its outlets by, UnitNotValued."""
    unit = on_bench(inspection)
    findings, plan = assess(unit, checklist, technician, notes, wanted)
    now = datetime.now(UTC)
    graded = inspections.grade(unit, findings, plan, now)
    if graded.repeated:
        return
    async with service.case_span(session, unit.case_id, "unit graded"):
        _record(inspection, findings, plan, graded.state, now)
        session.add(inspection)
        await emit_all(session, graded.events)
        if plan.held_for_agent is None:
            await disposing.send(session, plan.best.disposition, inspection, unit, checklist, now)


def assess(
    unit: UnitOnBench,
    checklist: Checklist,
    technician: str,
    notes: str = "",
    wanted: Override | None = None,
) -> tuple[Findings, DispositionPlan]:
    """What the checklist grades to (the technician's grade when `wanted`) and where the
    unit would then go, every alternative weighed: nothing recorded (the bench page shows
    it before the technician confirms or overrides). UnitNotValued for a unit with no
    price to weigh its outlets by."""
    grading = grade_checklist(unit.category, checklist)
    if wanted is not None:
        grading = override(grading, wanted.grade, technician, wanted.reason)
    findings = Findings(checklist, grading, technician, notes)
    if unit.for_repair:
        plan = plan_buyer_repair(unit.item, checklist, unit.repairs_done, unit.priced_in)
    else:
        plan = plan_disposition(
            unit.item, grading, checklist, unit.route, unit.repairs_done, unit.priced_in
        )
    return findings, plan


def _record(
    inspection: Inspection,
    findings: Findings,
    plan: DispositionPlan,
    state: InspectionState,
    now: datetime,
) -> None:
    grading, best = findings.grading, plan.best
    inspection.checklist = findings.checklist.model_dump(mode="json")
    inspection.grade, inspection.computed_grade = grading.grade.value, grading.computed.value
    inspection.reasons, inspection.override_reason = list(grading.reasons), grading.override_reason
    inspection.technician, inspection.graded_at = findings.technician, now
    inspection.notes = findings.notes or inspection.notes
    if plan.held_for_agent is None:
        inspection.disposition, inspection.net_minor = best.disposition.value, best.net_minor
    inspection.held_reason = plan.held_for_agent
    inspection.alternatives = [option_of(r).model_dump(mode="json") for r in plan.alternatives]
    inspection.status, inspection.decided_at = state, now
