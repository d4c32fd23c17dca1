"""A graded unit sent where it recovers the most: the outlet of its disposition opened. A
repair job, a relabel task for the marketplace's warehouse, a unit in a liquidation lot;
sold as renewed, recycled or sent back to origin (fulfillment consolidates it), the
decision event is all it takes here."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain.checklists import Checklist
from services.refurbish.domain.inspections import UnitOnBench
from services.refurbish.tables import Inspection
from services.refurbish.workflows import outlets, repairing
from shared.events import Disposition

Outlet = Callable[[AsyncSession, Inspection, UnitOnBench, Checklist, datetime], Awaitable[None]]


async def send(
    session: AsyncSession,
    disposition: Disposition,
    inspection: Inspection,
    unit: UnitOnBench,
    checklist: Checklist,
    now: datetime,
) -> None:
    """Open the outlet of `disposition` for the unit just graded (`inspection` as recorded)."""
    await OUTLETS[disposition](session, inspection, unit, checklist, now)


async def _nothing_more(*_) -> None:
    pass


OUTLETS: dict[Disposition, Outlet] = {
    Disposition.REPAIR: repairing.order_repair,
    Disposition.RELIST_AS_NEW: outlets.open_relabel_task,
    Disposition.LIQUIDATE: outlets.add_to_lot,
    Disposition.SELL_AS_RENEWED: _nothing_more,
    Disposition.RETURN_TO_ORIGIN: _nothing_more,
    Disposition.RECYCLE: _nothing_more,
    Disposition.RETURN_TO_BUYER: _nothing_more,  # fulfillment ships it back to the buyer
}
