"""Refurbish: a received return in, an inspection opened; a technician's grade in,
`refurbish.graded` with a disposition out."""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain.grading import disposition_for, new_inspection_id
from services.refurbish.tables import Inspection
from shared.events import Envelope, Grade, InspectionOpened, ReturnReceived, UnitGraded
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["refurbish"])


async def on_return_received(session: AsyncSession, parcel: ReturnReceived, _: Envelope) -> None:
    inspection_id = await session.scalar(
        insert(Inspection)
        .values(
            inspection_id=new_inspection_id(),
            case_id=parcel.case_id,
            rma_id=parcel.rma_id,
            warehouse=parcel.warehouse,
            status="open",
            notes=parcel.condition_note,
            opened_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing(index_elements=[Inspection.rma_id])
        .returning(Inspection.inspection_id)
    )
    if inspection_id is None:
        return  # this parcel is already on the bench
    await emit(
        session,
        InspectionOpened(
            case_id=parcel.case_id,
            inspection_id=inspection_id,
            rma_id=parcel.rma_id,
            warehouse=parcel.warehouse,
        ),
    )


@router.get("/inspections", summary="Inspections, by case or status")
async def list_inspections(
    service: CurrentService,
    case_id: str | None = None,
    status: str | None = None,
) -> list[Inspection]:
    query = select(Inspection).order_by(Inspection.opened_at)
    if case_id is not None:
        query = query.where(Inspection.case_id == case_id)
    if status is not None:
        query = query.where(Inspection.status == status)
    async with service.sessions() as session:
        return list(await session.scalars(query))


class GradeReport(BaseModel):
    grade: Grade
    notes: str = Field(default="", max_length=2000)


@router.post("/inspections/{inspection_id}/grade", summary="Record a technician's grade")
async def grade_unit(
    inspection_id: str, report: GradeReport, service: CurrentService
) -> Inspection:
    async with service.transaction() as session:
        inspection = await session.get(Inspection, inspection_id, with_for_update=True)
        if inspection is None:
            raise HTTPException(404, f"no inspection {inspection_id}")
        if inspection.status == "graded":
            if inspection.grade == report.grade.value:
                return inspection  # the same grade again changes nothing
            raise HTTPException(
                409, f"inspection {inspection_id} is already graded {inspection.grade}"
            )
        async with service.case_span(session, inspection.case_id, "grade unit"):
            return await _record_grade(session, inspection, report)


async def _record_grade(
    session: AsyncSession, inspection: Inspection, report: GradeReport
) -> Inspection:
    disposition = disposition_for(report.grade)
    inspection.status = "graded"
    inspection.grade = report.grade.value
    inspection.disposition = disposition.value
    inspection.notes = report.notes or inspection.notes
    inspection.graded_at = datetime.now(UTC)
    session.add(inspection)
    await emit(
        session,
        UnitGraded(
            case_id=inspection.case_id,
            inspection_id=inspection.inspection_id,
            grade=report.grade,
            disposition=disposition,
            notes=report.notes,
        ),
    )
    return inspection
