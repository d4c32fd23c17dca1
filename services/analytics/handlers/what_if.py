"""The console's what-if page: the seller's policy in force, and a period's cases replanned
under a proposed policy. Resolution answers both (its remedy engine does the replanning);
analytics passes the questions on, with the caller's own token (the bearer token given, or
the signed-in session's), so the page needs one address only. A seller the caller does
not serve answers 404 here already."""

from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from services.analytics.adapters.resolution_api import Answer, ResolutionApi
from services.analytics.workflows.context import CurrentAnalytics
from shared.identity import Credentials, SellerAgent, SellerReader, session_token
from shared.outbound import Unavailable

router = APIRouter(prefix="/console", tags=["console"])


async def resolution_api(analytics: CurrentAnalytics) -> ResolutionApi:
    return ResolutionApi(analytics.resolution_api)


Resolution = Annotated[ResolutionApi, Depends(resolution_api)]


async def callers_token(request: Request, given: Credentials) -> str:
    """The token the caller was let in with (the policy has checked it already)."""
    token = given.credentials if given is not None else session_token(request)
    if not token:  # not reached: the route's policy answers 401 first
        raise HTTPException(401, "a bearer token is required")
    return token


CallersToken = Annotated[str, Depends(callers_token)]


async def _passed_on(asking: Awaitable[Answer]) -> Response:
    """Resolution's answer as it came; 503 when resolution gave none."""
    try:
        answer = await asking
    except Unavailable as unavailable:
        raise HTTPException(503, f"resolution is unreachable: {unavailable.reason}") from None
    return Response(answer.content, status_code=answer.status, media_type=answer.media_type)


@router.get("/policies/{seller}", summary="The seller's policy in force (asked of resolution)")
async def policy_in_force(
    seller: str, caller: SellerReader, token: CallersToken, resolution: Resolution
) -> Response:
    caller.seller_or_404(seller, "seller")
    return await _passed_on(resolution.policy_in_force(seller, token))


@router.post(
    "/what-if/{seller}",
    summary="Replan a period's cases under a proposed policy (resolution's what-if; agents only)",
)
async def what_if(
    seller: str,
    request: Request,
    caller: SellerAgent,
    token: CallersToken,
    resolution: Resolution,
) -> Response:
    caller.seller_or_404(seller, "seller")
    return await _passed_on(resolution.what_if(seller, await request.body(), token))
