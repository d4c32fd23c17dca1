"""The console's what-if page: the seller's policy in force, and a period's cases replanned
under a proposed one. Resolution answers both (its remedy engine does the replanning);
analytics passes the questions on, with the caller's own token (their bearer header, or
the signed-in console's session), so the page needs one address only."""

from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from services.analytics.adapters.resolution_api import Answer, ResolutionApi
from services.analytics.workflows.context import CurrentAnalytics
from shared.identity import SellerAgent, SellerReader, session_token
from shared.outbound import Unavailable

router = APIRouter(prefix="/console", tags=["console"])


async def resolution_api(analytics: CurrentAnalytics) -> ResolutionApi:
    return ResolutionApi(analytics.resolution_api)


Resolution = Annotated[ResolutionApi, Depends(resolution_api)]


def credentials_of(request: Request) -> str | None:
    """The caller's Authorization header, or the console session's token as one."""
    if given := request.headers.get("authorization"):
        return given
    token = session_token(request)
    return f"Bearer {token}" if token else None


async def _passed_on(asking: Awaitable[Answer]) -> Response:
    """Resolution's answer as it came; 503 when resolution gave none."""
    try:
        answer = await asking
    except Unavailable as unavailable:
        raise HTTPException(503, f"resolution is unreachable: {unavailable.reason}") from None
    return Response(answer.content, status_code=answer.status, media_type=answer.media_type)


@router.get("/policies/{seller}", summary="The seller's policy in force (asked of resolution)")
async def policy_in_force(
    seller: str, request: Request, caller: SellerReader, resolution: Resolution
) -> Response:
    caller.seller_or_404(seller, "seller")
    return await _passed_on(resolution.policy_in_force(seller, credentials_of(request)))


@router.post(
    "/what-if/{seller}",
    summary="Replan a period's cases under a proposed policy (resolution's what-if; agents only)",
)
async def what_if(
    seller: str, request: Request, caller: SellerAgent, resolution: Resolution
) -> Response:
    caller.seller_or_404(seller, "seller")
    question = await request.body()
    return await _passed_on(resolution.what_if(seller, question, credentials_of(request)))
