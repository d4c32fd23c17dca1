"""Consuming events: at least once from Kafka, exactly once in effect.

A batch of records is applied in one database transaction:
1. decode each CloudEvent; an invalid one is dead-lettered at once, and one this
   service has no handler for is skipped;
2. record the batch's event ids in the inbox in one statement; the ids that were
   already there are redeliveries and are skipped;
3. read what the batch's handlers need, once for the batch (`batch_reads`, a service's
   own: resolution reads the batch's cases in one statement), and run each new event's
   handler; the rows they insert with plain statements (the events they emit, among
   them) are written at the batch's end, one statement per table (`shared/batch_writes.py`).
If a handler fails, the batch is rolled back and applied again one event at a
time, each in a savepoint with a few retries, so one bad event is dead-lettered
(to the topic's dead-letter topic, and as a row of `dead_letters` for the operators'
recovery tools, `shared/recovery.py`) while the rest are applied. If the database or
broker itself fails, the whole batch is redelivered after a pause.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass

from aiokafka import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.batch_writes import collecting
from shared.database_errors import database_unreachable
from shared.dead_letters import dead_letter, keep_dead_letter
from shared.events import Envelope, EventPayload, UnknownEventType
from shared.inbox import first_deliveries
from shared.settings import ServiceSettings
from shared.telemetry import (
    CASE_ID,
    CASE_TRACE,
    Telemetry,
    case_links,
    context_from_headers,
    trace_headers_of,
    trace_id_of,
    with_case_trace,
)

log = logging.getLogger(__name__)

EventHandler = Callable[[AsyncSession, EventPayload, Envelope], Awaitable[None]]
RETRY_PAUSE_SECONDS = 0.2
BATCH_RETRY_PAUSE_SECONDS = 1.0


class RejectedEvent(Exception):
    """A well-formed event that this service can never apply; it is dead-lettered."""


@dataclass(frozen=True)
class Delivery:
    """A record this service applies, decoded."""

    record: ConsumerRecord
    envelope: Envelope
    payload: EventPayload

    @property
    def trace_id(self) -> str:
        return trace_id_of(self.record.headers or ())

    @property
    def case_trace(self) -> str | None:
        """The case's first trace (a W3C traceparent), as the record carries it."""
        return trace_headers_of(self.record.headers or ()).get(CASE_TRACE)


# A projection applies a whole batch of events at once (read models); handlers take one.
Projection = Callable[[AsyncSession, list[Delivery]], Awaitable[None]]
# What a batch's handlers read, read once for the batch before they run (in its transaction).
BatchReads = Callable[[AsyncSession, list[Delivery]], Awaitable[None]]


