"""The troubleshooting knowledge base: each seller's own guides, over the starter set.

A seller's guide with the same id as a starter guide replaces it, and between two guides
that fit a case equally well the seller's own wins (choose_guide keeps the first).
Planning reads them through a one-minute in-process cache; a change through this
process's API is seen at once, through another process's within the minute.
"""

from cachetools import TTLCache
from sqlalchemy import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.troubleshooting import (
    Guide,
    guide_from_dict,
    guide_to_dict,
    starter_guides,
)
from services.resolution.tables import GuideRecord

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


async def save_guide(session: AsyncSession, seller: str, guide: Guide) -> None:
    _for_planning.pop(seller, None)
    record = await session.get(GuideRecord, (seller, guide.guide_id))
    data = guide_to_dict(guide)
    if record is None:
        session.add(GuideRecord(seller_account=seller, guide_id=guide.guide_id, guide=data))
    else:
        record.guide = data
        session.add(record)


async def delete_guide(session: AsyncSession, seller: str, guide_id: str) -> bool:
    _for_planning.pop(seller, None)
    result = await session.execute(
        delete(GuideRecord).where(
            GuideRecord.seller_account == seller, GuideRecord.guide_id == guide_id
        )
    )
    return result.rowcount > 0
