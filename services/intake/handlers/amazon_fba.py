"""Amazon FBA returns, for the sellers' people: each returned unit as Amazon graded it, the
removal orders sent for unsellable units, and the reimbursement claims owed for units
Amazon damaged, each read narrowed to a seller (`?seller=`) or an account. Read by
`SellerReader`, decided and moved by `SellerAgent`: their sellers' accounts only, another
seller's unit, order or claim answers 404 as one that does not exist.

Reimbursement claims are filed in Seller Central by a person (the SP-API has no call for
it): the agents list the claims owed with their evidence and say here what became of each.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from services.intake.domain.fba_units import Outcome
from services.intake.domain.reimbursement_claims import ClaimState
from services.intake.domain.removal_orders import RemovalState
from services.intake.handlers.tenancy import owned
from services.intake.tables import AmazonFbaUnit, AmazonReimbursementClaim, AmazonRemovalOrder
from services.intake.workflows import fba_units, reimbursement_claims, removal_orders
from shared.events import MAX_MINOR
from shared.identity import Principal, SellerAgent, SellerReader
from shared.lifecycle import IllegalTransition
from shared.messaging_tables import utc_now
from shared.routes import found
from shared.service import CurrentService

router = APIRouter(prefix="/amazon", tags=["amazon fba"])

Seller = Annotated[str | None, Query(min_length=1, description="the seller's accounts only")]
Account = Annotated[str | None, Query(min_length=1, description="one Amazon account (seller id)")]
Limit = Annotated[int, Query(ge=1, le=500)]


class FbaUnitView(BaseModel):
    account: str
    license_plate: str
    case_id: str
    order_id: str
    sku: str
    fnsku: str | None
    asin: str | None
    quantity: int
    market: str
    fulfillment_center: str
    disposition: str
    amazon_status: str
    outcome: str
    decided_by: str | None
    decision_note: str | None
    returned_at: datetime
    seen_at: datetime


@router.get("/fba-units", summary="Returned FBA units as Amazon graded them, latest first")
async def list_fba_units(
    service: CurrentService,
    caller: SellerReader,
    seller: Seller = None,
    account: Account = None,
    case_id: str | None = None,
    outcome: Outcome | None = None,  # `agent`: those waiting for an agent's decision
    limit: Limit = 100,
) -> list[FbaUnitView]:
    async with service.transaction() as session:
        units = await fba_units.listed(
            session, outcome, seller, account, case_id, limit,
            caller.sellers_in(AmazonFbaUnit.__table__.c.account),
        )  # fmt: skip
    return [FbaUnitView.model_validate(unit, from_attributes=True) for unit in units]


class UnitDecision(BaseModel):
    outcome: Outcome = Field(description="back_in_stock, removal, claim or reimbursed")
    agent: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


@router.post(
    "/fba-units/{account}/{license_plate}/decision",
    summary="An agent decides what a unit of an unknown disposition calls for",
)
async def decide_fba_unit(
    account: str,
    license_plate: str,
    decision: UnitDecision,
    service: CurrentService,
    caller: SellerAgent,
) -> FbaUnitView:
    async with service.transaction() as session:
        unit = owned(
            caller,
            await session.get(AmazonFbaUnit, (account, license_plate), with_for_update=True),
            f"no FBA unit {license_plate} of account {account}",
        )
        try:
            unit = await fba_units.decide(
                session, service, unit, decision.outcome, decision.agent, decision.note, utc_now()
            )
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        return FbaUnitView.model_validate(unit, from_attributes=True)


class RemovalOrderView(BaseModel):
    removal_order_id: str
    case_id: str
    account: str
    license_plate: str
    order_id: str
    sku: str
    fnsku: str | None
    quantity: int
    market: str
    state: str
    attempts: int
    failures: int
    submitted_at: datetime | None
    feed_id: str | None
    address: dict[str, Any] | None
    amazon_status: str | None
    error: str | None
    owed_at: datetime
    done_at: datetime | None


@router.get("/removal-orders", summary="Removal orders of unsellable FBA units, newest first")
async def list_removal_orders(
    service: CurrentService,
    caller: SellerReader,
    state: RemovalState | None = None,  # `failed`: those an agent must look at, with why
    seller: Seller = None,
    account: Account = None,
    case_id: str | None = None,
    limit: Limit = 100,
) -> list[RemovalOrderView]:
    async with service.transaction() as session:
        orders = await removal_orders.listed(
            session, state, seller, account, case_id, limit,
            caller.sellers_in(AmazonRemovalOrder.__table__.c.account),
        )  # fmt: skip
    return [RemovalOrderView.model_validate(order, from_attributes=True) for order in orders]


@router.post("/removal-orders/{removal_order_id}/retry", summary="Owe a failed removal order again")
async def retry_removal_order(
    removal_order_id: str, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    """Once its cause is fixed (an address set, the account authorised again); Amazon is
    read back first if a try may have reached it."""
    async with service.transaction() as session:
        try:
            order = await removal_orders.retry(
                session, removal_order_id, caller.sellers_in(AmazonRemovalOrder.__table__.c.account)
            )
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        order = found(order, f"no removal order {removal_order_id}")
    return {"removal_order_id": removal_order_id, "state": order.state}


class ClaimView(BaseModel):
    claim_id: str
    kind: str  # damaged (a graded unit) or not_returned (refunded, never back at Amazon)
    case_id: str | None  # None for a not_returned claim: no return ever opened a case
    account: str
    order_id: str
    sku: str
    fnsku: str | None
    asin: str | None
    license_plate: str
    quantity: int
    market: str
    fulfillment_center: str
    disposition: str
    amazon_status: str
    returned_at: datetime
    value_minor: int | None
    currency: str
    state: str
    seller_central_case_id: str | None
    reimbursement_id: str | None
    reimbursed_minor: int | None
    note: str
    updated_by: str | None
    owed_at: datetime
    filed_at: datetime | None
    settled_at: datetime | None
    refunded_at: datetime | None  # a not_returned claim's refund (its returned_at too)
    late_arrival: str | None  # the unit came back after the claim was owed


@router.get(
    "/reimbursement-claims",
    summary="Reimbursement claims for units Amazon damaged or never got back, oldest first",
)
async def list_reimbursement_claims(
    service: CurrentService,
    caller: SellerReader,
    state: ClaimState | None = None,  # `owed`: to file in Seller Central
    seller: Seller = None,
    account: Account = None,
    case_id: str | None = None,
    limit: Limit = 100,
) -> list[ClaimView]:
    async with service.transaction() as session:
        claims = await reimbursement_claims.listed(
            session, state, seller, account, case_id, limit,
            caller.sellers_in(AmazonReimbursementClaim.__table__.c.account),
        )  # fmt: skip
    return [ClaimView.model_validate(claim, from_attributes=True) for claim in claims]


class ClaimFiled(BaseModel):
    agent: str = Field(min_length=1, max_length=200)
    seller_central_case_id: str = Field(min_length=1, max_length=100)
    note: str = Field(default="", max_length=2000)


class ClaimSettled(BaseModel):
    agent: str = Field(min_length=1, max_length=200)
    reimbursement_id: str | None = Field(default=None, min_length=1, max_length=100)
    reimbursed_minor: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    note: str = Field(default="", max_length=2000)


class ClaimRejected(BaseModel):
    agent: str = Field(min_length=1, max_length=200)
    note: str = Field(min_length=1, max_length=2000, description="why Amazon said no")


async def claim_moved(
    claim_id: str,
    service: CurrentService,
    caller: Principal,
    action: str,
    agent: str,
    note: str,
    **values: Any,
) -> ClaimView:
    async with service.transaction() as session:
        claim = owned(
            caller,
            await session.get(AmazonReimbursementClaim, claim_id, with_for_update=True),
            f"no reimbursement claim {claim_id}",
        )
        try:
            claim = await reimbursement_claims.agent_moves(
                session, service, claim, action, agent, note, utc_now(), **values
            )
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        return ClaimView.model_validate(claim, from_attributes=True)


@router.post("/reimbursement-claims/{claim_id}/filed", summary="Filed in Seller Central")
async def claim_filed(
    claim_id: str, filed: ClaimFiled, service: CurrentService, caller: SellerAgent
) -> ClaimView:
    return await claim_moved(
        claim_id, service, caller, "file", filed.agent, filed.note,
        seller_central_case_id=filed.seller_central_case_id,
    )  # fmt: skip


@router.post("/reimbursement-claims/{claim_id}/settled", summary="Amazon reimbursed the seller")
async def claim_settled(
    claim_id: str, settled: ClaimSettled, service: CurrentService, caller: SellerAgent
) -> ClaimView:
    return await claim_moved(
        claim_id, service, caller, "settle", settled.agent, settled.note,
        reimbursement_id=settled.reimbursement_id, reimbursed_minor=settled.reimbursed_minor,
    )  # fmt: skip


@router.post("/reimbursement-claims/{claim_id}/rejected", summary="Amazon refused the claim")
async def claim_rejected(
    claim_id: str, rejected: ClaimRejected, service: CurrentService, caller: SellerAgent
) -> ClaimView:
    return await claim_moved(claim_id, service, caller, "reject", rejected.agent, rejected.note)
