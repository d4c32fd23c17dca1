"""Photos the technician takes at the bench, kept with the unit's inspection."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain.bench_photos import photo_of
from services.refurbish.tables import BenchPhoto, Inspection


async def keep_photos(
    session: AsyncSession, inspection: Inspection, files: list[bytes], technician: str
) -> None:
    """Each photo kept once (the same photo again changes nothing); PhotoRefused for one
    that is not an image, too large, or past the most an inspection keeps."""
    for data in files:
        kept = await photo_count(session, inspection.inspection_id)
        photo = photo_of(data, kept)
        await session.execute(
            insert(BenchPhoto)
            .values(
                inspection_id=inspection.inspection_id,
                photo_id=photo.photo_id,
                content_type=photo.content_type,
                content=photo.data,
                taken_by=technician,
                taken_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
        )


async def photo_count(session: AsyncSession, inspection_id: str) -> int:
    query = select(func.count()).where(BenchPhoto.inspection_id == inspection_id)
    return int(await session.scalar(query) or 0)


async def photos_of(session: AsyncSession, inspection_id: str) -> list[BenchPhoto]:
    query = select(BenchPhoto).where(BenchPhoto.inspection_id == inspection_id)
    return list(await session.scalars(query.order_by(BenchPhoto.taken_at)))
