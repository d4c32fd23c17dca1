"""The photos a buyer added to their case, as intake keeps them (sealed): listed, and one
opened as the buyer sent it.

Who may call (`SellerAgentOrService`): the sellers' own people, for their sellers' cases
(another seller's case answers 404 as one that does not exist), and the other services
acting for their own staff (a service's token): refurbish shows them to the technician
inspecting the returned unit. The bytes never leave intake but through these routes.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from services.intake.handlers.tenancy import case_of
from services.intake.tables import CaseRecord
from services.intake.workflows.buyer_page import photo_content, photos_of
from services.intake.workflows.context import CurrentIntake
from shared.audit import personal_data
from shared.identity import SellerAgentOrService
from shared.routes import found
from shared.service import CurrentService

router = APIRouter(tags=["support agents"])


@router.get(
    "/cases/{case_id}/photos",
    summary="The photos the buyer added to a case",
    dependencies=[personal_data("buyer's photos")],
)
async def case_photos(
    case_id: str, service: CurrentService, caller: SellerAgentOrService
) -> list[dict[str, Any]]:
    async with service.transaction() as session:
        await case_of(session, caller, case_id)
        return await photos_of(session, case_id)


@router.get(
    "/cases/{case_id}/photos/{photo_id}",
    summary="One photo the buyer added, as they sent it",
    dependencies=[personal_data("buyer's photo")],
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def case_photo(
    case_id: str, photo_id: str, intake: CurrentIntake, caller: SellerAgentOrService
) -> Response:
    async with intake.service.transaction() as session:
        case = await session.get(CaseRecord, case_id)
        photo = None  # another seller's case has none, as a missing one
        if case is not None and caller.serves(case.account):
            photo = await photo_content(session, intake.vault, case_id, photo_id)
    content_type, data = found(photo, f"case {case_id} has no photo {photo_id}")
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)
