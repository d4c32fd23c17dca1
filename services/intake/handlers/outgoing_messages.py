"""Messages to buyers, for agents: a case's conversation as sent (subject, text, state,
why it failed or was not sent), any by seller and state (`failed`: those an agent must look
at), another try of a failed one, and the polite, lawful answer when nothing is owed.

Read by the sellers' own people (`SellerReader`), tried again and answered by their agents
(`SellerAgent`): their sellers' messages only; another seller's message or case answers 404.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query
from pydantic import BaseModel, Field

from services.intake.domain.outgoing_messages import MessageKind, MessageState
from services.intake.handlers.tenancy import case_of
from services.intake.tables import OutgoingMessage
from services.intake.workflows import outgoing_messages
from shared.audit import personal_data
from shared.identity import SellerAgent, SellerReader
from shared.lifecycle import IllegalTransition
from shared.routes import found
from shared.service import CurrentService

router = APIRouter(tags=["messages to buyers"])

ACCOUNT = OutgoingMessage.__table__.c.account


class MessageView(BaseModel):
    message_id: str
    case_id: str
    channel: str
    account: str
    seller: str
    kind: str
    way: str
    language: str
    subject: str | None  # None until the worker renders it
    body_text: str | None
    state: str
    attempts: int
    error: str | None
    queued_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    # The marketplace's own message type it went through (an Amazon Messaging API action,
    # e.g. unexpectedProblem); None: the channel's usual way (e-mail, the relay, eBay's).
    action: str | None = None


def view_of(row: OutgoingMessage) -> MessageView:
    return MessageView.model_validate(row, from_attributes=True)


@router.get("/messages", summary="Messages to buyers, newest first")
async def list_messages(
    service: CurrentService,
    caller: SellerReader,
    seller: str | None = None,  # only this seller's
    case_id: str | None = None,
    state: MessageState | None = None,  # `failed`: those an agent must look at, with why
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[MessageView]:
    scope = caller.sellers_in(ACCOUNT)
    async with service.transaction() as session:
        rows = await outgoing_messages.listed(session, case_id, seller, state, limit, scope)
    return [view_of(row) for row in rows]


@router.get(
    "/cases/{case_id}/messages",
    summary="A case's messages to its buyer, newest first",
    dependencies=[personal_data("messages to the buyer")],
)
async def case_messages(
    case_id: str, service: CurrentService, caller: SellerReader, seller: str | None = None
) -> list[MessageView]:
    scope = caller.sellers_in(ACCOUNT)
    async with service.transaction() as session:
        await case_of(session, caller, case_id)
        rows = await outgoing_messages.listed(session, case_id, seller, None, 500, scope)
    return [view_of(row) for row in rows]


@router.post("/messages/{message_id}/retry", summary="Try a failed message again")
async def retry_message(
    message_id: str, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    async with service.transaction() as session:
        try:
            row = await outgoing_messages.retry(session, message_id, caller.sellers_in(ACCOUNT))
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        row = found(row, f"no message {message_id}")
    return {"message_id": message_id, "state": row.state}


class NothingOwed(BaseModel):
    why: str = Field(default="", max_length=500)  # in the buyer's language, e.g. the window


@router.post(
    "/cases/{case_id}/messages/nothing-owed",
    status_code=202,
    summary="Tell the buyer, politely and lawfully, that nothing is owed",
)
async def answer_nothing_owed(
    case_id: str,
    answer: NothingOwed,
    service: CurrentService,
    caller: SellerAgent,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> MessageView:
    """Once per Idempotency-Key (a new key each time without one)."""
    trigger = f"agent:{idempotency_key or uuid.uuid4()}"
    facts = {"why": answer.why.strip() or None}
    async with service.transaction() as session:
        await case_of(session, caller, case_id)
        row = await outgoing_messages.owe(
            session, case_id, MessageKind.NOTHING_OWED, trigger, facts
        )
        row = found(row, f"no case {case_id}")
    return view_of(row)
