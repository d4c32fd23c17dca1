"""Dead letters: an event a consumer cannot apply is parked on its topic's dead-letter
topic with the reason, never dropped and never blocking the events behind it; and kept as
a row of the service's `dead_letters` table, so that operators list, re-drive or discard it
(`shared/recovery.py`) without reading Kafka."""

import json
from typing import Any

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import dead_letter_topic_of
from shared.messaging_tables import DeadLetterRecord, utc_now

REASON_CHARS = 2000


async def dead_letter(
    broker: KafkaBroker, record: ConsumerRecord, consumer: str, reason: str
) -> None:
    headers = {key: value.decode("utf-8", "replace") for key, value in record.headers or ()}
    headers.update(
        {
            "x-dead-letter-reason": reason[:REASON_CHARS],
            "x-dead-letter-consumer": consumer,
            "x-original-topic": record.topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
        }
    )
    await broker.publish(
        record.value or b"",
        dead_letter_topic_of(record.topic),
        key=record.key,
        headers=headers,
    )


def storable(text: str) -> str:
    """PostgreSQL's text and jsonb take no NUL character: a poison record may carry one."""
    return text.replace("\x00", "\ufffd")


def envelope_fields(value: bytes | None) -> dict[str, Any]:
    """The event id, type and case of a record's value, as far as it reads as an envelope."""
    try:
        envelope = json.loads(value or b"")
    except ValueError:
        return {}
    if not isinstance(envelope, dict):
        return {}
    fields = {"event_id": "id", "event_type": "type", "case_id": "subject"}
    return {
        name: storable(envelope[key])
        for name, key in fields.items()
        if isinstance(envelope.get(key), str)
    }


async def keep_dead_letter(
    sessions: async_sessionmaker[AsyncSession], record: ConsumerRecord, consumer: str, reason: str
) -> None:
    """The parked record as a waiting row, once: a batch redelivered and parked again
    finds its row there (one per consumer, topic, partition and offset)."""
    row = {
        "consumer": consumer,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        **envelope_fields(record.value),
        "cause": storable(reason[:REASON_CHARS]),
        "payload": storable((record.value or b"").decode("utf-8", "replace")),
        "headers": {
            storable(k): storable(v.decode("utf-8", "replace"))
            for k, v in record.headers or ()
            if v
        },
        "dead_at": utc_now(),
        "state": "waiting",
        "redrives": 0,
    }
    async with sessions() as session, session.begin():
        await session.execute(
            insert(DeadLetterRecord.__table__).values(row).on_conflict_do_nothing()
        )
