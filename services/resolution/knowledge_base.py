"""The troubleshooting knowledge base: each seller's own guides, over the starter set.

A seller's guide with the same id as a starter guide replaces it, and between two guides
that fit a case equally well the seller's own wins (choose_guide keeps the first).
"""

from functools import cache

from sqlalchemy import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.troubleshooting import Guide, guide_from_dict, load_starter_guides
from services.resolution.tables import GuideRecord


@cache
def starter_guides() -> dict[str, Guide]:
    return {guide.guide_id: guide for guide in load_starter_guides()}


async def guides_of(session: AsyncSession, seller: str) -> list[Guide]:
    rows = await session.scalars(select(GuideRecord).where(GuideRecord.seller_account == seller))
    own = {row.guide_id: guide_from_dict(row.guide) for row in rows}
    starter = [guide for guide_id, guide in starter_guides().items() if guide_id not in own]
    return list(own.values()) + starter


async def save_guide(session: AsyncSession, seller: str, guide: Guide) -> None:
    record = await session.get(GuideRecord, (seller, guide.guide_id))
    data = guide_as_data(guide)
    if record is None:
        session.add(GuideRecord(seller_account=seller, guide_id=guide.guide_id, guide=data))
    else:
        record.guide = data
        session.add(record)


async def delete_guide(session: AsyncSession, seller: str, guide_id: str) -> bool:
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
