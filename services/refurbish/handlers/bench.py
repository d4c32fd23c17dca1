"""The technician's bench: the inspections waiting, the checklist of each unit's
category, the grade it earns (or an override with its reason), and repairs."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from sqlalchemy import Select, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish import deciding
from services.refurbish.domain.checklists import Checklist, checklist_form, parse_checklist
from services.refurbish.domain.grading import MIN_OVERRIDE_REASON, override
from services.refurbish.domain.units import category_of, main_item
from services.refurbish.tables import Inspection, RepairJob
from shared.access import Technician
from shared.events import Grade, RepairCompleted
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["inspections"])


@router.get("/inspections", summary="Inspections, by case, warehouse or status")
async def list_inspections(
    service: CurrentService,
    case_id: str | None = None,
    warehouse: str | None = None,
    status: str | None = None,
) -> list[Inspection]:
    query = matching(Inspection, case_id=case_id, warehouse=warehouse, status=status)
    async with service.sessions() as session:
        return list(await session.scalars(query.order_by(Inspection.opened_at)))


def matching(table: type[SQLModel], **filters: str | None) -> Select:
    """Rows of `table` equal to every filter given (a None filter is not given)."""
    query = select(table)
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(table, column) == value)
    return query


async def _inspection(session: AsyncSession, inspection_id: str, lock: bool = False) -> Inspection:
    inspection = await session.get(Inspection, inspection_id, with_for_update=lock)
    if inspection is None:
        raise HTTPException(404, f"no inspection {inspection_id}")
    return inspection


@router.get("/inspections/{inspection_id}", summary="An inspection")
async def get_inspection(inspection_id: str, service: CurrentService) -> Inspection:
    async with service.sessions() as session:
        return await _inspection(session, inspection_id)


@router.get("/inspections/{inspection_id}/checklist", summary="The checklist to fill")
async def checklist_to_fill(inspection_id: str, service: CurrentService) -> dict[str, Any]:
    async with service.sessions() as session:
        inspection = await _inspection(session, inspection_id)
    return checklist_form(category_of(main_item(inspection.items)))


class Override(BaseModel):
    grade: Grade
    # Counted without the blanks around it, as the rubric's override does.
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=MIN_OVERRIDE_REASON, max_length=500),
    ]


class Findings(BaseModel):
    checklist: dict[str, Any]
    override: Override | None = None
    notes: str = Field(default="", max_length=2000)


@router.post("/inspections/{inspection_id}/checklist", summary="Record the checklist: grade it")
async def record_checklist(
    inspection_id: str, findings: Findings, service: CurrentService, by: Technician
) -> Inspection:
    """The rubric grades the checklist; the unit is then disposed of at once. Sending the
    same findings again changes nothing; other findings for a graded unit are refused."""
    async with service.transaction() as session:
        inspection = await _inspection(session, inspection_id, lock=True)
        category = category_of(main_item(inspection.items))
        checklist = _parsed(category, findings.checklist)
        if inspection.status != "open":
            if _same(inspection, checklist, findings.override):
                return inspection
            raise HTTPException(
                409, f"inspection {inspection_id} is {inspection.status} (grade {inspection.grade})"
            )
        grading = deciding.grading_of(inspection, checklist)
        if findings.override is not None:
            grading = override(grading, findings.override.grade, by, findings.override.reason)
        async with service.case_span(session, inspection.case_id, "unit graded"):
            await deciding.record_grade(session, inspection, checklist, grading, by, findings.notes)
        return inspection


def _parsed(category: str, checklist: dict[str, Any]) -> Checklist:
    try:
        return parse_checklist(category, checklist)
    except (ValidationError, ValueError) as error:
        raise HTTPException(422, f"checklist for {category}: {error}") from error


def _same(inspection: Inspection, checklist: Checklist, wanted: Override | None) -> bool:
    grade = wanted.grade.value if wanted else inspection.computed_grade
    return inspection.checklist == checklist.model_dump(mode="json") and inspection.grade == grade


@router.get("/repairs", summary="Repair jobs, by inspection, warehouse or status")
async def list_repairs(
    service: CurrentService,
    inspection_id: str | None = None,
    warehouse: str | None = None,
    status: str | None = None,
) -> list[RepairJob]:
    query = matching(RepairJob, inspection_id=inspection_id, warehouse=warehouse, status=status)
    async with service.sessions() as session:
        return list(await session.scalars(query.order_by(RepairJob.ordered_at)))


@router.post("/repairs/{repair_id}/done", summary="The repair is done: inspect the unit again")
async def repair_done(repair_id: str, service: CurrentService, by: Technician) -> RepairJob:
    async with service.transaction() as session:
        repair = await session.get(RepairJob, repair_id, with_for_update=True)
        if repair is None:
            raise HTTPException(404, f"no repair job {repair_id}")
        if repair.status == "done":
            return repair
        inspection = await _inspection(session, repair.inspection_id, lock=True)
        now = datetime.now(UTC)
        repair.status, repair.done_by, repair.done_at = "done", by, now
        inspection.status, inspection.repairs_done = "open", inspection.repairs_done + 1
        session.add_all([repair, inspection])
        async with service.case_span(session, repair.case_id, "repair done"):
            await emit(
                session,
                RepairCompleted(
                    case_id=repair.case_id,
                    inspection_id=repair.inspection_id,
                    repair_id=repair_id,
                    technician=by,
                    at=now,
                ),
            )
        return repair
