"""Failed outgoing calls, one way on every service that makes them: each kind of call a
service owes an outside system (a message to a buyer, a refund or return action on a
marketplace, a label bought from the carrier, a dispatch task sent to a warehouse's system,
a removal order sent to Amazon) that failed for good — refused, or
unavailable after every try — listed with its cause, retried (owed again, due now) or
discarded with the operator's reason, one by one or in bulk by kind, words of the cause and
the time it was owed.

A service names its kinds (`FailedCallKind`: the table, its key, seller account, cause and
owed-at columns, the state its failed calls are in, how one is retried and discarded) and
mounts `router(kinds)`:

    GET  /failed-calls?kind=&cause=&owed_since=&owed_until=&limit=   (SellerReader)
    POST /failed-calls/retry      {kind, cause, owed_since, owed_until}          (SellerAgent)
    POST /failed-calls/discard    {kind, cause, owed_since, owed_until, reason}  (SellerAgent)
    POST /failed-calls/{kind}/{call_id}/retry                                    (SellerAgent)
    POST /failed-calls/{kind}/{call_id}/discard  {reason}                        (SellerAgent)

Every read and change is narrowed to the caller's seller accounts: another seller's call
answers 404 and is never listed. One that is not failed answers 409. A discarded call keeps
"discarded by <who>: <reason>" as its cause. Each POST is kept in the service's audit trail
(`shared/audit.py`). `waiting_queue(kinds)` is the service's gauge
`recovery.failed_calls.waiting` per kind (`shared/recovery.py`), which an alert watches.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Table, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.identity import Principal, SellerAgent, SellerReader
from shared.lifecycle import IllegalTransition
from shared.recovery import WaitingQueue
from shared.service import CurrentService

log = logging.getLogger(__name__)

BULK_MOST = 1000  # calls changed by one bulk request; ask again for more
METRIC = "recovery.failed_calls.waiting"

# (session, call id, the caller's scope) -> the call's state once owed again; None: no such
# call within the scope. Raises IllegalTransition for one that is not failed.
Retry = Callable[[AsyncSession, str, ColumnElement[bool]], Awaitable[str | None]]
# (session, the failed call's row, locked, "discarded by <who>: <reason>") -> its new state;
# raises IllegalTransition for one that is not failed.
Discard = Callable[[AsyncSession, Mapping[str, Any], str], Awaitable[str]]


@dataclass(frozen=True)
class FailedCallKind:
    """One kind of outgoing call: where its calls are kept and how one is settled."""

    table: Table
    key: str  # the call's id
    owed: str  # when it was owed
    retry: Retry
    discard: Discard
    what: Callable[[Mapping[str, Any]], str]  # what the call does, in a few words
    account: str = "account"  # the seller account it is made for
    cause: str = "error"  # why it failed
    failed: str = "failed"  # the state of a call that failed for good
    attempts: str = "attempts"
    channel: str | None = "channel"

    def is_failed(self) -> ColumnElement[bool]:
        return self.table.c.state == self.failed

    def scope(self, caller: Principal) -> ColumnElement[bool]:
        return caller.sellers_in(self.table.c[self.account])


@dataclass(frozen=True)
class Calls:
    """Which failed calls: each condition given narrows them."""

    kind: str | None = None
    cause: str | None = None  # words of the cause, any case
    owed_since: datetime | None = None
    owed_until: datetime | None = None  # owed before

    def conditions(self, kind: FailedCallKind) -> list[ColumnElement[bool]]:
        table = kind.table
        found = [kind.is_failed()]
        if self.cause is not None:
            found.append(table.c[kind.cause].icontains(self.cause, autoescape=True))
        if self.owed_since is not None:
            found.append(table.c[kind.owed] >= self.owed_since)
        if self.owed_until is not None:
            found.append(table.c[kind.owed] < self.owed_until)
        return found


@dataclass(frozen=True)
class FailedCalls:
    """A service's kinds of failed calls, by name, and what it does with them."""

    kinds: Mapping[str, FailedCallKind]

    def chosen(self, which: Calls) -> list[tuple[str, FailedCallKind]]:
        if which.kind is not None:
            return [(which.kind, self.kinds[which.kind])]
        return list(self.kinds.items())

    def view(self, name: str, row: Mapping[str, Any]) -> dict[str, Any]:
        kind = self.kinds[name]
        return {
            "kind": name,
            "id": row[kind.key],
            "case_id": row["case_id"],
            "channel": row[kind.channel] if kind.channel else None,
            "account": row[kind.account],
            "what": kind.what(row),
            "state": row["state"],
            "attempts": row[kind.attempts],
            "error": row[kind.cause],
            "owed_at": row[kind.owed],
        }

    async def listed(
        self, session: AsyncSession, which: Calls, limit: int, caller: Principal
    ) -> list[dict[str, Any]]:
        """The failed calls among `which` within the caller's sellers, the latest owed first."""
        found = []
        for name, kind in self.chosen(which):
            query = (
                select(kind.table)
                .where(kind.scope(caller), *which.conditions(kind))
                .order_by(kind.table.c[kind.owed].desc())
                .limit(limit)
            )
            found += [self.view(name, row) for row in (await session.execute(query)).mappings()]
        return sorted(found, key=lambda call: call["owed_at"], reverse=True)[:limit]

    async def retry_one(
        self, session: AsyncSession, name: str, call_id: str, caller: Principal
    ) -> dict[str, Any]:
        """Owe a failed call again, due now; 404 for none within the caller's sellers, 409
        for one that is not failed (one owed again already answers as it is)."""
        kind = self.kinds[name]
        try:
            state = await kind.retry(session, call_id, kind.scope(caller))
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        if state is None:
            raise HTTPException(404, f"no {name} {call_id}")
        return {"kind": name, "id": call_id, "state": state}

    async def discard_one(
        self, session: AsyncSession, name: str, call_id: str, caller: Principal, reason: str
    ) -> dict[str, Any]:
        """Set a failed call aside, saying why; 404 for none within the caller's sellers, 409
        for one that is not failed."""
        kind = self.kinds[name]
        query = (
            select(kind.table)
            .where(kind.table.c[kind.key] == call_id, kind.scope(caller))
            .with_for_update()
        )
        row = (await session.execute(query)).mappings().one_or_none()
        if row is None:
            raise HTTPException(404, f"no {name} {call_id}")
        note = f"discarded by {caller.subject}: {reason}"
        try:
            state = await kind.discard(session, row, note)
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        return {"kind": name, "id": call_id, "state": state}

    async def chosen_ids(
        self, session: AsyncSession, kind: FailedCallKind, which: Calls, caller: Principal
    ) -> list[str]:
        query = (
            select(kind.table.c[kind.key])
            .where(kind.scope(caller), *which.conditions(kind))
            .order_by(kind.table.c[kind.owed])
            .limit(BULK_MOST)
        )
        return list((await session.scalars(query)).all())

    async def retry_all(self, session: AsyncSession, which: Calls, caller: Principal) -> int:
        count = 0
        for name, kind in self.chosen(which):
            for call_id in await self.chosen_ids(session, kind, which, caller):
                await self.retry_one(session, name, call_id, caller)
                count += 1
        return count

    async def discard_all(
        self, session: AsyncSession, which: Calls, caller: Principal, reason: str
    ) -> int:
        count = 0
        for name, kind in self.chosen(which):
            for call_id in await self.chosen_ids(session, kind, which, caller):
                await self.discard_one(session, name, call_id, caller, reason)
                count += 1
        return count

    # ------------------------------------------------------------------- counted

    async def waiting(self, session: AsyncSession) -> list[tuple[dict[str, str], int]]:
        counts = []
        for name, kind in self.kinds.items():
            query = select(func.count()).select_from(kind.table).where(kind.is_failed())
            counts.append(({"kind": name}, await session.scalar(query) or 0))
        return counts

    def waiting_queue(self) -> WaitingQueue:
        return WaitingQueue(
            METRIC,
            "failed outgoing calls waiting for an operator to retry or discard them",
            self.waiting,
        )

    # ------------------------------------------------------------------- the routes

    def router(self) -> APIRouter:
        return routes_of(self)


