"""Recompute the case read model from every event analytics kept: after a fix to how
facts are read, or to check that the reports are what the events say.

    python -m services.analytics.rebuild        (make analytics-rebuild)

The read model is replaced in one transaction, so reports never show half a rebuild.
Events are folded in the order they happened; fields erased for a buyer's privacy come
back as placeholders no fact is read from.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from rich.progress import Progress
from sqlalchemy import delete, func, select, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.case_facts import case_rows
from services.analytics.handlers.events import upsert_cases
from services.analytics.settings import AnalyticsSettings
from services.analytics.tables import AppliedEvent, CaseView
from shared.db import create_service_engine, session_factory, transaction
from shared.events import PAYLOAD_TYPES, EventPayload

CHUNK = 2_000
ERASED = {"buyer_ref": "erased", "buyer_comment": "", "text": "", "comment": "", "photos": []}


def payload_of(event: AppliedEvent) -> EventPayload | None:
    """The typed payload of a kept event; None for a type this version does not know."""
    payload_type = PAYLOAD_TYPES.get(event.type)
    if payload_type is None:
        return None
    placeholders = {k: v for k, v in ERASED.items() if k in payload_type.model_fields}
    try:
        return payload_type.model_validate(placeholders | event.data)
    except ValidationError:
        return None


async def rebuild(session: AsyncSession, progress: Callable[[int], Any] = lambda _: None) -> int:
    """Replace the read model with one folded from every kept event; the events folded."""
    await session.execute(delete(CaseView))
    folded = 0
    after: tuple[datetime, int] | None = None
    while chunk := await _next_chunk(session, after):
        pairs = [(p, e.time) for e in chunk if (p := payload_of(e)) is not None]
        if pairs:
            await upsert_cases(session, case_rows(pairs))
        folded += len(chunk)
        after = (chunk[-1].time, chunk[-1].seq)
        progress(len(chunk))
    return folded


async def _next_chunk(
    session: AsyncSession, after: tuple[datetime, int] | None
) -> list[AppliedEvent]:
    query = select(AppliedEvent).order_by(AppliedEvent.time, AppliedEvent.seq).limit(CHUNK)
    if after is not None:
        query = query.where(tuple_(AppliedEvent.time, AppliedEvent.seq) > after)
    return list(await session.scalars(query))


async def rebuild_with_progress(settings: AnalyticsSettings) -> int:
    engine = create_service_engine("analytics", settings, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            total = await session.scalar(select(func.count()).select_from(AppliedEvent))
            with Progress() as bar:
                task = bar.add_task("events folded into the case read model", total=total)
                return await rebuild(session, lambda n: bar.advance(task, n))
    finally:
        await engine.dispose()


def main() -> None:
    folded = asyncio.run(rebuild_with_progress(AnalyticsSettings()))
    print(f"rebuilt the case read model from {folded} events")


if __name__ == "__main__":
    main()
