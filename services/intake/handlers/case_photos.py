"""The photos a buyer added to their case, as intake keeps them (sealed): listed, and one
opened as the buyer sent it.

Who may call: support agents (agent token), and the other services acting for their own
staff (internal token): refurbish shows them to the technician inspecting the returned
unit. The bytes never leave intake but through these routes.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from services.intake.tables import CaseRecord
from services.intake.workflows.buyer_page import photo_content, photos_of
from services.intake.workflows.context import CurrentIntake
from shared.access import AgentOrInternal
from shared.audit import personal_data
from shared.routes import found, get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["support agents"], dependencies=[AgentOrInternal])


@router.get(
    "/cases/{case_id}/photos",
    summary="The photos the buyer added to a case",
    dependencies=[personal_data("buyer's photos")],
)
async def case_photos(case_id: str, service: CurrentService) -> list[dict[str, Any]]:
    async with service.transaction() as session:
        await get_or_404(session, CaseRecord, case_id, f"no case {case_id}")
        return await photos_of(session, case_id)


@router.get(
    "/cases/{case_id}/photos/{photo_id}",
    summary="One photo the buyer added, as they sent it",
    dependencies=[personal_data("buyer's photo")],
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def case_photo(case_id: str, photo_id: str, intake: CurrentIntake) -> Response:
    async with intake.service.transaction() as session:
        photo = await photo_content(session, intake.vault, case_id, photo_id)
    content_type, data = found(photo, f"case {case_id} has no photo {photo_id}")
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)
