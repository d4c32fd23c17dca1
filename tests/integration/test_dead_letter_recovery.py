"""A dead letter re-driven through the running stack: an event resolution's consumer
rejects is parked (on the dead-letter topic and as a row); the platform admin re-drives it;
resolution's outbox relay publishes the same event to its original topic, resolution's
consumer group applies it again (and, still unable to, parks it anew, as a new row), while
every other consumer group of the topic drops it as already applied."""

import uuid

from faststream.kafka import KafkaBroker
from sqlalchemy import select

from shared.events import Envelope, Remedy, StockUnavailable
from shared.messaging_tables import DeadLetterRecord
from tests.conftest import eventually
from tests.factories import AGENT, envelope_bytes
from tests.integration.conftest import counter_total

TOPIC = "fulfillment.events"


async def rows_of(stack, event_id: str) -> list[DeadLetterRecord]:
    async with stack.services["resolution"].sessions() as session:
        found = await session.scalars(
            select(DeadLetterRecord)
            .where(DeadLetterRecord.event_id == event_id)
            .order_by(DeadLetterRecord.id)
        )
        return list(found)


async def test_a_re_driven_dead_letter_reaches_its_consumer_again_and_no_other(stack, clients):
    orphan = StockUnavailable(  # resolution never decided this case: it rejects the event
        case_id=f"case-{uuid.uuid4()}", remedy=Remedy.EXCHANGE, region="NA", missing_skus=["X"]
    )
    envelope = Envelope.wrap(orphan)
    duplicates = counter_total(
        stack.metrics["analytics"], "events.duplicates", event_type=envelope.type
    )
    async with KafkaBroker(stack.settings.kafka_bootstrap_servers) as producer:
        await producer.publish(
            envelope_bytes(envelope), TOPIC, key=orphan.case_id.encode(), headers={}
        )

    async def parked() -> list[DeadLetterRecord]:
        return await rows_of(stack, envelope.id)

    [first] = await eventually(parked, timeout=60)
    assert first.consumer == "resolution" and first.cause.startswith("rejected by resolution")

    answer = await clients["resolution"].post(f"/dead-letters/{first.id}/redrive", headers=AGENT)
    assert answer.status_code == 200, answer.text

    async def parked_again() -> list[DeadLetterRecord] | None:
        rows = await rows_of(stack, envelope.id)
        return rows if len(rows) == 2 else None

    first, second = await eventually(parked_again, timeout=60)
    assert (first.state, second.state) == ("redriven", "waiting")
    assert second.offset != first.offset and second.topic == TOPIC  # republished to its topic

    # Analytics had applied it the first time: the second copy is a duplicate to its inbox.
    async def dropped_by_analytics() -> bool:
        now = counter_total(
            stack.metrics["analytics"], "events.duplicates", event_type=envelope.type
        )
        return now == duplicates + 1

    await eventually(dropped_by_analytics, timeout=30)
