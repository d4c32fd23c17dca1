"""What every intake route shares: body limits and refusals with a reason."""

import logging

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.intake.domain.case import ChannelError
from shared.service import Service

log = logging.getLogger(__name__)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 past `limit` bytes, however it is sent."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ChannelError(413, "body_too_large", f"body of {declared} bytes exceeds {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ChannelError(413, "body_too_large", f"body exceeds the limit of {limit} bytes")
    return bytes(body)


def refusal(
    service: Service, channel: str, error: ChannelError, counted_as: str | None = None
) -> JSONResponse:
    """Count and log a refused request (reason only: never the body, which may hold PII);
    `counted_as`: the reason counted and logged when it is not the one answered."""
    reason = counted_as or error.reason
    service.counter("intake.rejections", "requests refused").add(
        1, {"reason": reason, "channel": channel}
    )
    log.info("refused %s delivery: %s (%s)", channel, reason, error.field or "-")
    body = {"error": error.reason, "detail": jsonable_encoder(error.detail)}
    if error.field:
        body["field"] = error.field
    return JSONResponse(body, status_code=error.status)