class EventConsumer:
    def __init__(
        self,
        service: str,
        handlers: dict[str, EventHandler],
        sessions: async_sessionmaker[AsyncSession],
        broker: KafkaBroker,
        telemetry: Telemetry,
        settings: ServiceSettings,
        projection: Projection | None = None,
        batch_reads: BatchReads | None = None,
    ) -> None:
        self.service = service
        self.handlers = handlers
        self.projection = projection
        self.batch_reads = batch_reads
        self.sessions = sessions
        self.broker = broker
        self.tracer = telemetry.tracer
        self.max_attempts = settings.consumer_max_attempts
        # A drill's slow consumer (CONSUMER_HANDLER_DELAY_MS); none otherwise.
        self.handler_delay = settings.consumer_handler_delay_ms / 1000
        self.settings = settings
        meter = telemetry.meter
        self._applied = meter.create_counter("events.applied", description="events applied")
        self._duplicates = meter.create_counter(
            "events.duplicates", description="redelivered events skipped by the inbox"
        )
        self._dead = meter.create_counter(
            "events.dead_lettered", description="events sent to a dead-letter topic"
        )
        self._batch_duration = meter.create_histogram(
            "events.batch_duration", unit="s", description="time to apply one batch of events"
        )
        # Records behind each partition's end, as of the last batch taken from it.
        self._lag: dict[tuple[str, int], int] = {}
        meter.create_observable_gauge(
            "consumer.lag",
            callbacks=[self._observe_lag],
            description="records not yet applied, per topic and partition",
        )

    def subscribe(self, topics: tuple[str, ...]) -> None:
        self.broker.subscriber(
            *topics,
            group_id=self.service,
            batch=True,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            **self.settings.kafka_consumer_options(),
        )(self.consume_batch)

    async def consume_batch(self, msg: KafkaMessage) -> None:
        consumer = getattr(msg, "consumer", None)
        # Lag counts this batch until it is applied: a batch failing again and again shows.
        self._note_lag(consumer, msg.raw_message, applied=False)
        started = time.perf_counter()
        await self._apply_batch(msg.raw_message)
        self._batch_duration.record(time.perf_counter() - started)
        self._note_lag(consumer, msg.raw_message, applied=True)

    def _note_lag(self, consumer: object, records: list[ConsumerRecord], applied: bool) -> None:
        highwater = getattr(consumer, "highwater", None)  # FastStream's test broker has none
        if highwater is None:
            return
        # Records are in offset order per partition: the first left to apply is the
        # partition's first of the batch, or the one after its last once applied.
        ordered = records if applied else reversed(records)
        for record in ordered:
            end = highwater(TopicPartition(record.topic, record.partition))
            if end is not None:
                next_offset = record.offset + 1 if applied else record.offset
                self._lag[record.topic, record.partition] = max(end - next_offset, 0)

    def _observe_lag(self, _: CallbackOptions) -> Iterable[Observation]:
        for (topic, partition), lag in list(self._lag.items()):
            yield Observation(lag, {"topic": topic, "partition": partition})

    async def _apply_batch(self, records: Iterable[ConsumerRecord]) -> None:
        deliveries = [d for r in records if (d := await self._decode(r)) is not None]
        if not deliveries:
            return
        try:
            try:
                async with self.sessions() as session, session.begin():
                    await self._apply_all(session, deliveries, one_by_one=False)
            except Exception as error:
                if database_unreachable(error):
                    raise
                async with self.sessions() as session, session.begin():
                    await self._apply_all(session, deliveries, one_by_one=True)
        except Exception:
            log.exception(
                "%s could not apply a batch of %d; it will be redelivered",
                self.service,
                len(deliveries),
            )
            await asyncio.sleep(BATCH_RETRY_PAUSE_SECONDS)
            raise

    async def _decode(self, record: ConsumerRecord) -> Delivery | None:
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
        except ValidationError as error:
            await self._dead_letter(record, f"invalid CloudEvent envelope: {error}")
            return None
        if envelope.type not in self.handlers and self.projection is None:
            return None
        try:
            payload = envelope.payload()
        except (ValidationError, UnknownEventType, ValueError) as error:
            await self._dead_letter(record, f"invalid {envelope.type} payload: {error}")
            return None
        return Delivery(record, envelope, payload)

    async def _apply_all(
        self, session: AsyncSession, deliveries: list[Delivery], one_by_one: bool
    ) -> None:
        fresh = await first_deliveries(
            session, self.service, [(d.envelope, d.record.headers or ()) for d in deliveries]
        )
        new: list[Delivery] = []
        for delivery in deliveries:
            if delivery.envelope.id in fresh:
                fresh.discard(delivery.envelope.id)  # a copy later in the batch is a duplicate
                new.append(delivery)
            else:
                self._duplicates.add(1, {"event_type": delivery.envelope.type})
        if not one_by_one:
            # Rows the handlers add are written together at commit, not one event at a
            # time before each query; a handler never reads rows of another event's case.
            with session.no_autoflush:
                async with collecting(session):
                    if self.batch_reads is not None and new:
                        await self.batch_reads(session, new)
                    await self._apply(session, new)
            return
        for delivery in new:
            if reason := await self._apply_alone(session, delivery):
                await self._dead_letter(delivery.record, reason)

    async def _apply(self, session: AsyncSession, deliveries: list[Delivery]) -> None:
        if self.handler_delay:
            await asyncio.sleep(self.handler_delay * len(deliveries))
        for delivery in deliveries:
            handler = self.handlers.get(delivery.envelope.type)
            if handler is not None:
                with (
                    trace.use_span(self._start_span(delivery), end_on_exit=True),
                    self._in_case_story(delivery),
                ):
                    await handler(session, delivery.payload, delivery.envelope)
        if self.projection is not None and deliveries:
            spans = [self._start_span(delivery) for delivery in deliveries]
            try:
                await self.projection(session, deliveries)
            finally:
                for span in spans:
                    span.end()
        for delivery in deliveries:
            self._applied.add(1, {"event_type": delivery.envelope.type})

    @contextlib.contextmanager
    def _in_case_story(self, delivery: Delivery) -> Iterator[None]:
        """The events a handler emits carry the case's first trace on."""
        current = otel_context.get_current()
        token = otel_context.attach(
            with_case_trace(current, delivery.envelope.subject, delivery.case_trace)
        )
        try:
            yield
        finally:
            otel_context.detach(token)

    def _start_span(self, delivery: Delivery) -> trace.Span:
        record, envelope = delivery.record, delivery.envelope
        parent = context_from_headers(record.headers or ())
        own = trace.get_current_span(parent).get_span_context()
        return self.tracer.start_span(
            f"{record.topic} process {envelope.type}",
            context=parent,
            kind=SpanKind.CONSUMER,
            # A later event of the case (a reply days later) links to the case's first trace.
            links=case_links(delivery.case_trace, own),
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": record.topic,
                "messaging.consumer.group.name": self.service,
                "messaging.message.id": envelope.id,
                "messaging.kafka.offset": record.offset,
                "cloudevents.event_type": envelope.type,
                CASE_ID: envelope.subject,
            },
        )

    async def _apply_alone(self, session: AsyncSession, delivery: Delivery) -> str | None:
        """Apply one event in a savepoint, retrying; returns why to dead-letter it, or None."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with session.begin_nested():
                    await self._apply(session, [delivery])
                return None
            except RejectedEvent as error:
                return f"rejected by {self.service}: {error}"
            except Exception as error:
                if database_unreachable(error):
                    raise
                log.warning(
                    "%s failed on %s (attempt %d): %r",
                    self.service,
                    delivery.envelope.id,
                    attempt,
                    error,
                )
                if attempt == self.max_attempts:
                    return f"failed {attempt} times in {self.service}: {error!r}"
                await asyncio.sleep(RETRY_PAUSE_SECONDS * attempt)
        return None

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        log.warning(
            "%s dead-letters %s[%d]@%d: %s",
            self.service,
            record.topic,
            record.partition,
            record.offset,
            reason,
        )
        await dead_letter(self.broker, record, self.service, reason)
        await keep_dead_letter(self.sessions, record, self.service, reason)
        self._dead.add(1, {"topic": record.topic})
