"""Stock in the warehouses: counted by staff, reserved for a task (every SKU in one
warehouse, or none), given back when a task fails, taken off the shelf when it ships,
written off when units are damaged or missing."""

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.tables import Shipment, StockLevel
from shared.events import PickLine


async def count(
    session: AsyncSession, warehouse: str, sku: str, on_hand: int, bin_: str
) -> StockLevel | None:
    """The counted units and their bin; None (nothing changed) when fewer than those
    reserved already."""
    return await session.scalar(
        insert(StockLevel)
        .values(warehouse=warehouse, sku=sku, bin=bin_, on_hand=on_hand, reserved=0)
        .on_conflict_do_update(
            index_elements=[StockLevel.warehouse, StockLevel.sku],
            set_={"on_hand": on_hand, "bin": bin_},
            where=StockLevel.reserved <= on_hand,
        )
        .returning(StockLevel)
    )


async def warehouses_holding(
    session: AsyncSession, codes: list[str], needed: dict[str, int]
) -> list[str]:
    """The warehouses (of `codes`) that have every needed SKU free right now."""
    rows = await session.execute(
        select(
            StockLevel.warehouse, StockLevel.sku, StockLevel.on_hand - StockLevel.reserved
        ).where(StockLevel.warehouse.in_(codes), StockLevel.sku.in_(list(needed)))
    )
    free: dict[str, dict[str, int]] = {}
    for warehouse, sku, available in rows:
        free.setdefault(warehouse, {})[sku] = available
    return [
        code
        for code in codes
        if all(free.get(code, {}).get(sku, 0) >= quantity for sku, quantity in needed.items())
    ]


class _NotInStock(Exception):
    pass


async def reserve(
    session: AsyncSession, warehouse: str, needed: dict[str, int]
) -> list[PickLine] | None:
    """Reserve every SKU in one warehouse, or none of them.

    Two cases never get the last unit: each conditional UPDATE locks its row and
    re-checks the condition after a concurrent commit.
    """
    if len(needed) == 1:  # one conditional UPDATE is all-or-nothing by itself
        return await _reserve_each(session, warehouse, needed)
    try:
        async with session.begin_nested():
            lines = await _reserve_each(session, warehouse, needed)
            if lines is None:
                raise _NotInStock  # rolls back the SKUs reserved so far
            return lines
    except _NotInStock:
        return None


async def _reserve_each(
    session: AsyncSession, warehouse: str, needed: dict[str, int]
) -> list[PickLine] | None:
    lines = []
    for sku, quantity in sorted(needed.items()):
        bin_ = await session.scalar(
            update(StockLevel)
            .where(
                StockLevel.warehouse == warehouse,
                StockLevel.sku == sku,
                StockLevel.on_hand - StockLevel.reserved >= quantity,
            )
            .values(reserved=StockLevel.reserved + quantity)
            .returning(StockLevel.bin)
        )
        if bin_ is None:
            return None
        lines.append(PickLine(sku=sku, quantity=quantity, bin=bin_))
    return lines


async def release(session: AsyncSession, task: Shipment) -> None:
    """Give back what a task reserved (a problem reported before it shipped)."""
    for line in task.pick_list:
        await session.execute(
            update(StockLevel)
            .where(StockLevel.warehouse == task.warehouse, StockLevel.sku == line["sku"])
            .values(reserved=func.greatest(StockLevel.reserved - line["quantity"], 0))
        )


async def take(session: AsyncSession, task: Shipment) -> None:
    """Units shipped leave the shelf and their reservation together."""
    for line in task.pick_list:
        quantity = line["quantity"]
        await session.execute(
            update(StockLevel)
            .where(StockLevel.warehouse == task.warehouse, StockLevel.sku == line["sku"])
            .values(on_hand=StockLevel.on_hand - quantity, reserved=StockLevel.reserved - quantity)
        )


async def write_off(session: AsyncSession, task: Shipment) -> None:
    """Damaged or missing units are no longer on hand (never below what others reserved)."""
    for line in task.pick_list:
        await session.execute(
            update(StockLevel)
            .where(
                StockLevel.warehouse == task.warehouse,
                StockLevel.sku == line["sku"],
                StockLevel.on_hand - line["quantity"] >= StockLevel.reserved,
            )
            .values(on_hand=StockLevel.on_hand - line["quantity"])
        )
