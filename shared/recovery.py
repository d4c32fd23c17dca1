"""The operators' recovery tools for dead letters, on every service, and the counts of
what waits for an operator in each queue.

A dead letter is an event the service's consumer could not apply (`shared/consumer.py`):
parked on the topic's dead-letter topic and kept as a row of the service's `dead_letters`
table (`shared/dead_letters.py`). Platform admins (dead letters are every seller's data and
the platform's own) list them per topic with their cause and payload, and settle each one:
- **re-drive**: the original event, its id kept, is written to the service's outbox for
  its original topic (`shared/outbox.emit_again`, the one way to publish) and the inbox
  row that marked it seen by this consumer is removed, in one transaction: this consumer
  applies it again, every other consumer of the topic drops it as already applied;
- **discard**: set aside, with the operator's reason kept on the row.
One by one (`POST /dead-letters/{id}/redrive`, `.../discard`) or in bulk, by topic, event
type, words of the cause and time parked (`POST /dead-letters/redrive`, `/dead-letters/
discard`). Each call is kept in the audit trail (`shared/audit.py`); the row keeps who
settled it, when, and why.

Failed outgoing calls (intake's, resolution's, fulfillment's) have their tools in
`shared/failed_calls.py`, the same way.

`WaitingCounts` counts, every COUNT_SECONDS, what waits in each queue the service has (its
dead letters, and what the service adds: intake's failed deliveries, the failed calls) as
OpenTelemetry gauges: `recovery.dead_letters.waiting`, `recovery.failed_deliveries.waiting`,
`recovery.failed_calls.waiting`; `deploy/observability/alerts.yml` alerts on each.
"""

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from opentelemetry.metrics import CallbackOptions, Meter, Observation
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import Envelope
from shared.identity import PlatformAdmin, Principal
from shared.messaging_tables import (
    DISCARDED,
    REDRIVEN,
    WAITING,
    DeadLetterRecord,
    InboxMessage,
    utc_now,
)
from shared.outbox import emit_again
from shared.telemetry import trace_headers_of
from shared.wakeup import Periodic

log = logging.getLogger(__name__)

COUNT_SECONDS = 30.0
BULK_MOST = 1000  # dead letters settled by one bulk call; call again for more
DEAD = DeadLetterRecord.__table__
INBOX = InboxMessage.__table__


# ------------------------------------------------------------------- which dead letters


class DeadLettersChosen(BaseModel):
    """Which waiting dead letters: each condition given narrows them."""

    model_config = ConfigDict(extra="forbid")

    topic: str | None = Field(default=None, min_length=1, description="the original topic")
    event_type: str | None = Field(default=None, min_length=1)
    cause: str | None = Field(default=None, min_length=1, description="words of the cause")
    since: AwareDatetime | None = Field(default=None, description="parked at or after")
    until: AwareDatetime | None = Field(default=None, description="parked before")

    def conditions(self) -> list[ColumnElement[bool]]:
        if self.since and self.until and self.since >= self.until:
            raise HTTPException(422, "since must be before until")
        found = []
        if self.topic is not None:
            found.append(DEAD.c.topic == self.topic)
        if self.event_type is not None:
            found.append(DEAD.c.event_type == self.event_type)
        if self.cause is not None:
            found.append(DEAD.c.cause.icontains(self.cause, autoescape=True))
        if self.since is not None:
            found.append(DEAD.c.dead_at >= self.since)
        if self.until is not None:
            found.append(DEAD.c.dead_at < self.until)
        return found


class Discarding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000, description="why it is set aside")


class BulkDiscarding(DeadLettersChosen):
    reason: str = Field(min_length=3, max_length=2000, description="why they are set aside")


class DeadLetterView(BaseModel):
    id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    case_id: str | None
    cause: str
    payload: str
    dead_at: datetime
    state: str
    redrives: int
    settled_at: datetime | None
    settled_by: str | None
    discard_reason: str | None


class NotRedrivable(Exception):
    pass


# ------------------------------------------------------------------- settling one


async def redrive(session: AsyncSession, row: DeadLetterRecord, by: str) -> None:
    """Publish the dead letter's event again to its topic; raises NotRedrivable."""
    if row.state != WAITING:
        raise NotRedrivable(f"dead letter {row.id} is {row.state} already")
    try:
        envelope = Envelope.model_validate_json(row.payload)
    except ValidationError as error:
        raise NotRedrivable(
            f"dead letter {row.id} is not a CloudEvent ({error.error_count()} errors): "
            "it can only be discarded"
        ) from error
    await session.execute(
        delete(INBOX).where(INBOX.c.consumer == row.consumer, INBOX.c.event_id == envelope.id)
    )
    trace = trace_headers_of((k, v.encode()) for k, v in row.headers.items())
    await emit_again(session, envelope, row.topic, trace)
    row.state, row.settled_at, row.settled_by = REDRIVEN, utc_now(), by
    row.redrives += 1
    session.add(row)


