"""Resolution's HTTP API: what was decided and why, the agents' queue, seller policies and
the troubleshooting knowledge base. Reads are open to operators; changes need the agent
token."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.resolution import knowledge_base, policies, timekeeping
from services.resolution.domain.policy import SellerPolicy
from services.resolution.domain.troubleshooting import Guide, guide_from_dict, guide_to_dict
from services.resolution.tables import CaseClock, CaseDecision, Offer, Refund
from services.resolution.what_if import what_if
from shared.access import AgentOnly
from shared.messaging_tables import utc_now
from shared.service import CurrentService

router = APIRouter(tags=["resolution"])

CaseState = Literal["waiting", "offered", "decided", "held"]


@router.get("/decisions/{case_id}", summary="A case's plan, alternatives and remedy")
async def get_decision(case_id: str, service: CurrentService) -> CaseDecision:
    async with service.sessions() as session:
        record = await session.get(CaseDecision, case_id)
    if record is None:
        raise HTTPException(404, f"no case {case_id} in resolution")
    return record


@router.get("/decisions", summary="Cases by state; state=held is the agents' queue")
async def list_decisions(
    service: CurrentService,
    state: CaseState = "held",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CaseDecision]:
    query = select(CaseDecision).where(CaseDecision.state == state)
    async with service.sessions() as session:
        rows = await session.scalars(query.order_by(CaseDecision.opened_at).limit(limit))
        return list(rows)


@router.get("/cases/{case_id}/offers", summary="Every message sent to the buyer of a case")
async def case_offers(case_id: str, service: CurrentService) -> list[Offer]:
    async with service.sessions() as session:
        rows = await session.scalars(
            select(Offer).where(Offer.case_id == case_id).order_by(Offer.step)
        )
        return list(rows)


@router.get("/refunds", summary="Refunds by state: pending, issued or refused")
async def list_refunds(
    service: CurrentService,
    state: Literal["pending", "issued", "refused"] = "pending",
    case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Refund]:
    query = select(Refund).where(Refund.state == state)
    if case_id is not None:
        query = query.where(Refund.case_id == case_id)
    async with service.sessions() as session:
        return list(await session.scalars(query.limit(limit)))


@router.get("/clocks", summary="Service-level clocks by state, soonest due first")
async def list_clocks(
    service: CurrentService,
    state: Literal["running", "near_breach", "breached", "stopped"] = "breached",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CaseClock]:
    query = select(CaseClock).where(CaseClock.state == state).order_by(CaseClock.due_at)
    async with service.sessions() as session:
        return list(await session.scalars(query.limit(limit)))


@router.post(
    "/cases/{case_id}/follow-up", dependencies=[AgentOnly], summary="The follow-up call is done"
)
async def follow_up_done(case_id: str, service: CurrentService) -> dict[str, str]:
    async with service.transaction() as session:
        await timekeeping.stop_clocks(session, case_id, ("follow_up",), utc_now())
    return {"case_id": case_id, "follow_up": "done"}


# --- Seller policies


class PolicyView(BaseModel):
    seller_account: str
    version: int  # 0: the default policy, never set by the seller
    policy: SellerPolicy


@router.get("/policies/{seller}", summary="The seller's policy in force")
async def get_policy(seller: str, service: CurrentService) -> PolicyView:
    async with service.sessions() as session:
        policy, version = await policies.policy_in_force(session, seller)
    return PolicyView(seller_account=seller, version=version, policy=policy)


@router.get("/policies/{seller}/versions/{version}", summary="One version of a seller's policy")
async def get_policy_version(seller: str, version: int, service: CurrentService) -> PolicyView:
    async with service.sessions() as session:
        policy = await policies.policy_version(session, seller, version)
    if policy is None:
        raise HTTPException(404, f"seller {seller} has no policy version {version}")
    return PolicyView(seller_account=seller, version=version, policy=policy)


@router.put(
    "/policies/{seller}",
    dependencies=[AgentOnly],
    status_code=201,
    summary="A new version of the seller's policy; cases planned from now on use it",
)
async def put_policy(seller: str, policy: SellerPolicy, service: CurrentService) -> PolicyView:
    async with service.transaction() as session:
        version = await policies.save_policy(session, seller, policy, author="agent API")
    return PolicyView(seller_account=seller, version=version, policy=policy)


# --- Troubleshooting knowledge base


class GuideBody(BaseModel):
    language: str = Field(min_length=2, max_length=8)
    title: str = Field(min_length=1, max_length=200)
    steps: list[str] = Field(min_length=1, max_length=12)
    sku: str | None = None
    category: str | None = None
    fault_code: str | None = None
    video_url: str | None = None


@router.get("/guides/{seller}", summary="The seller's guides, over the starter set")
async def list_guides(
    seller: str,
    service: CurrentService,
    sku: str | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    async with service.sessions() as session:
        guides = await knowledge_base.guides_of(session, seller)
    return [
        guide_to_dict(g)
        for g in guides
        if (sku is None or g.sku == sku) and (language is None or g.language == language)
    ]


@router.put(
    "/guides/{seller}/{guide_id}", dependencies=[AgentOnly], summary="Add or replace a guide"
)
async def put_guide(
    seller: str, guide_id: str, body: GuideBody, service: CurrentService
) -> dict[str, Any]:
    if body.sku is None and body.category is None:
        raise HTTPException(422, "a guide is for a sku or for a category: give one")
    try:
        guide: Guide = guide_from_dict({"guide_id": guide_id, **body.model_dump()})
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    async with service.transaction() as session:
        await knowledge_base.save_guide(session, seller, guide)
    return guide_to_dict(guide)


@router.delete(
    "/guides/{seller}/{guide_id}", dependencies=[AgentOnly], status_code=204, summary="Remove"
)
async def delete_guide(seller: str, guide_id: str, service: CurrentService) -> None:
    async with service.transaction() as session:
        if not await knowledge_base.delete_guide(session, seller, guide_id):
            raise HTTPException(404, f"seller {seller} has no guide {guide_id}")


class WhatIf(BaseModel):
    policy: SellerPolicy
    since: datetime | None = Field(default=None, description="cases opened at or after")
    until: datetime | None = Field(default=None, description="cases opened before")


@router.post(
    "/what-if/{seller}",
    dependencies=[AgentOnly],
    summary="Replan a period's cases under a proposed policy: cost, remedies, returns",
)
async def replay_policy(seller: str, question: WhatIf, service: CurrentService) -> dict[str, Any]:
    if question.since and question.until and question.since >= question.until:
        raise HTTPException(422, "since must be before until")
    async with service.sessions() as session:
        return await what_if(session, seller, question.policy, question.since, question.until)