def routes_of(calls: FailedCalls) -> APIRouter:
    """The service's `/failed-calls` routes over its kinds."""
    CallKind = StrEnum("CallKind", {name: name for name in calls.kinds})  # noqa: N806
    router = APIRouter(tags=["recovery"])

    def checked(which: Calls) -> Calls:
        if which.owed_since and which.owed_until and which.owed_since >= which.owed_until:
            raise HTTPException(422, "owed_since must be before owed_until")
        return which

    def calls_asked(
        kind: CallKind | None = None,  # type: ignore[valid-type]
        cause: Annotated[str | None, Query(min_length=1, description="words of the cause")] = None,
        owed_since: AwareDatetime | None = None,
        owed_until: Annotated[AwareDatetime | None, Query(description="owed before")] = None,
    ) -> Calls:
        name = None if kind is None else str(kind)
        return checked(Calls(name, cause, owed_since, owed_until))

    class CallsChosen(BaseModel):
        """Which failed calls: each condition given narrows them (none: every failed call)."""

        model_config = ConfigDict(extra="forbid")

        kind: CallKind | None = None  # type: ignore[valid-type]
        cause: str | None = Field(default=None, min_length=1, description="words of the cause")
        owed_since: AwareDatetime | None = None
        owed_until: AwareDatetime | None = Field(default=None, description="owed before")

        def calls(self) -> Calls:
            name = None if self.kind is None else str(self.kind)
            return checked(Calls(name, self.cause, self.owed_since, self.owed_until))

    class CallsDiscarded(CallsChosen):
        reason: str = Field(min_length=3, max_length=2000, description="why they are set aside")

    class CallDiscarded(BaseModel):
        model_config = ConfigDict(extra="forbid")

        reason: str = Field(min_length=3, max_length=2000, description="why it is set aside")

    @router.get(
        "/failed-calls", summary="Failed outgoing calls with their cause, latest owed first"
    )
    async def list_failed_calls(
        service: CurrentService,
        caller: SellerReader,
        which: Annotated[Calls, Depends(calls_asked)],
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        async with service.transaction() as session:
            return await calls.listed(session, which, limit, caller)

    @router.post("/failed-calls/retry", summary="Retry the failed calls of a kind, a cause, a time")
    async def retry_failed_calls(
        service: CurrentService, caller: SellerAgent, chosen: CallsChosen
    ) -> dict[str, Any]:
        async with service.transaction() as session:
            retried = await calls.retry_all(session, chosen.calls(), caller)
        log.info("%s retried %d failed calls (%s)", caller.subject, retried, chosen)
        return {"retried": retried}

    @router.post(
        "/failed-calls/discard", summary="Discard, with the reason, the failed calls chosen"
    )
    async def discard_failed_calls(
        service: CurrentService, caller: SellerAgent, chosen: CallsDiscarded
    ) -> dict[str, Any]:
        async with service.transaction() as session:
            count = await calls.discard_all(session, chosen.calls(), caller, chosen.reason)
        log.info("%s discarded %d failed calls: %s", caller.subject, count, chosen.reason)
        return {"discarded": count}

    @router.post("/failed-calls/{kind}/{call_id}/retry", summary="Retry one failed call")
    async def retry_failed_call(
        kind: CallKind,  # type: ignore[valid-type]
        call_id: str,
        service: CurrentService,
        caller: SellerAgent,
    ) -> dict[str, Any]:
        async with service.transaction() as session:
            return await calls.retry_one(session, str(kind), call_id, caller)

    @router.post(
        "/failed-calls/{kind}/{call_id}/discard", summary="Discard one failed call, saying why"
    )
    async def discard_failed_call(
        kind: CallKind,  # type: ignore[valid-type]
        call_id: str,
        discarding: CallDiscarded,
        service: CurrentService,
        caller: SellerAgent,
    ) -> dict[str, Any]:
        async with service.transaction() as session:
            return await calls.discard_one(session, str(kind), call_id, caller, discarding.reason)

    return router


def moved_by(
    table: Table, key: str, transition: Callable[[Any, str], Any], states: type[StrEnum]
) -> Discard:
    """A discard that is one move of the kind's lifecycle (`transition(state, id)`, giving a
    `Transition` or the new state), the note kept as the call's `error`."""

    async def discard(session: AsyncSession, row: Mapping[str, Any], note: str) -> str:
        moved = transition(states(row["state"]), row[key])
        state = str(getattr(moved, "state", moved))
        await session.execute(
            table.update().where(table.c[key] == row[key]).values(state=state, error=note)
        )
        return state

    return discard
