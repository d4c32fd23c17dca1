"""What intake waits for an operator on: failed deliveries and failed calls to the
marketplaces and the mail relay (messages to buyers, return actions, Amazon removal
orders), counted per kind as the gauges of `shared/recovery.py`. Each is retried, or set
aside, by its own route: `/deliveries/...`, `/messages/{id}/retry`,
`/return-actions/{id}/retry`, `/removal-orders/{id}/retry`."""

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.tables import AmazonRemovalOrder, OutgoingMessage, ReturnActionRecord
from services.intake.workflows.reviving import failed_waiting
from shared.recovery import WaitingQueue

FAILED_CALLS = {
    "message": OutgoingMessage.__table__,
    "return_action": ReturnActionRecord.__table__,
    "removal_order": AmazonRemovalOrder.__table__,
}


async def failed_calls_waiting(session: AsyncSession) -> list[tuple[dict[str, str], int]]:
    counts = []
    for kind, table in FAILED_CALLS.items():
        query = select(func.count()).select_from(table).where(table.c.state == "failed")
        counts.append(({"kind": kind}, await session.scalar(query) or 0))
    return counts


WAITING_QUEUES = (
    WaitingQueue(
        "recovery.failed_deliveries.waiting",
        "failed deliveries waiting for an operator to retry or discard them",
        failed_waiting,
    ),
    WaitingQueue(
        "recovery.failed_calls.waiting",
        "failed outgoing calls waiting for an operator to retry or discard them",
        failed_calls_waiting,
    ),
)
