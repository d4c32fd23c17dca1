"""Each case's conversation kept as its events say (`domain/conversation.py`): a message's
later move (delivered, bounced) updates its row; its first time sent is kept as when it
was sent. A buyer's erasure blanks what was said to and by them."""

from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.tables import ConversationEntry


async def record_turns(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = ConversationEntry.__table__
    statement = insert(table)
    incoming = statement.excluded
    newer = table.c.updated_at <= incoming.updated_at
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.entry_id],
            set_={
                "state": case((newer, incoming.state), else_=table.c.state),
                "at": func.least(table.c.at, incoming.at),
                "updated_at": func.greatest(table.c.updated_at, incoming.updated_at),
            },
        ),
        rows,
    )


async def forget_turns(session: AsyncSession, case_ids: list[str]) -> None:
    """The erased buyers' cases: what was written is blanked, that it was written kept."""
    if not case_ids:
        return
    table = ConversationEntry.__table__
    await session.execute(update(table).where(table.c.case_id.in_(case_ids)).values(text=""))
