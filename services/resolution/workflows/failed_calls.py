"""What resolution waits for an operator on: refunds the marketplace refused, or that kept
failing (`domain/refunds.py`: an agent looks), counted as the gauge
`recovery.failed_calls.waiting` (kind `refund`) of `shared/recovery.py`."""

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.refunds import RefundState
from services.resolution.tables import Refund
from shared.recovery import WaitingQueue


async def refused_refunds(session: AsyncSession) -> list[tuple[dict[str, str], int]]:
    table = Refund.__table__
    query = select(func.count()).where(table.c.state == RefundState.REFUSED.value)
    return [({"kind": "refund"}, await session.scalar(query) or 0)]


WAITING_QUEUES = (
    WaitingQueue(
        "recovery.failed_calls.waiting",
        "failed outgoing calls waiting for an operator to retry or discard them",
        refused_refunds,
    ),
)
