"""Background work over a table of pending rows: each row claimed with a lease, so any
number of processes share the work and a row a dead process held comes back.

A table qualifies with the columns `state` (`pending` until done), `attempts` and
`next_attempt_at`; its primary key may have several columns. Writers insert rows and fire
`pg_notify(channel)`; the worker wakes, claims what is due with `FOR UPDATE SKIP LOCKED`
(attempts + 1, next_attempt_at pushed past the lease) and handles the batch. A handler sets
each row's state, or a later `next_attempt_at` to try again. A batch whose handling broke
off (the database went away mid-batch) is let go as soon as the database answers again,
rather than when its lease runs out a minute later. A worker given `poll_seconds` sleeps
between notifications until its next row comes due (a retry's time, a lease run out),
polling only that often as a safety net; one without polls every `outbox_poll_seconds`.

What a handler did outside (an e-mail sent, a label bought) is recorded through
`record_done`, which tries again while the database is out of reach, within the lease: a
database restarting for a few seconds right after the call must not make the row due again
and the call made twice.

A worker is a subclass that names its table and passes its handler of one row, or
overrides `handle_batch` to handle the claimed rows together; `run` and `stop` belong to
the service (`ServiceSpec.workers`), `work_once` to tests that move time themselves.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, bindparam, func, select, tuple_, update
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.database_errors import database_unreachable
from shared.messaging_tables import utc_now
from shared.service import Service
from shared.wakeup import NotifiedLoop

Row = TypeVar("Row", bound=SQLModel)

LEASE = timedelta(seconds=60)
CLAIM_BATCH = 50
# How long `record_done` keeps trying: well inside the lease, so no other worker has
# claimed the row meanwhile.
RECORD_WITHIN = LEASE.total_seconds() * 0.75

log = logging.getLogger(__name__)


class LeasedWork(Generic[Row]):
    def __init__(
        self,
        name: str,
        channel: str,
        service: Service,
        model: type[Row],
        handle: Callable[[Row], Awaitable[Any]] | None = None,
        *,
        pending: str = "pending",
        due: Sequence[ColumnElement[bool]] = (),
        order_by: str = "next_attempt_at",
        batch: int = CLAIM_BATCH,
        payloads: frozenset[str] | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        """`pending`: the state of rows still to do; `due`: further conditions a row to
        claim meets; `order_by`: the column that says which come first; `payloads`: wake
        only for notifications whose payload is one of these; `poll_seconds`: a slow
        safety-net poll, the worker sleeping until its next row is due (every insert of
        a row must then notify)."""
        self.service = service
        self.model = model
        self.handle = handle
        self.pending = pending
        self.due = tuple(due)
        self.order_by = order_by
        self.batch = batch
        self.loop = NotifiedLoop(
            name,
            channel,
            self.work_once,
            service.settings,
            payloads,
            poll_seconds=poll_seconds,
            next_due=self.next_due if poll_seconds else None,
        )
        self._broken_off: list[Row] = []  # claimed rows whose handling raised

    async def run(self) -> None:
        await self.loop.run()

    def stop(self) -> None:
        self.loop.stop()

    async def work_once(self) -> bool:
        """Claim and handle one batch; True when a full batch was claimed."""
        await self.let_go_of_broken_off()
        claimed = await self.claim()
        if claimed:
            try:
                await self.handle_batch(claimed)
            except Exception:
                self._broken_off = claimed
                raise
        return len(claimed) == self.batch

    async def record_done(
        self, write: Callable[[AsyncSession], Awaitable[Any]], within: float = RECORD_WITHIN
    ) -> None:
        """Commit `write` (the outcome of a call already made outside), trying again while
        the database is out of reach, for up to `within` seconds."""
        deadline = time.monotonic() + within
        pause = 0.2
        while True:
            try:
                async with self.service.transaction() as session:
                    await write(session)
                return
            except Exception as error:
                if not database_unreachable(error) or time.monotonic() + pause > deadline:
                    raise
                log.warning(
                    "%s: database out of reach, recording again: %r",
                    self.model.__tablename__,
                    error,
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)

    async def let_go_of_broken_off(self) -> None:
        """Make the rows of a batch whose handling raised due again, those still as the
        claim left them (a row the handler settled, or another worker took, keeps its own)."""
        if not self._broken_off:
            return
        table = self.model.__table__
        as_claimed = [*table.primary_key.columns, table.c.attempts, table.c.next_attempt_at]
        # One statement, run for each row ("executemany"): the batch may be large.
        statement = (
            update(table)
            .where(table.c.state == self.pending)
            .where(*(column == bindparam(f"claimed_{column.name}") for column in as_claimed))
            .values(next_attempt_at=bindparam("due_at"))
        )
        now = utc_now()
        claims = [
            {f"claimed_{column.name}": getattr(row, column.name) for column in as_claimed}
            | {"due_at": now}
            for row in self._broken_off
        ]
        async with self.service.engine.begin() as connection:
            await connection.execute(statement, claims)
        self._broken_off = []

    async def handle_batch(self, rows: list[Row]) -> None:
        """Each row on its own, at the same time."""
        assert self.handle is not None, "pass a handler of one row, or override handle_batch"
        await asyncio.gather(*(self.handle(row) for row in rows))

    async def next_due(self) -> datetime | None:
        """When the next pending row comes due (a retry's time, or a lease's end)."""
        table = self.model.__table__
        first = select(func.min(table.c.next_attempt_at)).where(
            table.c.state == self.pending, *self.due
        )
        async with self.service.engine.connect() as connection:
            return await connection.scalar(first)

    async def claim(self) -> list[Row]:
        """The due rows, leased to this worker, in `order_by` order."""
        table = self.model.__table__
        key_columns = list(table.primary_key.columns)
        key = key_columns[0] if len(key_columns) == 1 else tuple_(*key_columns)
        first = table.c[self.order_by]
        due = (
            select(*key_columns)
            .where(table.c.state == self.pending, table.c.next_attempt_at <= utc_now(), *self.due)
            .order_by(first)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(table)
            .where(key.in_(due))
            .values(attempts=table.c.attempts + 1, next_attempt_at=utc_now() + LEASE)
            .returning(table)
        )
        async with self.service.engine.begin() as connection:
            rows = (await connection.execute(claim)).all()
        rows.sort(key=lambda row: row._mapping[self.order_by])
        return [self.model.model_validate(row._mapping) for row in rows]
