"""Failed outgoing calls, for the sellers' agents and the platform's operators: the
messages to buyers and the return actions on the marketplaces that failed, listed with
their cause (`SellerReader`), retried or discarded with the reason (`SellerAgent`), one by
one or all of a kind, a cause, a time owed (`workflows/failed_calls.py`). Each list and
change is narrowed to the caller's seller accounts; another seller's call answers 404."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Table

from services.intake.workflows.failed_calls import (
    KINDS,
    CallKind,
    Calls,
    NoSuchCall,
    discard_all,
    discard_one,
    listed,
    retry_all,
    retry_one,
)
from shared.identity import Principal, SellerAgent, SellerReader
from shared.lifecycle import IllegalTransition
from shared.service import CurrentService

log = logging.getLogger(__name__)

router = APIRouter(tags=["recovery"])


def within(caller: Principal):
    def scope(table: Table) -> ColumnElement[bool]:
        return caller.sellers_in(table.c.account)

    return scope


def checked(which: Calls) -> Calls:
    if which.owed_since and which.owed_until and which.owed_since >= which.owed_until:
        raise HTTPException(422, "owed_since must be before owed_until")
    return which


def calls_asked(
    kind: CallKind | None = None,
    cause: Annotated[str | None, Query(min_length=1, description="words of the cause")] = None,
    owed_since: AwareDatetime | None = None,
    owed_until: Annotated[AwareDatetime | None, Query(description="owed before")] = None,
) -> Calls:
    return checked(Calls(kind, cause, owed_since, owed_until))


class CallsChosen(BaseModel):
    """Which failed calls: each condition given narrows them (none: every failed call)."""

    model_config = ConfigDict(extra="forbid")

    kind: CallKind | None = None
    cause: str | None = Field(default=None, min_length=1, description="words of the cause")
    owed_since: AwareDatetime | None = None
    owed_until: AwareDatetime | None = Field(default=None, description="owed before")

    def calls(self) -> Calls:
        return checked(Calls(self.kind, self.cause, self.owed_since, self.owed_until))


class CallsDiscarded(CallsChosen):
    reason: str = Field(min_length=3, max_length=2000, description="why they are set aside")


class CallDiscarded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000, description="why it is set aside")


@router.get("/failed-calls", summary="Failed outgoing calls with their cause, latest owed first")
async def list_failed_calls(
    service: CurrentService,
    caller: SellerReader,
    which: Annotated[Calls, Depends(calls_asked)],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    async with service.transaction() as session:
        return await listed(session, which, limit, within(caller))


@router.post("/failed-calls/retry", summary="Retry the failed calls of a kind, a cause, a time")
async def retry_failed_calls(
    service: CurrentService, caller: SellerAgent, chosen: CallsChosen
) -> dict[str, Any]:
    async with service.transaction() as session:
        retried = await retry_all(session, chosen.calls(), within(caller))
    log.info("%s retried %d failed calls (%s)", caller.subject, retried, chosen)
    return {"retried": retried}


@router.post("/failed-calls/discard", summary="Discard, with the reason, the failed calls chosen")
async def discard_failed_calls(
    service: CurrentService, caller: SellerAgent, chosen: CallsDiscarded
) -> dict[str, Any]:
    async with service.transaction() as session:
        count = await discard_all(
            session, chosen.calls(), caller.subject, chosen.reason, within(caller)
        )
    log.info("%s discarded %d failed calls: %s", caller.subject, count, chosen.reason)
    return {"discarded": count}


@router.post("/failed-calls/{kind}/{call_id}/retry", summary="Retry one failed call")
async def retry_failed_call(
    kind: CallKind, call_id: str, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    async with service.transaction() as session:
        table_scope = within(caller)
        try:
            return await retry_one(session, kind, call_id, table_scope(KINDS[kind].table))
        except NoSuchCall as error:
            raise HTTPException(404, str(error)) from error
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused


@router.post(
    "/failed-calls/{kind}/{call_id}/discard", summary="Discard one failed call, saying why"
)
async def discard_failed_call(
    kind: CallKind,
    call_id: str,
    discarding: CallDiscarded,
    service: CurrentService,
    caller: SellerAgent,
) -> dict[str, Any]:
    async with service.transaction() as session:
        table_scope = within(caller)
        try:
            return await discard_one(
                session,
                kind,
                call_id,
                caller.subject,
                discarding.reason,
                table_scope(KINDS[kind].table),
            )
        except NoSuchCall as error:
            raise HTTPException(404, str(error)) from error
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
