"""What fulfillment waits for an operator on: failed calls to the carrier (labels not
bought) and to the warehouses (dispatch requests not delivered), counted per kind as the
gauge of `shared/recovery.py`. A failed label is owed again by `/carrier-labels/{ref}/retry`."""

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.tables import CarrierLabel, WarehouseDelivery
from shared.recovery import WaitingQueue

FAILED_CALLS = {
    "carrier_label": CarrierLabel.__table__,
    "warehouse_delivery": WarehouseDelivery.__table__,
}


async def failed_calls_waiting(session: AsyncSession) -> list[tuple[dict[str, str], int]]:
    counts = []
    for kind, table in FAILED_CALLS.items():
        query = select(func.count()).select_from(table).where(table.c.state == "failed")
        counts.append(({"kind": kind}, await session.scalar(query) or 0))
    return counts


WAITING_QUEUES = (
    WaitingQueue(
        "recovery.failed_calls.waiting",
        "failed outgoing calls waiting for an operator to retry or discard them",
        failed_calls_waiting,
    ),
)
