"""Intake's HTTP surface: marketplace webhooks in, cases out.

A webhook is stored as a case and its `case.opened` event in one transaction;
a redelivery of the same marketplace event finds the stored case and publishes nothing.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.intake.domain.webhook import GenericWebhook, new_case_id, open_case
from services.intake.tables import CaseRecord
from shared.outbox import emit
from shared.service import CurrentService, Service

router = APIRouter(tags=["intake"])


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 past `limit` bytes, however it is sent."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body of {declared} bytes exceeds the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"body exceeds the limit of {limit} bytes")
    return bytes(body)


def reject(service: Service, status: int, reason: str, detail: object) -> JSONResponse:
    service.counter("webhook.rejections", "webhooks refused").add(1, {"reason": reason})
    return JSONResponse({"error": reason, "detail": jsonable_encoder(detail)}, status_code=status)


@router.post("/webhooks/generic", status_code=201, summary="Open a case from a generic webhook")
async def receive_generic_webhook(request: Request, service: CurrentService) -> JSONResponse:
    try:
        body = await read_body(request, service.settings.webhook_max_body_bytes)
    except HTTPException as error:
        return reject(service, error.status_code, "body_too_large", error.detail)
    try:
        webhook = GenericWebhook.model_validate_json(body)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_context=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            return reject(service, 400, "malformed_json", errors)
        return reject(service, 422, "invalid_case", errors)

    case = open_case(webhook, new_case_id(), datetime.now(UTC))
    async with service.transaction() as session:
        stored_id = await session.scalar(
            insert(CaseRecord)
            .values(
                case_id=case.case_id,
                marketplace=case.marketplace,
                marketplace_event_id=case.marketplace_event_id,
                order_id=case.order_id,
                market=case.market,
                opened_at=case.opened_at,
                case=case.model_dump(mode="json"),
            )
            .on_conflict_do_nothing(constraint="cases_delivery_once")
            .returning(CaseRecord.case_id)
        )
        if stored_id is None:
            existing = await session.scalar(
                select(CaseRecord.case_id).where(
                    CaseRecord.marketplace == case.marketplace,
                    CaseRecord.marketplace_event_id == case.marketplace_event_id,
                )
            )
            return JSONResponse({"case_id": existing, "duplicate": True}, status_code=200)
        await emit(session, case)
    service.counter("cases.opened", "cases opened").add(1, {"market": case.market})
    return JSONResponse({"case_id": case.case_id, "duplicate": False}, status_code=201)


@router.get("/cases/{case_id}", summary="A case as received")
async def get_case(case_id: str, service: CurrentService) -> dict:
    async with service.sessions() as session:
        record = await session.get(CaseRecord, case_id)
    if record is None:
        raise HTTPException(404, f"no case {case_id}")
    return record.case
