"""The transactional outbox: a state change and the events it causes commit together.

`emit` writes the event into the service's outbox table inside the caller's
transaction; a trigger on the table wakes the relay with pg_notify on commit. The relay
claims unpublished rows in id order, publishes them to Kafka and marks them sent.

Sent rows are kept for OUTBOX_RETENTION_DAYS, then purged in batches. With each batch the
relay records where it landed in each partition (`outbox_marks`). A partition that ends
below its mark lost events (a broker restarted empty, a cluster restored from an old
snapshot): the relay sees it in the next batch's offsets, or in its periodic look at the
topics' ends, and marks every retained event unpublished again, to be published again in
order; the consumers' inboxes drop those they had applied already.
"""

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import RecordMetadata
from faststream.kafka import KafkaBroker
from opentelemetry.metrics import Counter, Observation
from opentelemetry.trace import SpanKind, get_current_span
from sqlalchemy import Row, cast, delete, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.batch_writes import kept_for_batch
from shared.events import PAYLOAD_TYPES, Envelope, EventPayload
from shared.inbox import first_case_trace
from shared.messaging_tables import OutboxMark, OutboxMessage, utc_now
from shared.settings import ServiceSettings
from shared.telemetry import (
    CASE_ID,
    CASE_TRACE,
    Telemetry,
    case_links,
    case_trace_in_context,
    context_from_headers,
    current_trace_headers,
)
from shared.wakeup import NotifiedLoop, Periodic

log = logging.getLogger(__name__)

RELAY_BATCH = 500


def outbox_channel(service: str) -> str:
    return f"outbox_{service}"


def relay_lock(service: str):
    """The key of the service's relay lock (a transaction-level advisory lock)."""
    return func.hashtext(f"outbox.{service}")


# One round trip per batch: the sent rows are marked, the batch's partitions' marks moved,
# and the partitions whose first offset fell below their mark (the broker lost what the
# relay had sent there) counted. The CTEs all see the marks as they were.
# A mark is the batch's first offset + 1, not its last + 1: the embedded broker reports a
# partition's end as its last record batch's first offset + 1, and both brokers' ends
# reach that much once the batch is there.
RECORD_BATCH = text(
    """
    WITH sent AS (
        UPDATE outbox SET published_at = :now WHERE id = ANY(CAST(:ids AS bigint[]))
    ),
    landed AS (
        SELECT * FROM unnest(
            CAST(:topics AS text[]), CAST(:partitions AS integer[]),
            CAST(:firsts AS bigint[]), CAST(:ends AS bigint[])
        ) AS landed(topic, partition, first_offset, end_at_least)
    ),
    marked AS (
        INSERT INTO outbox_marks (topic, partition, end_at_least, recorded_at)
        SELECT topic, partition, end_at_least, :now FROM landed
        ON CONFLICT (topic, partition) DO UPDATE
            SET end_at_least = excluded.end_at_least, recorded_at = excluded.recorded_at
    )
    SELECT count(*) FROM landed JOIN outbox_marks AS mark USING (topic, partition)
    WHERE landed.first_offset < mark.end_at_least
    """
)


def landings(records: Iterable[RecordMetadata]) -> dict[tuple[str, int], int]:
    """Where a batch landed: each partition's first offset of the batch."""
    firsts: dict[tuple[str, int], int] = {}
    for record in records:
        where = (record.topic, record.partition)
        firsts[where] = min(firsts.get(where, record.offset), record.offset)
    return firsts


REPUBLISHED = "x-republished"
REPUBLISHED_MARK = json.dumps({REPUBLISHED: "true"})


async def republish(session: AsyncSession, service: str, since: datetime | None = None) -> int:
    """Mark the retained events published at or after `since` (all of them: None) as
    unpublished again, in the session's transaction, and wake the relay: it publishes them
    again in their first order. Returns how many."""
    outbox = OutboxMessage.__table__
    statement = update(outbox).where(outbox.c.published_at.is_not(None))
    if since is not None:
        statement = statement.where(outbox.c.published_at >= since)
    # Marked in the row's own headers (trace context, never sent as such), so that the
    # business metrics count an event once, on its first publishing.
    marked = outbox.c.headers.op("||")(cast(literal(REPUBLISHED_MARK), JSONB))
    result = await session.execute(statement.values(published_at=None, headers=marked))
    await session.execute(select(func.pg_notify(outbox_channel(service), "")))
    return result.rowcount


