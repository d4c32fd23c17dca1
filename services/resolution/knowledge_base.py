"""The troubleshooting knowledge base: each seller's own guides, over the starter set.

A seller's guide with the same id as a starter guide replaces it, and between two guides
that fit a case equally well the seller's own wins (choose_guide keeps the first).
Planning reads them through a one-minute in-process cache; a change through this
process's API is seen at once, through another process's within the minute.
"""

import time
from functools import cache

from sqlalchemy import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.troubleshooting import Guide, guide_from_dict, load_starter_guides
from services.resolution.tables import GuideRecord


@cache
def starter_guides() -> dict[str, Guide]:
    return {guide.guide_id: guide for guide in load_starter_guides()}


PLANNING_CACHE_SECONDS = 60.0
_for_planning: dict[str, tuple[float, list[Guide]]] = {}


async def guides_for_planning(session: AsyncSession, seller: str) -> list[Guide]:
    cached = _for_planning.get(seller)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    guides = await guides_of(session, seller)
    _for_planning[seller] = (time.monotonic() + PLANNING_CACHE_SECONDS, guides)
    return guides


async def guides_of(session: AsyncSession, seller: str) -> list[Guide]:
    rows = await session.scalars(select(GuideRecord).where(GuideRecord.seller_account == seller))
    own = {row.guide_id: guide_from_dict(row.guide) for row in rows}
    starter = [guide for guide_id, guide in starter_guides().items() if guide_id not in own]
    return list(own.values()) + starter


async def save_guide(session: AsyncSession, seller: str, guide: Guide) -> None:
    _for_planning.pop(seller, None)
    record = await session.get(GuideRecord, (seller, guide.guide_id))
    data = guide_as_data(guide)
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


def guide_as_data(guide: Guide) -> dict:
    return {
        "guide_id": guide.guide_id,
        "language": guide.language,
        "title": guide.title,
        "steps": list(guide.steps),
        "sku": guide.sku,
        "category": guide.category,
        "fault_code": guide.fault_code,
        "video_url": guide.video_url,
    }
