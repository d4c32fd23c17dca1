"""The case read model folded again from every event analytics kept: after a fix to how
facts are read, or to check that the reports are what the events say.

Events are folded in the order they happened; fields erased for a buyer's privacy come
back as placeholders no fact is read from. The caller's transaction replaces the read
model at once, so reports never show half a rebuild.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select, tuple_, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.case_facts import case_rows
from services.analytics.domain.conversation import conversation_rows
from services.analytics.tables import AppliedEvent, CaseView, ConversationEntry
from services.analytics.workflows.conversation import record_turns
from services.analytics.workflows.phrase_tallies import refold_phrase_tallies
from services.analytics.workflows.projection import upsert_cases
from services.analytics.workflows.tallies import deferred_tallies, refold
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
    """Replace the read models (cases and their tallies, their conversations, the tallies of
    buyers' phrases) with ones folded from every kept event; the events folded."""
    await deferred_tallies(session)  # folded again once, at the end
    await session.execute(delete(CaseView))
    await session.execute(delete(ConversationEntry))
    folded = 0
    after: tuple[datetime, int] | None = None
    while chunk := await _next_chunk(session, after):
        typed = [(p, e.event_id, e.time) for e in chunk if (p := payload_of(e)) is not None]
        if typed:
            await upsert_cases(session, case_rows([(p, time) for p, _, time in typed]))
            await record_turns(session, conversation_rows(typed))
        folded += len(chunk)
        after = (chunk[-1].time, chunk[-1].seq)
        progress(len(chunk))
    await refold_phrase_tallies(session)  # under the case facts just folded
    await count_events_kept(session)
    await refold(session)
    return folded


async def count_events_kept(session: AsyncSession) -> None:
    """Each case's count of kept events, from the events themselves: those of a type this
    version does not read count too, as the summary counts them."""
    kept = (
        select(AppliedEvent.case_id, func.count().label("events"))
        .group_by(AppliedEvent.case_id)
        .subquery()
    )
    cases = CaseView.__table__
    await session.execute(
        update(cases).where(cases.c.case_id == kept.c.case_id).values(events_kept=kept.c.events)
    )


async def _next_chunk(
    session: AsyncSession, after: tuple[datetime, int] | None
) -> list[AppliedEvent]:
    query = select(AppliedEvent).order_by(AppliedEvent.time, AppliedEvent.seq).limit(CHUNK)
    if after is not None:
        query = query.where(tuple_(AppliedEvent.time, AppliedEvent.seq) > after)
    return list(await session.scalars(query))


async def events_kept(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(AppliedEvent))