async def purge_published(
    sessions: async_sessionmaker[AsyncSession], before: datetime, batch: int
) -> int:
    """Delete the events published before `before`, `batch` at a time (each its own
    transaction), oldest first; returns how many. The primary key's order is roughly the
    publishing order, so each batch reads little more than the rows it deletes."""
    outbox = OutboxMessage.__table__
    purged = 0
    while True:
        oldest = (
            select(outbox.c.id)
            .where(outbox.c.published_at.is_not(None), outbox.c.published_at < before)
            .order_by(outbox.c.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        async with sessions() as session, session.begin():
            result = await session.execute(delete(outbox).where(outbox.c.id.in_(oldest)))
        purged += result.rowcount
        if result.rowcount < batch:
            return purged


async def emit_all(session: AsyncSession, payloads: Iterable[EventPayload]) -> None:
    """Several events in the order given: the events of a lifecycle move, say."""
    for payload in payloads:
        await emit(session, payload)


async def emit(session: AsyncSession, payload: EventPayload, opens_case: bool = False) -> Envelope:
    """Add an event to the outbox in the session's transaction. The one way to publish.
    `opens_case`: the event opens its case in this very transaction, so nothing of the case
    was applied or emitted before it: its first trace is the current one, not looked up."""
    envelope = Envelope.wrap(payload)
    case_trace = case_trace_in_context(envelope.subject)
    if case_trace is None and not opens_case:  # a request's or worker's work: look it up
        with session.no_autoflush:  # the inbox is written apart from the session's own rows
            case_trace = await first_case_trace(session, envelope.subject)
    row = {
        "event_id": envelope.id,
        "topic": envelope.topic,
        "key": envelope.subject,
        "envelope": envelope.model_dump(mode="json"),
        # The trace context, and the case's first trace beside it (`case_trace`).
        "headers": current_trace_headers(envelope.subject, case_trace),
        "created_at": envelope.time,  # given: a default factory costs more than the row
    }
    # In a batch of events, its events go in with one INSERT at its end.
    if not kept_for_batch(session, OutboxMessage.__table__, row):
        session.add(OutboxMessage(**row))
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
        self.settings = settings
        self.tracer = telemetry.tracer
        self.loop = NotifiedLoop(
            f"outbox relay of {service}", outbox_channel(service), self._drain, settings
        )
        self.watch = Periodic(
            f"broker watch of {service}", settings.outbox_broker_check_seconds, self.check_broker
        )
        self.purge = Periodic(
            f"outbox purge of {service}", settings.outbox_purge_seconds, self.purge_expired
        )
        self._ends_reader: AIOKafkaConsumer | None = None
        self._republished = telemetry.meter.create_counter(
            "outbox.republished",
            description="retained events published again after the broker lost them",
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
                        func.pg_try_advisory_xact_lock(relay_lock(self.service)),
                    )
                    .order_by(outbox.c.id)
                    .limit(RELAY_BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            confirmations = [await self._send(row) for row in rows]
            # FastStream's test broker confirms nothing (None): such sends mark nothing.
            firsts = landings(await asyncio.gather(*(c for c in confirmations if c is not None)))
            behind = await session.scalar(
                RECORD_BATCH,
                {
                    "now": utc_now(),
                    "ids": [row.id for row in rows],
                    "topics": [topic for topic, _ in firsts],
                    "partitions": [partition for _, partition in firsts],
                    "firsts": list(firsts.values()),
                    "ends": [first + 1 for first in firsts.values()],
                },
            )
            if behind:
                again = await republish(session, self.service)
                log.warning(
                    "%s: the broker lost events it had taken (a partition restarted below "
                    "where the relay last published); %d retained events will be published "
                    "again",
                    self.service,
                    again,
                )
                self._republished.add(again)
        self._published.add(len(rows))
        for row in rows:
            if REPUBLISHED not in row.headers:
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
        parent = context_from_headers(row.headers)
        case_trace = row.headers.get(CASE_TRACE)
        with self.tracer.start_as_current_span(
            f"{row.topic} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            links=case_links(case_trace, get_current_span(parent).get_span_context()),
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "send",
                "messaging.destination.name": row.topic,
                "messaging.message.id": row.envelope["id"],
                "messaging.kafka.message.key": row.key,
                "cloudevents.event_type": event_type,
                CASE_ID: row.key,
            },
        ):
            headers = {**current_trace_headers(), "ce_type": event_type}
            if case_trace:
                headers[CASE_TRACE] = case_trace
            return await self.broker.publish(
                row.envelope, row.topic, key=row.key.encode(), headers=headers, no_confirm=True
            )

    async def _drain(self) -> bool:
        return await self.publish_pending() == RELAY_BATCH

    async def check_broker(self) -> int:
        """Compare the ends of the partitions the relay published to with its marks; when
        one ends below its mark (or its topic is gone), publish every retained event again.
        Returns how many events were marked for publishing again."""
        async with self.sessions() as session:
            marks = (await session.execute(select(OutboxMark))).scalars().all()
        if not marks:
            return 0
        # Marks are read first: a mark is committed only once the broker has its batch, so
        # without a loss every end read after it is at or past it.
        try:
            ends = await self._partition_ends({mark.topic for mark in marks})
        except (KafkaError, OSError, TimeoutError) as error:
            log.warning("%s cannot read its topics' ends: %r", self.service, error)
            return 0
        behind = [m for m in marks if ends.get((m.topic, m.partition), 0) < m.end_at_least]
        if not behind:
            return 0
        async with self.sessions() as session, session.begin():
            # No batch in flight meanwhile: the relay's own lock, waited for.
            await session.execute(select(func.pg_advisory_xact_lock(relay_lock(self.service))))
            # A batch that landed since saw the loss itself and moved its marks.
            marks = (await session.execute(select(OutboxMark))).scalars().all()
            if not any(ends.get((m.topic, m.partition), 0) < m.end_at_least for m in marks):
                return 0
            again = await republish(session, self.service)
            await session.execute(delete(OutboxMark))
        log.warning(
            "%s: %s end below where the relay last published (the broker lost events); "
            "%d retained events will be published again",
            self.service,
            ", ".join(f"{m.topic}[{m.partition}]" for m in behind),
            again,
        )
        self._republished.add(again)
        return again

    async def _partition_ends(self, topics: set[str]) -> dict[tuple[str, int], int]:
        """Each partition's end offset; a topic the broker does not have is left out."""
        if self._ends_reader is None:
            reader = AIOKafkaConsumer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                client_id=f"aftersales-{self.service}-watch",
                enable_auto_commit=False,
            )
            try:
                await reader.start()
            except BaseException:
                await reader.stop()
                raise
            self._ends_reader = reader
        reader = self._ends_reader
        present = await asyncio.wait_for(reader.topics(), timeout=10)
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics & present
            for partition in reader.partitions_for_topic(topic) or ()
        ]
        if not partitions:
            return {}
        ends = await asyncio.wait_for(reader.end_offsets(partitions), timeout=10)
        return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}

    async def purge_expired(self) -> int:
        """Delete the events published more than OUTBOX_RETENTION_DAYS ago."""
        before = utc_now() - timedelta(days=self.settings.outbox_retention_days)
        purged = await purge_published(self.sessions, before, self.settings.outbox_purge_batch)
        if purged:
            log.info("%s purged %d published events past retention", self.service, purged)
        return purged

    async def run(self) -> None:
        """Publish until stopped: woken by pg_notify, polling as a fallback; meanwhile
        watch the broker for lost events and purge what is past retention."""
        try:
            await asyncio.gather(self.loop.run(), self.watch.run(), self.purge.run())
        finally:
            await self.stop_watching()

    async def stop_watching(self) -> None:
        """Close the client that reads the topics' ends."""
        if self._ends_reader is not None:
            await self._ends_reader.stop()
            self._ends_reader = None

    def stop(self) -> None:
        self.loop.stop()
        self.watch.stop()
        self.purge.stop()


async def emit_again(
    session: AsyncSession, envelope: Envelope, topic: str, trace_headers: dict[str, str]
) -> None:
    """Publish an event once more, as it was (its id kept: every consumer's inbox that
    applied it already drops it), in the session's transaction: an operator's re-drive of a
    dead letter (`shared/recovery.py`). An event this service's outbox holds already is
    made unpublished again rather than written twice. Marked republished, as `republish`
    marks its events: the business metrics counted it on its first publishing."""
    outbox = OutboxMessage.__table__
    row = {
        "event_id": envelope.id,
        "topic": topic,
        "key": envelope.subject,
        "envelope": envelope.model_dump(mode="json"),
        "headers": {**trace_headers, REPUBLISHED: "true"},
        "created_at": utc_now(),
    }
    statement = pg_insert(outbox).values(row)
    statement = statement.on_conflict_do_update(
        index_elements=["event_id"],
        set_={
            "published_at": None,
            "topic": topic,
            "headers": outbox.c.headers.op("||")(cast(literal(REPUBLISHED_MARK), JSONB)),
        },
    )
    await session.execute(statement)
