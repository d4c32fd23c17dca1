"""The inbox: an applied event id is stored in the same transaction as its effect."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import Envelope
from shared.messaging_tables import InboxMessage, utc_now
from shared.telemetry import current_trace_headers


async def first_delivery(session: AsyncSession, consumer: str, envelope: Envelope) -> bool:
    """Record the event as applied by this consumer; False when it already was."""
    statement = (
        insert(InboxMessage)
        .values(
            consumer=consumer,
            event_id=envelope.id,
            event_type=envelope.type,
            case_id=envelope.subject,
            trace_headers=current_trace_headers(),
            applied_at=utc_now(),
        )
        .on_conflict_do_nothing()
        .returning(InboxMessage.event_id)
    )
    result = await session.execute(statement)
    return result.first() is not None


async def case_trace_headers(session: AsyncSession, case_id: str) -> dict[str, str]:
    """The trace context of the latest event this service applied for the case."""
    headers = await session.scalar(
        select(InboxMessage.trace_headers)
        .where(InboxMessage.case_id == case_id)
        .order_by(InboxMessage.applied_at.desc())
        .limit(1)
    )
    return headers or {}
