"""The technician's bench: the inspections waiting, the checklist of each unit's
category, the grade it earns (or an override with its reason), and repairs. Technicians
reach their own repair shops' units only (the warehouses where their bench is): another
shop's answers 404, and lists hold their shops' rows only."""

from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Select, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain.checklists import Checklist, checklist_form, parse_checklist
from services.refurbish.domain.grading import Override
from services.refurbish.domain.units import UnitNotValued
from services.refurbish.handlers.scoping import at_shop, at_shops
from services.refurbish.tables import BenchPhoto, Inspection, RepairJob
from services.refurbish.workflows.context import CurrentRefurbish
from services.refurbish.workflows.grading import on_bench, record_findings
from services.refurbish.workflows.repairing import finish_repair
from shared.audit import personal_data
from shared.identity import Principal, Technician
from shared.lifecycle import IllegalTransition
from shared.outbound import Unavailable
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["inspections"])
Answer = TypeVar("Answer")


@router.get("/inspections", summary="Inspections, by case, warehouse or status")
async def list_inspections(
    service: CurrentService,
    caller: Technician,
    case_id: str | None = None,
    warehouse: str | None = None,
    status: str | None = None,
) -> list[Inspection]:
    query = matching(Inspection, caller, case_id=case_id, warehouse=warehouse, status=status)
    async with service.sessions() as session:
        return list(await session.scalars(query.order_by(Inspection.opened_at)))


def matching(
    table: type[Inspection] | type[RepairJob], caller: Principal, **filters: str | None
) -> Select:
    """Rows of `table` at the caller's repair shops, equal to every filter given (a None
    filter is not given)."""
    query = select(table).where(at_shops(caller, table.warehouse))
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(table, column) == value)
    return query


async def inspection_of(
    session: AsyncSession, caller: Principal, inspection_id: str, lock: bool = False
) -> Inspection:
    missing = f"no inspection {inspection_id}"
    inspection = await get_or_404(session, Inspection, inspection_id, missing, lock=lock)
    at_shop(caller, inspection.warehouse, missing)
    return inspection


@router.get("/inspections/{inspection_id}", summary="An inspection")
async def get_inspection(
    inspection_id: str, service: CurrentService, caller: Technician
) -> Inspection:
    async with service.sessions() as session:
        return await inspection_of(session, caller, inspection_id)


@router.get("/inspections/{inspection_id}/checklist", summary="The checklist to fill")
async def checklist_to_fill(
    inspection_id: str, service: CurrentService, caller: Technician
) -> dict[str, Any]:
    async with service.sessions() as session:
        inspection = await inspection_of(session, caller, inspection_id)
    return checklist_form(on_bench(inspection).category)


@router.get(
    "/inspections/{inspection_id}/photos/{photo_id}",
    summary="A photo the technician took of the unit at the bench",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def bench_photo(
    inspection_id: str, photo_id: str, service: CurrentService, caller: Technician
) -> Response:
    async with service.sessions() as session:
        await inspection_of(session, caller, inspection_id)
        photo = await session.get(BenchPhoto, (inspection_id, photo_id))
    if photo is None:
        raise HTTPException(404, f"no photo {photo_id} of inspection {inspection_id}")
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(photo.content, media_type=photo.content_type, headers=headers)


@router.get(
    "/inspections/{inspection_id}/buyer-photos",
    summary="The photos the buyer added to the case, with links to open each",
    dependencies=[personal_data("buyer's photos")],
    description="Technicians only: the buyer's photos stay with intake, asked at each look.",
)
async def buyer_photos(
    inspection_id: str,
    request: Request,
    service: CurrentService,
    refurbish: CurrentRefurbish,
    caller: Technician,
) -> list[dict[str, Any]]:
    async with service.sessions() as session:
        inspection = await inspection_of(session, caller, inspection_id)
    photos = await _asked(refurbish.buyer_photos.of_case(inspection.case_id))
    root = f"{request.scope.get('root_path', '')}/inspections/{inspection_id}/buyer-photos"
    return [
        {
            "photo_id": photo.photo_id,
            "content_type": photo.content_type,
            "size": photo.size,
            "uploaded_at": photo.uploaded_at,
            "url": f"{root}/{photo.photo_id}",
        }
        for photo in photos
    ]


@router.get(
    "/inspections/{inspection_id}/buyer-photos/{photo_id}",
    summary="One photo the buyer added, as they sent it",
    dependencies=[personal_data("buyer's photo")],
    description="Technicians only.",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def buyer_photo(
    inspection_id: str,
    photo_id: str,
    service: CurrentService,
    refurbish: CurrentRefurbish,
    caller: Technician,
) -> Response:
    async with service.sessions() as session:
        inspection = await inspection_of(session, caller, inspection_id)
    photo = await _asked(refurbish.buyer_photos.content(inspection.case_id, photo_id))
    if photo is None:
        raise HTTPException(404, f"the buyer added no photo {photo_id} to {inspection.case_id}")
    content_type, data = photo
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)


async def _asked(question: Awaitable[Answer]) -> Answer:
    """Intake's answer; a 503 saying so when intake cannot answer now."""
    try:
        return await question
    except Unavailable as down:
        raise HTTPException(503, f"the buyer's photos are not available now: {down}") from None


class Findings(BaseModel):
    checklist: dict[str, Any]
    override: Override | None = None
    notes: str = Field(default="", max_length=2000)


@router.post("/inspections/{inspection_id}/checklist", summary="Record the checklist: grade it")
async def record_checklist(
    inspection_id: str, findings: Findings, service: CurrentService, caller: Technician
) -> Inspection:
    """The rubric grades the checklist; the unit is then disposed of at once. Sending the
    same findings again changes nothing; other findings for a graded unit are refused."""
    async with service.transaction() as session:
        inspection = await inspection_of(session, caller, inspection_id, lock=True)
        checklist = _parsed(on_bench(inspection).category, findings.checklist)
        try:
            await record_findings(
                service,
                session,
                inspection,
                checklist,
                caller.name,
                findings.notes,
                findings.override,
            )
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from None
        except UnitNotValued as unvalued:
            reason = f"inspection {inspection_id} cannot be graded: {unvalued}"
            raise HTTPException(422, reason) from None
        return inspection


def _parsed(category: str, checklist: dict[str, Any]) -> Checklist:
    try:
        return parse_checklist(category, checklist)
    except (ValidationError, ValueError) as error:
        raise HTTPException(422, f"checklist for {category}: {error}") from error


@router.get("/repairs", summary="Repair jobs, by inspection, warehouse or status")
async def list_repairs(
    service: CurrentService,
    caller: Technician,
    inspection_id: str | None = None,
    warehouse: str | None = None,
    status: str | None = None,
) -> list[RepairJob]:
    query = matching(
        RepairJob, caller, inspection_id=inspection_id, warehouse=warehouse, status=status
    )
    async with service.sessions() as session:
        return list(await session.scalars(query.order_by(RepairJob.ordered_at)))


@router.post("/repairs/{repair_id}/done", summary="The repair is done: inspect the unit again")
async def repair_done(repair_id: str, service: CurrentService, caller: Technician) -> RepairJob:
    missing = f"no repair job {repair_id}"
    async with service.transaction() as session:
        repair = await get_or_404(session, RepairJob, repair_id, missing, lock=True)
        at_shop(caller, repair.warehouse, missing)
        try:
            await finish_repair(service, session, repair, caller.name)
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from None
        return repair
