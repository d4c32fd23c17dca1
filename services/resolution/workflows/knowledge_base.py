"""The troubleshooting knowledge base: each seller's own guides, over the starter set.

A seller's guide with the same id as a starter guide replaces it, and between two guides
that fit a case equally well the seller's own wins (choose_guide keeps the first).
Planning reads them through a one-minute in-process cache; a change through this
process's API is seen at once, through another process's within the minute.

Every edit is kept (`guide_versions`): a new text or a removal becomes the guide's next
version, with who made it; the same text saved again (a retried request) is no new
version. A starter guide's own text counts as its version 0. Buyers' answers to a guide
count from its latest edit on (`outcomes.guide_answers_of`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import TTLCache
from sqlalchemy import delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.troubleshooting import (
    Guide,
    guide_from_dict,
    guide_to_dict,
    starter_guides,
)
from services.resolution.tables import GuideRecord, GuideVersion
from services.resolution.workflows import outcomes
from shared.messaging_tables import utc_now

PLANNING_CACHE_SECONDS = 60.0
_for_planning: TTLCache[str, list[Guide]] = TTLCache(maxsize=10_000, ttl=PLANNING_CACHE_SECONDS)


async def guides_for_planning(session: AsyncSession, seller: str) -> list[Guide]:
    found = _for_planning.get(seller)
    if found is None:
        found = _for_planning[seller] = await guides_of(session, seller)
    return found


async def guides_of(session: AsyncSession, seller: str) -> list[Guide]:
    rows = await session.scalars(select(GuideRecord).where(GuideRecord.seller_account == seller))
    own = {row.guide_id: guide_from_dict(row.guide) for row in rows}
    starter = [guide for guide_id, guide in starter_guides().items() if guide_id not in own]
    return list(own.values()) + starter


async def save_guide(session: AsyncSession, seller: str, guide: Guide, author: str) -> int:
    """Add or replace the seller's guide; its version number (the same one when the text
    is unchanged)."""
    _for_planning.pop(seller, None)
    record = await session.get(GuideRecord, (seller, guide.guide_id))
    data = guide_to_dict(guide)
    if record is None:
        session.add(GuideRecord(seller_account=seller, guide_id=guide.guide_id, guide=data))
    elif record.guide == data:
        return await _latest(session, seller, guide.guide_id)
    else:
        record.guide = data
        record.updated_at = utc_now()
        session.add(record)
    return await _new_version(session, seller, guide.guide_id, data, author)


async def delete_guide(session: AsyncSession, seller: str, guide_id: str, author: str) -> bool:
    _for_planning.pop(seller, None)
    result = await session.execute(
        delete(GuideRecord).where(
            GuideRecord.seller_account == seller, GuideRecord.guide_id == guide_id
        )
    )
    if result.rowcount == 0:
        return False
    await _new_version(session, seller, guide_id, None, author)
    return True


@dataclass(frozen=True)
class Version:
    version: int  # 0: the starter set's text
    guide: dict[str, Any] | None  # None: removed
    created_at: datetime | None
    created_by: str


async def versions_of(session: AsyncSession, seller: str, guide_id: str) -> list[Version]:
    """The guide's versions, oldest first: the starter text (if any), then each edit."""
    rows = await session.scalars(
        select(GuideVersion)
        .where(GuideVersion.seller_account == seller, GuideVersion.guide_id == guide_id)
        .order_by(GuideVersion.version)
    )
    edits = [Version(r.version, r.guide, r.created_at, r.created_by) for r in rows]
    starter = starter_guides().get(guide_id)
    if starter is None:
        return edits
    return [Version(0, guide_to_dict(starter), None, STARTER_AUTHOR), *edits]


STARTER_AUTHOR = "starter set"


async def _latest(session: AsyncSession, seller: str, guide_id: str) -> int:
    latest = await session.scalar(
        select(func.max(GuideVersion.version)).where(
            GuideVersion.seller_account == seller, GuideVersion.guide_id == guide_id
        )
    )
    return latest or 0


async def _new_version(
    session: AsyncSession, seller: str, guide_id: str, data: dict | None, author: str
) -> int:
    """Concurrent edits collide on the primary key, never overwrite each other."""
    outcomes.forget_guide_answers(seller)  # the new text is judged afresh
    version = await _latest(session, seller, guide_id) + 1
    session.add(
        GuideVersion(
            seller_account=seller,
            guide_id=guide_id,
            version=version,
            guide=data,
            created_by=author,
        )
    )
    await session.flush()
    return version
