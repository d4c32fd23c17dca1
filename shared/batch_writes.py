"""Rows a batch of events inserts, written at the batch's end with one statement per table.

The consumer applies a batch of events in one transaction (`shared/consumer.py`). On that
path it collects here the rows its handlers insert with plain statements (the events they
emit, a service's own rows such as resolution's refunds owed), and writes each table's
rows once the batch's handlers are done: one INSERT with a list of parameter sets per
table, the rows in the order they were added. Elsewhere (an event applied alone after its
batch failed, a request, a worker) a row is inserted at once, as before.

A handler that reads or updates such rows later in the same batch writes them first
(`write_pending`).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

KEY = "batch_writes.pending"

# (table, whether a row whose key is there already is skipped) → its rows, in order.
Pending = dict[tuple[Table, bool], list[dict[str, Any]]]


def pending_of(session: AsyncSession) -> Pending | None:
    """The rows this session's batch still has to write; None outside a batch."""
    return session.info.get(KEY)


async def insert_later(
    session: AsyncSession, table: Table, row: dict[str, Any], *, skip_existing: bool = False
) -> None:
    """Insert `row` at the batch's end, or now outside a batch. `skip_existing`: a row
    whose key is there already is left as it is (ON CONFLICT DO NOTHING)."""
    if not kept_for_batch(session, table, row, skip_existing=skip_existing):
        await session.execute(_insert(table, skip_existing), [row])


def kept_for_batch(
    session: AsyncSession, table: Table, row: dict[str, Any], *, skip_existing: bool = False
) -> bool:
    """Keep `row` to insert at the batch's end; False outside a batch (nothing kept)."""
    pending = pending_of(session)
    if pending is None:
        return False
    pending.setdefault((table, skip_existing), []).append(row)
    return True


async def write_pending(session: AsyncSession) -> None:
    """Write what the batch collected so far, one statement per table."""
    pending = pending_of(session)
    if not pending:
        return
    for (table, skip_existing), rows in pending.items():
        await session.execute(_insert(table, skip_existing), rows)
    pending.clear()


@asynccontextmanager
async def collecting(session: AsyncSession) -> AsyncIterator[None]:
    """Rows inserted inside are written together when it ends without error."""
    session.info[KEY] = {}
    try:
        yield
        await write_pending(session)
    finally:
        session.info.pop(KEY, None)


def _insert(table: Table, skip_existing: bool):
    statement = insert(table)
    return statement.on_conflict_do_nothing() if skip_existing else statement
