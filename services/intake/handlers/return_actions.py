"""Actions on the marketplaces' returns, for agents: those that failed (with the cause) or
any by state and case (`not_needed` and `dropped` say why they were never sent), and
another try of a failed one: the caller's sellers' actions only (`SellerReader` reads,
`SellerAgent` retries); another seller's action answers 404."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from services.intake.domain.return_actions import ActionState
from services.intake.tables import ReturnActionRecord
from services.intake.workflows import return_actions
from shared.identity import SellerAgent, SellerReader
from shared.lifecycle import IllegalTransition
from shared.routes import found
from shared.service import CurrentService

router = APIRouter(tags=["return actions"])

ACCOUNT = ReturnActionRecord.__table__.c.account


class ReturnActionView(BaseModel):
    action_id: str
    case_id: str
    channel: str
    account: str
    order_id: str
    return_id: str | None
    action: str
    note: str
    remedy: str | None = None  # the decision that owes it; none for a receipt
    decided_at: datetime | None = None
    state: str
    attempts: int
    error: str | None
    owed_at: datetime
    done_at: datetime | None


def view_of(row: ReturnActionRecord) -> ReturnActionView:
    return ReturnActionView.model_validate(row, from_attributes=True)


@router.get("/return-actions", summary="Actions on marketplace returns, newest first")
async def list_return_actions(
    service: CurrentService,
    caller: SellerReader,
    state: ActionState | None = None,  # `failed`: those an agent must look at, with why
    case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReturnActionView]:
    async with service.transaction() as session:
        rows = await return_actions.listed(
            session, state, case_id, limit, caller.sellers_in(ACCOUNT)
        )
    return [view_of(row) for row in rows]


@router.post("/return-actions/{action_id}/retry", summary="Try a failed return action again")
async def retry_return_action(
    action_id: str, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    async with service.transaction() as session:
        try:
            row = await return_actions.retry(session, action_id, caller.sellers_in(ACCOUNT))
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        row = found(row, f"no return action {action_id}")
    return {"action_id": action_id, "state": row.state}