def discard(row: DeadLetterRecord, by: str, reason: str) -> None:
    if row.state != WAITING:
        raise NotRedrivable(f"dead letter {row.id} is {row.state} already")
    row.state, row.settled_at, row.settled_by, row.discard_reason = (
        DISCARDED,
        utc_now(),
        by,
        reason,
    )


async def chosen_rows(session: AsyncSession, chosen: DeadLettersChosen) -> list[DeadLetterRecord]:
    query = (
        select(DeadLetterRecord)
        .where(DEAD.c.state == WAITING, *chosen.conditions())
        .order_by(DEAD.c.id)
        .limit(BULK_MOST)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(query)).all())


async def waiting_row(session: AsyncSession, dead_letter_id: int) -> DeadLetterRecord:
    row = await session.get(DeadLetterRecord, dead_letter_id, with_for_update=True)
    if row is None:
        raise HTTPException(404, f"no dead letter {dead_letter_id}")
    return row


# ------------------------------------------------------------------- the routes

router = APIRouter(tags=["recovery"])


def dead_letters_asked(
    topic: Annotated[str | None, Query(min_length=1, description="the original topic")] = None,
    event_type: Annotated[str | None, Query(min_length=1)] = None,
    cause: Annotated[str | None, Query(min_length=1, description="words of the cause")] = None,
    since: Annotated[AwareDatetime | None, Query(description="parked at or after")] = None,
    until: Annotated[AwareDatetime | None, Query(description="parked before")] = None,
) -> DeadLettersChosen:
    """Which dead letters a listing names, as query parameters."""
    return DeadLettersChosen(
        topic=topic, event_type=event_type, cause=cause, since=since, until=until
    )


def sessions_of(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.service.sessions


Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(sessions_of)]


def subject_of(caller: Principal) -> str:
    return f"{caller.name} ({caller.subject})"


@router.get("/dead-letters/topics", summary="Dead letters waiting, per original topic")
async def waiting_per_topic(sessions: Sessions, caller: PlatformAdmin) -> list[dict[str, Any]]:
    query = (
        select(DEAD.c.topic, func.count(), func.min(DEAD.c.dead_at))
        .where(DEAD.c.state == WAITING)
        .group_by(DEAD.c.topic)
        .order_by(DEAD.c.topic)
    )
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    return [{"topic": t, "waiting": n, "oldest": oldest} for t, n, oldest in rows]


@router.get(
    "/dead-letters",
    summary="Dead letters with their cause and payload, newest first",
    description="Platform admins only. `state` waiting (the default), redriven or discarded.",
)
async def list_dead_letters(
    sessions: Sessions,
    caller: PlatformAdmin,
    chosen: Annotated[DeadLettersChosen, Depends(dead_letters_asked)],
    state: Annotated[str, Query(pattern=f"^({WAITING}|{REDRIVEN}|{DISCARDED})$")] = WAITING,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeadLetterView]:
    query = (
        select(DeadLetterRecord)
        .where(DEAD.c.state == state, *chosen.conditions())
        .order_by(DEAD.c.dead_at.desc(), DEAD.c.id.desc())
        .limit(limit)
    )
    async with sessions() as session:
        rows = (await session.scalars(query)).all()
    return [DeadLetterView.model_validate(row, from_attributes=True) for row in rows]


@router.post("/dead-letters/redrive", summary="Re-drive the waiting dead letters chosen")
async def redrive_chosen(
    sessions: Sessions, caller: PlatformAdmin, chosen: DeadLettersChosen
) -> dict[str, Any]:
    """Every waiting dead letter the body's conditions match (all, when it has none), up
    to BULK_MOST a call; one that is not a CloudEvent is left waiting and counted."""
    redriven, refused = 0, []
    async with sessions() as session, session.begin():
        for row in await chosen_rows(session, chosen):
            try:
                async with session.begin_nested():
                    await redrive(session, row, subject_of(caller))
                redriven += 1
            except NotRedrivable as error:
                refused.append({"id": row.id, "reason": str(error)})
    log.info("%s re-drove %d dead letters (%s)", caller.subject, redriven, chosen)
    return {"redriven": redriven, "refused": refused}


