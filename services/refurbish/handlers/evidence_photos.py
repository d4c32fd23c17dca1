"""An inspection's bench photos for another service of the stack: analytics puts them in a
case's evidence pack for a marketplace claim (what came back, as the technician saw it).
A service's token only (`ServiceCall`): the service asking has checked already that the
person it serves may see the case; a person's token is refused here."""

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from services.refurbish.tables import BenchPhoto, Inspection
from services.refurbish.workflows.bench_photos import photos_of
from shared.identity import ServiceCall
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["evidence photos"])


@router.get(
    "/evidence/inspections/{inspection_id}/photos",
    summary="An inspection's bench photos, oldest first: their ids and types (a service only)",
)
async def photo_list(
    inspection_id: str, service: CurrentService, _: ServiceCall
) -> list[dict[str, Any]]:
    async with service.sessions() as session:
        await get_or_404(session, Inspection, inspection_id, f"no inspection {inspection_id}")
        photos = await photos_of(session, inspection_id)
    return [
        {
            "photo_id": photo.photo_id,
            "content_type": photo.content_type,
            "size": len(photo.content),
            "taken_at": photo.taken_at,
        }
        for photo in photos
    ]


@router.get(
    "/evidence/inspections/{inspection_id}/photos/{photo_id}",
    summary="One bench photo, as the technician took it (a service only)",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def photo(inspection_id: str, photo_id: str, service: CurrentService, _: ServiceCall):
    async with service.sessions() as session:
        found = await session.get(BenchPhoto, (inspection_id, photo_id))
    if found is None:
        raise HTTPException(404, f"no photo {photo_id} of inspection {inspection_id}")
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(found.content, media_type=found.content_type, headers=headers)
