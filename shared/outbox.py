"""The transactional outbox: a state change and the events it causes commit together.

`emit` writes the event into the service's outbox table inside the caller's
transaction; a trigger on the table wakes the relay with pg_notify on commit. The relay
claims unpublished rows in id order, publishes them to Kafka and marks them sent.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable

from faststream.kafka import KafkaBroker
from opentelemetry.metrics import Counter, Observation
from opentelemetry.trace import SpanKind
from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import PAYLOAD_TYPES, Envelope, EventPayload
from shared.messaging_tables import OutboxMessage, utc_now
from shared.settings import ServiceSettings
from shared.telemetry import Telemetry, context_from_headers, current_trace_headers
from shared.wakeup import NotifiedLoop

log = logging.getLogger(__name__)

RELAY_BATCH = 500


def outbox_channel(service: str) -> str:
    return f"outbox_{service}"


async def emit_all(session: AsyncSession, payloads: Iterable[EventPayload]) -> None:
    """Several events in the order given: the events of a lifecycle move, say."""
    for payload in payloads:
        await emit(session, payload)


async def emit(session: AsyncSession, payload: EventPayload) -> Envelope:
    """Add an event to the outbox in the session's transaction. The one way to publish."""
    envelope = Envelope.wrap(payload)
    session.add(
        OutboxMessage(
            event_id=envelope.id,
            topic=envelope.topic,
            key=envelope.subject,
            envelope=envelope.model_dump(mode="json"),
            headers=current_trace_headers(),
            created_at=envelope.time,  # given: a default factory costs more than the row
        )
    )
    return envelope


class OutboxRelay:
    """Publishes a service's outbox to Kafka, in order, one relay at a time per service."""

    def __init__(
        self,
        service: str,
        sessions: async_sessionmaker[AsyncSession],
        broker: KafkaBroker,
        telemetry: Telemetry,
        settings: ServiceSettings,
        counter: Callable[[str], Counter],
    ) -> None:
        self.service = service
        self.counter = counter  # the service's counters, made once per name
        self.sessions = sessions
        self.broker = broker
        self.tracer = telemetry.tracer
        self.loop = NotifiedLoop(
            f"outbox relay of {service}", outbox_channel(service), self._drain, settings
        )
        self._published = telemetry.meter.create_counter(
            "outbox.published", description="events published from the outbox"
        )
        self.backlog = 0  # unpublished events, as of the last batch published
        telemetry.meter.create_observable_gauge(
            "outbox.backlog",
            callbacks=[lambda _: [Observation(self.backlog)]],
            description="events written, not yet published",
        )

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished events; returns how many were sent."""
        outbox = OutboxMessage.__table__
        async with self.sessions() as session, session.begin():
            # Only the relay holding the service's lock claims rows, which keeps each
            # case's events in order when several replicas run.
            rows = (
                await session.execute(
                    select(
                        outbox.c.id,
                        outbox.c.topic,
                        outbox.c.key,
                        outbox.c.envelope,
                        outbox.c.headers,
                    )
                    .where(
                        outbox.c.published_at.is_(None),
                        func.pg_try_advisory_xact_lock(func.hashtext(f"outbox.{self.service}")),
                    )
                    .order_by(outbox.c.id)
                    .limit(RELAY_BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            confirmations = [await self._send(row) for row in rows]
            await asyncio.gather(*(c for c in confirmations if c is not None))
            await session.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=utc_now())
            )
        self._published.add(len(rows))
        for row in rows:
            self._count_business_event(row.envelope)
        # A full batch leaves more behind: count them (the partial index keeps it cheap).
        self.backlog = await self._unpublished() if len(rows) == RELAY_BATCH else 0
        return len(rows)

    async def _unpublished(self) -> int:
        outbox = OutboxMessage.__table__
        async with self.sessions() as session:
            query = select(func.count()).where(outbox.c.published_at.is_(None))
            return await session.scalar(query) or 0

    def _count_business_event(self, envelope: dict) -> None:
        """Events that count as business metrics (`counted_as`), once published."""
        payload_type = PAYLOAD_TYPES.get(envelope["type"])
        if payload_type is None or payload_type.counted_as is None:
            return
        data = envelope.get("data") or {}
        attributes = {key: str(data.get(key)) for key in payload_type.counted_by}
        self.counter(payload_type.counted_as).add(1, attributes)

    async def _send(self, row: Row):
        event_type = row.envelope["type"]
        with self.tracer.start_as_current_span(
            f"{row.topic} publish",
            context=context_from_headers(row.headers),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "send",
                "messaging.destination.name": row.topic,
                "messaging.message.id": row.envelope["id"],
                "messaging.kafka.message.key": row.key,
                "cloudevents.event_type": event_type,
            },
        ):
            return await self.broker.publish(
                row.envelope,
                row.topic,
                key=row.key.encode(),
                headers={**current_trace_headers(), "ce_type": event_type},
                no_confirm=True,
            )

    async def _drain(self) -> bool:
        return await self.publish_pending() == RELAY_BATCH

    async def run(self) -> None:
        """Publish until stopped: woken by pg_notify, polling as a fallback."""
        await self.loop.run()

    def stop(self) -> None:
        self.loop.stop()


async def emit_again(
    session: AsyncSession, envelope: Envelope, topic: str, trace_headers: dict[str, str]
) -> None:
    """Publish an event once more, as it was (its id kept: every consumer's inbox that
    applied it already drops it), in the session's transaction: an operator's re-drive of a
    dead letter (`shared/recovery.py`). An event this service's outbox holds already is
    made unpublished again rather than written twice."""
    row = {
        "event_id": envelope.id,
        "topic": topic,
        "key": envelope.subject,
        "envelope": envelope.model_dump(mode="json"),
        "headers": trace_headers,
        "created_at": utc_now(),
    }
    statement = pg_insert(OutboxMessage.__table__).values(row)
    statement = statement.on_conflict_do_update(
        index_elements=["event_id"],
        set_={"published_at": None, "topic": topic, "created_at": row["created_at"]},
    )
    await session.execute(statement)
