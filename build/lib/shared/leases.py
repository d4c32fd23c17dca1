"""Background work over a table of pending rows: each row claimed with a lease, so any
number of processes share the work and a row a dead process held comes back.

A table qualifies with a single-column primary key and the columns `state` ("pending"
until done), `attempts` and `next_attempt_at`. Writers insert rows and fire
`pg_notify(channel)`; the worker wakes, claims what is due with `FOR UPDATE SKIP LOCKED`
(attempts + 1, next_attempt_at pushed past the lease) and handles each row. A handler sets
the row's state, or a later `next_attempt_at` to try again.

A worker is a subclass that names its table and passes its handler; `run` and `stop`
belong to the service's lifespan, `work_once` to tests that move time themselves.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update
from sqlmodel import SQLModel

from shared.messaging_tables import utc_now
from shared.service import Service
from shared.wakeup import NotifiedLoop

Row = TypeVar("Row", bound=SQLModel)

LEASE = timedelta(seconds=60)
CLAIM_BATCH = 50


class LeasedWork(Generic[Row]):
    def __init__(
        self,
        name: str,
        channel: str,
        service: Service,
        model: type[Row],
        handle: Callable[[Row], Awaitable[Any]],
    ) -> None:
        self.service = service
        self.model = model
        self.handle = handle
        self.loop = NotifiedLoop(name, channel, self.work_once, service.settings)

    async def run(self) -> None:
        await self.loop.run()

    def stop(self) -> None:
        self.loop.stop()

    async def work_once(self) -> bool:
        """Claim and handle one batch; True when a full batch was claimed."""
        claimed = await self.claim()
        await asyncio.gather(*(self.handle(row) for row in claimed))
        return len(claimed) == CLAIM_BATCH

    async def claim(self) -> list[Row]:
        table = self.model.__table__
        (key,) = table.primary_key.columns
        due = (
            select(key)
            .where(table.c.state == "pending", table.c.next_attempt_at <= utc_now())
            .order_by(table.c.next_attempt_at)
            .limit(CLAIM_BATCH)
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
        return [self.model.model_validate(row._mapping) for row in rows]
