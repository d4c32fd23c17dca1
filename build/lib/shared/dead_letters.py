"""Dead letters: an event a consumer cannot apply is parked on its topic's dead-letter
topic with the reason, never dropped and never blocking the events behind it."""

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker

from shared.events import dead_letter_topic_of


async def dead_letter(
    broker: KafkaBroker, record: ConsumerRecord, consumer: str, reason: str
) -> None:
    headers = {key: value.decode("utf-8", "replace") for key, value in record.headers or ()}
    headers.update(
        {
            "x-dead-letter-reason": reason[:2000],
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
