"""What resolution decided and why, for agents and operators: each case's plan and
alternatives, the agents' queue (held cases), the offers sent, refunds and clocks by
state; the follow-up call an agent reports done, and an agent's offer to a held case
anyway (goodwill, when nothing is owed). Each caller sees its own sellers'
cases only: another seller's case answers 404, as one that does not exist."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select

from services.resolution.domain.cases import CaseState
from services.resolution.domain.clocks import ClockName, ClockState
from services.resolution.domain.refunds import RefundState
from services.resolution.handlers.tenancy import case_of, cases_served
from services.resolution.tables import CaseClock, CaseDecision, Offer, Refund
from services.resolution.workflows import offering, timekeeping
from shared.events import Remedy
from shared.identity import SellerAgent, SellerReader
from shared.messaging_tables import utc_now
from shared.service import CurrentService

router = APIRouter(tags=["resolution"])

Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/decisions/{case_id}", summary="A case's plan, alternatives and remedy")
async def get_decision(case_id: str, caller: SellerReader, service: CurrentService) -> CaseDecision:
    async with service.sessions() as session:
        return await case_of(session, caller, case_id)


@router.get("/decisions", summary="Cases by state; state=held is the agents' queue")
async def list_decisions(
    caller: SellerReader,
    service: CurrentService,
    state: CaseState = CaseState.HELD,
    limit: Limit = 100,
) -> list[CaseDecision]:
    query = select(CaseDecision).where(
        CaseDecision.state == state, caller.sellers_in(CaseDecision.seller_account)
    )
    async with service.sessions() as session:
        rows = await session.scalars(query.order_by(CaseDecision.opened_at).limit(limit))
        return list(rows)


@router.get("/cases/{case_id}/offers", summary="Every message sent to the buyer of a case")
async def case_offers(case_id: str, caller: SellerReader, service: CurrentService) -> list[Offer]:
    async with service.sessions() as session:
        await case_of(session, caller, case_id)
        rows = await session.scalars(
            select(Offer).where(Offer.case_id == case_id).order_by(Offer.step)
        )
        return list(rows)


@router.get("/refunds", summary="Refunds by state: pending, issued or refused")
async def list_refunds(
    caller: SellerReader,
    service: CurrentService,
    state: RefundState = RefundState.PENDING,
    case_id: str | None = None,
    limit: Limit = 100,
) -> list[Refund]:
    query = select(Refund).where(Refund.state == state, caller.sellers_in(Refund.seller_account))
    if case_id is not None:
        query = query.where(Refund.case_id == case_id)
    async with service.sessions() as session:
        return list(await session.scalars(query.limit(limit)))


@router.get("/clocks", summary="Service-level clocks by state, soonest due first")
async def list_clocks(
    caller: SellerReader,
    service: CurrentService,
    state: ClockState = ClockState.BREACHED,
    limit: Limit = 100,
) -> list[CaseClock]:
    query = select(CaseClock).where(CaseClock.state == state)
    if not caller.every_seller:  # a clock knows its case only: the case knows the seller
        query = query.where(CaseClock.case_id.in_(cases_served(caller)))
    async with service.sessions() as session:
        return list(await session.scalars(query.order_by(CaseClock.due_at).limit(limit)))


@router.post("/cases/{case_id}/follow-up", summary="The follow-up call is done")
async def follow_up_done(
    case_id: str, caller: SellerAgent, service: CurrentService
) -> dict[str, str]:
    async with service.transaction() as session:
        await case_of(session, caller, case_id)
        await timekeeping.stop_clocks(session, case_id, (ClockName.FOLLOW_UP,), utc_now())
    return {"case_id": case_id, "follow_up": "done"}


class AgentOffer(BaseModel):
    remedy: Remedy


@router.post(
    "/cases/{case_id}/offers",
    status_code=202,
    summary="An agent offers a remedy to a held case anyway (e.g. when nothing is owed)",
)
async def offer_anyway(
    case_id: str, offer: AgentOffer, caller: SellerAgent, service: CurrentService
) -> dict[str, str | bool]:
    """409 when the case is not held (a retry of the same offer answers as the first did);
    422 when the law forbids the remedy or it cannot be carried out."""
    async with service.transaction() as session:
        record = await case_of(session, caller, case_id)
        await session.refresh(record, with_for_update=True)
        try:
            sent = await offering.offer_anyway(
                session, record, offer.remedy, caller.name or caller.subject, utc_now()
            )
        except offering.NotOffered as refused:
            raise HTTPException(409 if refused.conflict else 422, str(refused)) from refused
        return {"case_id": case_id, "state": record.state, "sent": sent}
