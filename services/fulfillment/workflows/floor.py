"""What the warehouse floor page keeps of its own: stock counts set by hand with their
reason (the count itself is `stock.count`'s, as the API sets it), and the photos taken of
returned parcels as they are scanned in."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.parcel_photos import Photo
from services.fulfillment.tables import ParcelPhoto, StockAdjustment, StockLevel
from services.fulfillment.workflows import stock
from shared.messaging_tables import utc_now


async def adjust_stock(
    session: AsyncSession,
    adjustment_id: str,
    warehouse: str,
    sku: str,
    on_hand: int,
    bin_: str,
    reason: str,
    by: str,
) -> StockLevel | None:
    """The count set, with its reason kept; a form sent again (same `adjustment_id`)
    changes nothing more. None when fewer than those reserved (nothing changed)."""
    if await session.get(StockAdjustment, adjustment_id) is not None:
        return await session.scalar(
            select(StockLevel).where(StockLevel.warehouse == warehouse, StockLevel.sku == sku)
        )
    on_hand_before = await session.scalar(
        select(StockLevel.on_hand)
        .where(StockLevel.warehouse == warehouse, StockLevel.sku == sku)
        .with_for_update()
    )
    level = await stock.count(session, warehouse, sku, on_hand, bin_)
    if level is None:
        return None
    session.add(
        StockAdjustment(
            adjustment_id=adjustment_id,
            warehouse=warehouse,
            sku=sku,
            bin=bin_,
            on_hand_before=on_hand_before,
            on_hand=on_hand,
            reason=reason,
            adjusted_by=by,
            adjusted_at=utc_now(),
        )
    )
    return level


async def keep_photos(
    session: AsyncSession, warehouse: str, photos: list[Photo], by: str
) -> list[str]:
    """The photos kept (each once, by its content): their ids."""
    now = utc_now()
    for photo in photos:
        await session.execute(
            insert(ParcelPhoto)
            .values(
                photo_id=photo.photo_id,
                warehouse=warehouse,
                content_type=photo.content_type,
                content=photo.data,
                taken_by=by,
                taken_at=now,
            )
            .on_conflict_do_nothing()
        )
    return [photo.photo_id for photo in photos]