@router.post("/dead-letters/discard", summary="Discard the waiting dead letters chosen")
async def discard_chosen(
    sessions: Sessions, caller: PlatformAdmin, chosen: BulkDiscarding
) -> dict[str, Any]:
    async with sessions() as session, session.begin():
        rows = await chosen_rows(session, chosen)
        for row in rows:
            discard(row, subject_of(caller), chosen.reason)
    log.info("%s discarded %d dead letters: %s", caller.subject, len(rows), chosen.reason)
    return {"discarded": len(rows)}


@router.get("/dead-letters/{dead_letter_id}", summary="One dead letter")
async def get_dead_letter(
    dead_letter_id: int, sessions: Sessions, caller: PlatformAdmin
) -> DeadLetterView:
    async with sessions() as session:
        row = await session.get(DeadLetterRecord, dead_letter_id)
    if row is None:
        raise HTTPException(404, f"no dead letter {dead_letter_id}")
    return DeadLetterView.model_validate(row, from_attributes=True)


@router.post("/dead-letters/{dead_letter_id}/redrive", summary="Re-drive one dead letter")
async def redrive_one(
    dead_letter_id: int, sessions: Sessions, caller: PlatformAdmin
) -> DeadLetterView:
    async with sessions() as session, session.begin():
        row = await waiting_row(session, dead_letter_id)
        try:
            await redrive(session, row, subject_of(caller))
        except NotRedrivable as error:
            raise HTTPException(409, str(error)) from error
        return DeadLetterView.model_validate(row, from_attributes=True)


@router.post(
    "/dead-letters/{dead_letter_id}/discard", summary="Discard one dead letter, saying why"
)
async def discard_one(
    dead_letter_id: int, discarding: Discarding, sessions: Sessions, caller: PlatformAdmin
) -> DeadLetterView:
    async with sessions() as session, session.begin():
        row = await waiting_row(session, dead_letter_id)
        try:
            discard(row, subject_of(caller), discarding.reason)
        except NotRedrivable as error:
            raise HTTPException(409, str(error)) from error
        return DeadLetterView.model_validate(row, from_attributes=True)


# ------------------------------------------------------------------- what waits, counted

# A queue's count: (attributes, how many) per part of it, read in one session.
Counting = Callable[[AsyncSession], Awaitable[Iterable[tuple[dict[str, str], int]]]]


@dataclass(frozen=True)
class WaitingQueue:
    """A queue that waits for an operator: its gauge's name, what it says, how to count."""

    metric: str
    description: str
    count: Counting


async def dead_letters_waiting(session: AsyncSession) -> list[tuple[dict[str, str], int]]:
    query = (
        select(DEAD.c.topic, DEAD.c.consumer, func.count())
        .where(DEAD.c.state == WAITING)
        .group_by(DEAD.c.topic, DEAD.c.consumer)
    )
    rows = (await session.execute(query)).all()
    return [({"topic": t, "consumer": c}, n) for t, c, n in rows]


DEAD_LETTERS = WaitingQueue(
    "recovery.dead_letters.waiting",
    "dead letters waiting for an operator to re-drive or discard them",
    dead_letters_waiting,
)


class WaitingCounts:
    """Counts every queue every COUNT_SECONDS; one gauge per queue reports the last count
    (a part of a queue once seen and emptied reports 0, so the alert clears)."""

    def __init__(
        self,
        service: str,
        sessions: async_sessionmaker[AsyncSession],
        meter: Meter,
        queues: Iterable[WaitingQueue],
        seconds: float = COUNT_SECONDS,
    ) -> None:
        self.sessions = sessions
        self.queues = tuple(queues)
        self.counts: dict[str, dict[tuple[tuple[str, str], ...], int]] = {}
        for queue in self.queues:
            self.counts[queue.metric] = {}
            meter.create_observable_gauge(
                queue.metric,
                callbacks=[self._observer(queue.metric)],
                description=queue.description,
            )
        self.loop = Periodic(f"waiting counts of {service}", seconds, self.count_once)

    def _observer(self, metric: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def observe(_: CallbackOptions) -> Iterable[Observation]:
            for attributes, count in list(self.counts[metric].items()):
                yield Observation(count, dict(attributes))

        return observe

    async def count_once(self) -> None:
        async with self.sessions() as session:
            for queue in self.queues:
                seen = self.counts[queue.metric]
                fresh = {tuple(sorted(a.items())): n for a, n in await queue.count(session)}
                self.counts[queue.metric] = {key: 0 for key in seen} | fresh

    async def run(self) -> None:
        await self.loop.run()

    def stop(self) -> None:
        self.loop.stop()
