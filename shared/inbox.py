"""The inbox: applied event ids are stored in the same transaction as their effects."""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from opentelemetry import context as otel_context
from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import Envelope
from shared.messaging_tables import InboxMessage, OutboxMessage, utc_now
from shared.telemetry import CASE_TRACE, context_from_headers, trace_headers_of, with_case_trace

KafkaHeaders = Iterable[tuple[str, bytes]]


async def first_deliveries(
    session: AsyncSession, consumer: str, deliveries: list[tuple[Envelope, KafkaHeaders]]
) -> set[str]:
    """Record the events as applied by this consumer; returns the ids not seen before."""
    now = utc_now()
    rows = [
        {
            "consumer": consumer,
            "event_id": envelope.id,
            "event_type": envelope.type,
            "case_id": envelope.subject,
            "trace_headers": trace_headers_of(headers),
            "applied_at": now,
        }
        for envelope, headers in deliveries
    ]
    # One statement with many parameter sets, not one VALUES list per batch: SQLAlchemy
    # compiles it once and batches the rows itself ("insertmanyvalues").
    inbox = InboxMessage.__table__
    statement = insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)
    result = await session.execute(statement, rows)
    return set(result.scalars())


async def case_trace_headers(session: AsyncSession, case_id: str) -> dict[str, str]:
    """The trace context of the latest event this service applied for the case."""
    headers = await session.scalar(
        select(InboxMessage.trace_headers)
        .where(InboxMessage.case_id == case_id)
        .order_by(InboxMessage.applied_at.desc())
        .limit(1)
    )
    return headers or {}


async def first_case_trace(session: AsyncSession, case_id: str) -> str | None:
    """The case's first trace context (a W3C traceparent), as the first event this service
    applied for the case carried it (`case_trace`; before that header existed, the event's
    own trace, which is the case's first for the event that opened it); else as the first
    event this service emitted for it (the service that opened the case, before any event
    of it came back); None if this service has neither applied nor emitted one."""
    applied, emitted = _first_trace(InboxMessage, case_id), _first_trace(OutboxMessage, case_id)
    return await session.scalar(select(func.coalesce(applied, emitted)))


def _first_trace(
    table: type[InboxMessage] | type[OutboxMessage], case_id: str
) -> ScalarSelect[str]:
    """One statement for both tables: this runs each time a case's event is emitted."""
    if table is InboxMessage:
        headers, of_case, first = table.trace_headers, table.case_id, table.applied_at
    else:
        headers, of_case, first = table.headers, table.key, table.id
    return (
        select(func.coalesce(headers[CASE_TRACE].astext, headers["traceparent"].astext))
        .where(of_case == case_id)
        .order_by(first)
        .limit(1)
        .scalar_subquery()
    )


@asynccontextmanager
async def in_case_trace(session: AsyncSession, case_id: str) -> AsyncIterator[None]:
    """What is emitted inside joins the case's one trace, for work no event or request of
    the case started (a worker's try, a report read back)."""
    latest = await case_trace_headers(session, case_id)
    first = latest.get(CASE_TRACE) or await first_case_trace(session, case_id)
    token = otel_context.attach(with_case_trace(context_from_headers(latest), case_id, first))
    try:
        yield
    finally:
        otel_context.detach(token)
