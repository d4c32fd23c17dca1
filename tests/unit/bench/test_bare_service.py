"""The floor of `make bench-pipeline` does its unavoidable work and no less: a webhook signed
as the generic channel signs it is one row and one event; a forged one is refused and leaves
neither. Over the session's real PostgreSQL and broker."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from asgi_lifespan import LifespanManager

from bench.bare_service import DEMO, SCHEMA, TOPIC, create_app
from services.intake.channels.generic.webhook import signed_headers


@pytest.fixture
async def bare(settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bare") as client:
            yield client


def body() -> bytes:
    return json.dumps({"event_id": f"floor-{uuid.uuid4()}"}).encode()


async def stored(settings, delivery_id: str | None = None) -> int:
    """The rows of `delivery_id`, or all the rows."""
    connection = await asyncpg.connect(settings.plain_database_url)
    try:
        return await connection.fetchval(
            f"SELECT count(*) FROM {SCHEMA}.deliveries"
            " WHERE $1::uuid IS NULL OR delivery_id = $1::uuid",
            uuid.UUID(delivery_id) if delivery_id else None,
        )
    finally:
        await connection.close()


async def event_keyed(settings, key: bytes, timeout: float = 20.0) -> bytes | None:
    reader = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await reader.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in reader.partitions_for_topic(TOPIC) or ()]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        async with asyncio.timeout(timeout):
            while True:
                for records in (await reader.getmany(timeout_ms=500)).values():
                    for record in records:
                        if record.key == key:
                            return record.value
    finally:
        await reader.stop()


async def test_a_signed_webhook_is_one_row_and_one_event(bare, settings):
    sent = body()
    headers = signed_headers(DEMO["account"], DEMO["secrets"][0], sent, datetime.now(UTC))
    answer = await bare.post("/webhooks/generic", content=sent, headers=headers)
    assert answer.status_code == 202, answer.text
    delivery = answer.json()["delivery_id"]
    assert await stored(settings, delivery) == 1
    assert await event_keyed(settings, uuid.UUID(delivery).bytes) == sent


async def test_a_forged_signature_or_an_unknown_account_is_refused(bare, settings):
    sent = body()
    now = datetime.now(UTC)
    rows_before = await stored(settings)
    forged = signed_headers(DEMO["account"], "not-the-secret", sent, now)
    answer = await bare.post("/webhooks/generic", content=sent, headers=forged)
    assert answer.status_code == 401 and answer.json()["reason"] == "bad_signature"
    stranger = signed_headers("someone-else", DEMO["secrets"][0], sent, now)
    answer = await bare.post("/webhooks/generic", content=sent, headers=stranger)
    assert answer.status_code == 401 and answer.json()["reason"] == "unknown_account"
    # A body changed after signing is refused too.
    genuine = signed_headers(DEMO["account"], DEMO["secrets"][0], sent, now)
    answer = await bare.post("/webhooks/generic", content=sent + b" ", headers=genuine)
    assert answer.status_code == 401
    assert await stored(settings) == rows_before
