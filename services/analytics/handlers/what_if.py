"""The console's what-if page: the seller's policy in force, and a period's cases replanned
under a proposed one. Resolution answers both (its remedy engine does the replanning);
analytics passes the questions on so the page needs one address only."""

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response

from shared.service import CurrentService

router = APIRouter(prefix="/console", tags=["console"])


def resolution_api(service: CurrentService) -> httpx.AsyncClient:
    return service.context.resolution_api


Resolution = Annotated[httpx.AsyncClient, Depends(resolution_api)]


async def _ask(resolution: httpx.AsyncClient, request: httpx.Request) -> Response:
    try:
        answer = await resolution.send(request)
    except httpx.HTTPError as failure:
        raise HTTPException(503, f"resolution is unreachable: {failure}") from None
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type", "application/json"),
    )


@router.get("/policies/{seller}", summary="The seller's policy in force (asked of resolution)")
async def policy_in_force(seller: str, resolution: Resolution) -> Response:
    return await _ask(resolution, resolution.build_request("GET", f"/policies/{seller}"))


@router.post(
    "/what-if/{seller}",
    summary="Replan a period's cases under a proposed policy (resolution's what-if; agents only)",
)
async def what_if(
    seller: str,
    request: Request,
    resolution: Resolution,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    headers: dict[str, Any] = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    question = resolution.build_request(
        "POST", f"/what-if/{seller}", content=await request.body(), headers=headers
    )
    return await _ask(resolution, question)
