"""The admin step that creates every topic: one per owning service plus its dead-letter
topic, keyed by case id, six partitions. Nothing relies on topic auto-creation."""

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.events import dead_letter_topic_of, topic_of
from shared.settings import SERVICE_NAMES, ServiceSettings

log = logging.getLogger(__name__)

PARTITIONS = 6
TOPIC_ALREADY_EXISTS = 36


def all_topics() -> list[str]:
    topics = [topic_of(service) for service in SERVICE_NAMES]
    return topics + [dead_letter_topic_of(topic) for topic in topics]


async def create_topics(settings: ServiceSettings, replication_factor: int = 1) -> list[str]:
    """Create missing topics; returns the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in all_topics() if t not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(t, PARTITIONS, replication_factor) for t in missing]
            )
            for topic, code, message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise RuntimeError(f"cannot create topic {topic}: {code} {message}")
        return missing
    finally:
        await admin.close()
