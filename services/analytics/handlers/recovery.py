"""The console's recovery page: what waits for an operator in each service — dead letters
per topic (every service's, `shared/recovery.py`), failed deliveries (intake's) and failed
outgoing calls (intake's, resolution's and fulfillment's, `shared/failed_calls.py`) — and
the operator's re-drive, retry and discard.

Analytics passes each question on to the owning service with the caller's own token (their
bearer header, or the signed-in console's session), so the page needs one address only;
the owning service checks the caller's role (platform admins for dead letters, the sellers'
agents for their deliveries and calls), filters its sellers' data and keeps each change in
its audit trail. Only the recovery routes are passed on: any other path is a 404 here,
before any service is asked.
"""

import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response

from services.analytics.adapters.recovery_api import RecoveryApi
from services.analytics.handlers.what_if import credentials_of
from services.analytics.workflows.context import CurrentAnalytics
from shared.identity import SellerAgent, SellerReader
from shared.outbound import Unavailable
from shared.settings import SERVICE_NAMES

router = APIRouter(prefix="/console/recovery", tags=["console"])

# What the page may read and change, by service: the recovery routes only. Every service
# has dead letters; intake its failed deliveries; the services that call outside systems
# their failed calls (`shared/failed_calls.py`).
DEAD_LETTERS = r"dead-letters(/topics|/\d+)?"
DEAD_LETTER_CHANGES = r"dead-letters(/\d+)?/(redrive|discard)"
CALLING = frozenset({"intake", "resolution", "fulfillment"})
READS = {
    service: re.compile(
        DEAD_LETTERS
        + ("|failed-calls" if service in CALLING else "")
        + ("|deliveries" if service == "intake" else "")
    )
    for service in SERVICE_NAMES
}
CHANGES = {
    service: re.compile(
        DEAD_LETTER_CHANGES
        + (r"|failed-calls(/[^/]+/[^/]+)?/(retry|discard)" if service in CALLING else "")
        + (r"|deliveries(/[^/]+/[^/]+/.+)?/(retry|discard)" if service == "intake" else "")
    )
    for service in SERVICE_NAMES
}

ServiceName = Annotated[str, Path(description="the owning service: " + ", ".join(SERVICE_NAMES))]


async def api_of(service: ServiceName, analytics: CurrentAnalytics) -> RecoveryApi:
    client = analytics.service_apis.get(service)
    if client is None:
        raise HTTPException(404, f"no service {service!r}: one of {', '.join(SERVICE_NAMES)}")
    return RecoveryApi(service, client)


Api = Annotated[RecoveryApi, Depends(api_of)]


async def passed_on(api: RecoveryApi, request: Request, path: str, body: bytes | None) -> Response:
    try:
        answer = await api.ask(
            request.method, f"/{path}", request.url.query, body, credentials_of(request)
        )
    except Unavailable as unavailable:
        raise HTTPException(503, f"{api.service} is unreachable: {unavailable.reason}") from None
    return Response(answer.content, status_code=answer.status, media_type=answer.media_type)


@router.get(
    "/{service}/{path:path}",
    summary="What waits in a service's recovery queue (asked of the service, as the caller)",
)
async def read_queue(
    service: ServiceName, path: str, request: Request, caller: SellerReader, api: Api
) -> Response:
    if not READS[service].fullmatch(path):
        raise HTTPException(404, f"{service} has no recovery queue {path!r}")
    return await passed_on(api, request, path, None)


@router.post(
    "/{service}/{path:path}",
    summary="Re-drive, retry or discard in a service's recovery queue (as the caller)",
)
async def change_queue(
    service: ServiceName, path: str, request: Request, caller: SellerAgent, api: Api
) -> Response:
    if not CHANGES[service].fullmatch(path):
        raise HTTPException(404, f"{service} has no recovery change {path!r}")
    return await passed_on(api, request, path, await request.body())
