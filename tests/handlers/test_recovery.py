"""The operators' recovery tools for dead letters (`shared/recovery.py`), over the real
broker and PostgreSQL: resolution's consumer parks an event it cannot apply on the
dead-letter topic and as a row; platform admins list it with its cause and payload,
re-drive it (the same event, its id kept, back on its original topic through the outbox,
applied this time), re-drive in bulk by type, cause and time, or discard with a reason;
each call is in the audit trail, and nobody else may touch them.

The consumer's records are handed to it directly (no consumer group joins the session's
broker); what it and the outbox relay publish goes to the real broker, read back here."""

import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import func, select

from services.resolution.app import SPEC as RESOLUTION
from services.resolution.tables import CaseDecision
from services.resolution.workflows import offering
from shared import recovery_cli
from shared.events import Envelope, Remedy, Scenario, StockUnavailable
from shared.messaging_tables import DeadLetterRecord, InboxMessage, OutboxMessage
from shared.service import create_app
from shared.telemetry import setup_telemetry
from tests.conftest import eventually
from tests.factories import AGENT, bearer, case_opened, envelope_bytes, token_of
from tests.handlers.conftest import api_of
from tests.integration.conftest import counter_total

TOPIC = "fulfillment.events"
DEAD_TOPIC = "fulfillment.events.dlq"


@pytest.fixture
def metrics() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
async def resolution(settings, metrics) -> AsyncIterator:
    """Resolution's API (not started: no consumer group), its consumer and relay publishing
    to the real broker."""
    telemetry = setup_telemetry("resolution", settings, metric_reader=metrics)
    app = create_app(RESOLUTION, settings, telemetry)
    publisher = KafkaBroker(settings.kafka_bootstrap_servers)
    await publisher.start()
    service = app.state.service
    service.consumer.broker = publisher
    service.relay.broker = publisher
    async with api_of(app, "resolution") as client:
        client.service_app = app
        yield client
    await publisher.stop()


@pytest.fixture
async def topics(settings) -> AsyncIterator[AIOKafkaConsumer]:
    """A reader of the original and the dead-letter topic, from their current ends."""
    reader = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await reader.start()
    partitions = [
        TopicPartition(topic, p)
        for topic in (TOPIC, DEAD_TOPIC)
        for p in reader.partitions_for_topic(topic) or await partitions_of(reader, topic)
    ]
    reader.assign(partitions)
    await reader.seek_to_end(*partitions)
    for partition in partitions:
        await reader.position(partition)
    yield reader
    await reader.stop()


async def partitions_of(reader: AIOKafkaConsumer, topic: str) -> set[int]:
    await reader._client.force_metadata_update()  # noqa: SLF001 — aiokafka's metadata refresh
    return reader.partitions_for_topic(topic) or set()


async def read(reader: AIOKafkaConsumer, topic: str, event_id: str) -> ConsumerRecord:
    async def found() -> ConsumerRecord | None:
        batches = await reader.getmany(timeout_ms=500)
        for records in batches.values():
            SEEN.extend(records)
        for record in SEEN:
            if record.topic == topic and json.loads(record.value).get("id") == event_id:
                return record
        return None

    return await eventually(found, timeout=20)


SEEN: list[ConsumerRecord] = []  # what the reader took off the topics so far


def record(topic: str, offset: int, value: bytes) -> ConsumerRecord:
    return ConsumerRecord(topic, 0, offset, 0, 0, b"k", value, None, len(value), 0, [])


async def parked(client, event_id: str) -> DeadLetterRecord | None:
    async with client.service.sessions() as session:
        return await session.scalar(
            select(DeadLetterRecord).where(DeadLetterRecord.event_id == event_id)
        )


async def orphan_parked(client, offset: int, **changes) -> tuple[StockUnavailable, Envelope]:
    """A stock_unavailable for a case resolution has not heard of: rejected, parked."""
    event = StockUnavailable(
        case_id=f"case-{uuid.uuid4()}",
        remedy=Remedy.PART_SHIPMENT,
        region="NA",
        missing_skus=["X-PART"],
        **changes,
    )
    envelope = Envelope.wrap(event)
    await client.service.consumer.consume_batch(
        _batch([record(TOPIC, offset, envelope_bytes(envelope))])
    )
    return event, envelope


def _batch(records: list[ConsumerRecord]) -> SimpleNamespace:
    return SimpleNamespace(raw_message=records)


def someone(roles: tuple[str, ...], sellers: tuple[str, ...] = ("acme",)) -> dict[str, str]:
    return bearer(token_of(list(roles), sellers=list(sellers), name="Olga Operator"))


async def test_a_dead_letter_is_listed_and_re_driven_to_its_topic_then_applied(
    resolution, topics, metrics
):
    offset = 1_000_000 + uuid.uuid4().int % 1_000_000
    event, envelope = await orphan_parked(resolution, offset)

    # Parked on the dead-letter topic, and kept as a row with its cause and payload.
    dead = await read(topics, DEAD_TOPIC, envelope.id)
    assert dict(dead.headers)["x-dead-letter-consumer"] == b"resolution"
    listed = await resolution.get(
        "/dead-letters", params={"topic": TOPIC, "event_type": envelope.type}, headers=AGENT
    )
    assert listed.status_code == 200, listed.text
    [shown] = [each for each in listed.json() if each["event_id"] == envelope.id]
    assert shown["cause"].startswith("rejected by resolution: no case")
    assert json.loads(shown["payload"])["data"]["case_id"] == event.case_id
    assert (shown["consumer"], shown["offset"], shown["state"]) == ("resolution", offset, "waiting")
    per_topic = await resolution.get("/dead-letters/topics", headers=AGENT)
    assert TOPIC in {each["topic"] for each in per_topic.json()}

    # Parked again when the same record is redelivered: still one row.
    await resolution.service.consumer.consume_batch(
        _batch([record(TOPIC, offset, envelope_bytes(envelope))])
    )
    async with resolution.service.sessions() as session:
        rows = await session.scalar(
            select(func.count()).where(DeadLetterRecord.event_id == envelope.id)
        )
    assert rows == 1

    # The gauge counts it as waiting.
    await resolution.service.waiting.count_once()
    waiting = counter_total(
        metrics, "recovery.dead_letters.waiting", topic=TOPIC, consumer="resolution"
    )
    assert waiting >= 1
    # Resolution's refused refunds are counted as failed calls, for their alert.
    points = [
        point
        for resource in metrics.get_metrics_data().resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == "recovery.failed_calls.waiting"
        for point in metric.data.data_points
    ]
    assert [dict(point.attributes) for point in points] == [{"kind": "refund"}]

    # What was missing is there now: the case, decided on a part shipment.
    case = case_opened(scenario=Scenario.FUNCTIONAL_FAULT, case_id=event.case_id)
    await resolution.service.consumer.consume_batch(
        _batch([record("intake.events", offset, envelope_bytes(Envelope.wrap(case)))])
    )
    async with resolution.service.transaction() as session:
        decision = await session.get(CaseDecision, case.case_id, with_for_update=True)
        guide = await offering.open_offer(session, case.case_id)
        now = datetime.now(UTC)
        await offering.give_up(session, decision, guide, "declined", "did not help", now)
        part = await offering.open_offer(session, case.case_id)
        await offering.accept(session, decision, part, now)

    row = await parked(resolution, envelope.id)
    answer = await resolution.post(f"/dead-letters/{row.id}/redrive", headers=AGENT)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["redrives"]) == ("redriven", 1)
    assert answer.json()["settled_by"].startswith("agent")
    again = await resolution.post(f"/dead-letters/{row.id}/redrive", headers=AGENT)
    assert again.status_code == 409

    # Back on its original topic through the outbox, as it was: same id, same data.
    async with resolution.service.sessions() as session:
        outboxed = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.event_id == envelope.id)
        )
        seen = await session.get(InboxMessage, ("resolution", envelope.id))
    assert outboxed.topic == TOPIC and seen is None
    await resolution.service.relay.publish_pending()
    republished = await read(topics, TOPIC, envelope.id)
    assert Envelope.model_validate_json(republished.value) == envelope

    # Applied this time: the part shipment is impossible, the plan moves on.
    await resolution.service.consumer.consume_batch(_batch([republished]))
    async with resolution.service.sessions() as session:
        decided = await session.get(CaseDecision, case.case_id)
        assert await session.get(InboxMessage, ("resolution", envelope.id)) is not None
    assert decided.remedy == Remedy.RETURN_FULL_REFUND

    # Kept in the audit trail.
    trail = await resolution.get("/audit", params={"case_id": str(row.id)}, headers=AGENT)
    routes = [(e["method"], e["route"], e["status"]) for e in trail.json()]
    assert ("POST", "/dead-letters/{dead_letter_id}/redrive", 200) in routes
    assert ("POST", "/dead-letters/{dead_letter_id}/redrive", 409) in routes


async def test_dead_letters_are_re_driven_in_bulk_by_type_cause_and_time(resolution, topics):
    base = 3_000_000 + uuid.uuid4().int % 1_000_000
    before = datetime.now(UTC) - timedelta(seconds=1)
    parked_here = [await orphan_parked(resolution, base + n) for n in range(3)]
    after = datetime.now(UTC) + timedelta(seconds=1)
    ids = {envelope.id for _, envelope in parked_here}

    # No dead letter of the suite is that old: a window before it has none to re-drive.
    outside = {"event_type": "fulfillment.stock_unavailable", "until": "2001-01-01T00:00:00Z"}
    none = await resolution.post("/dead-letters/redrive", json=outside, headers=AGENT)
    assert none.json() == {"redriven": 0, "refused": []}
    wrong = await resolution.post(
        "/dead-letters/redrive",
        json={"since": after.isoformat(), "until": before.isoformat()},
        headers=AGENT,
    )
    assert wrong.status_code == 422

    chosen = {
        "topic": TOPIC,
        "event_type": "fulfillment.stock_unavailable",
        "cause": "NO CASE",
        "since": before.isoformat(),
        "until": after.isoformat(),
    }
    answer = await resolution.post("/dead-letters/redrive", json=chosen, headers=AGENT)
    assert answer.status_code == 200, answer.text
    assert answer.json()["redriven"] >= 3
    for event_id in ids:
        assert (await parked(resolution, event_id)).state == "redriven"
    await resolution.service.relay.publish_pending()
    for event_id in ids:
        await read(topics, TOPIC, event_id)


async def test_a_dead_letter_is_discarded_with_its_reason_kept(resolution):
    unreadable = 5_000_000 + uuid.uuid4().int % 1_000_000
    await resolution.service.consumer.consume_batch(
        _batch([record(TOPIC, unreadable, b"{not json")])
    )
    async with resolution.service.sessions() as session:
        row = await session.scalar(
            select(DeadLetterRecord).where(
                DeadLetterRecord.topic == TOPIC, DeadLetterRecord.offset == unreadable
            )
        )
    assert row.event_id is None and row.payload == "{not json"
    refused = await resolution.post(f"/dead-letters/{row.id}/redrive", headers=AGENT)
    assert refused.status_code == 409 and "not a CloudEvent" in refused.json()["detail"]

    short = await resolution.post(
        f"/dead-letters/{row.id}/discard", json={"reason": ""}, headers=AGENT
    )
    assert short.status_code == 422
    reason = "a test producer's garbage, never an event"
    answer = await resolution.post(
        f"/dead-letters/{row.id}/discard", json={"reason": reason}, headers=AGENT
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["discard_reason"]) == ("discarded", reason)
    listed = await resolution.get(
        "/dead-letters", params={"state": "discarded", "topic": TOPIC}, headers=AGENT
    )
    assert row.id in {each["id"] for each in listed.json()}
    missing = await resolution.post(
        "/dead-letters/999999999/discard", json={"reason": reason}, headers=AGENT
    )
    assert missing.status_code == 404

    _, envelope = await orphan_parked(resolution, unreadable + 1)
    bulk = await resolution.post(
        "/dead-letters/discard",
        json={
            "cause": "no case",
            "since": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "reason": "cases of a test, never opened",
        },
        headers=AGENT,
    )
    assert bulk.json()["discarded"] >= 1
    assert (await parked(resolution, envelope.id)).discard_reason == "cases of a test, never opened"

    trail = await resolution.get("/audit", params={"case_id": str(row.id)}, headers=AGENT)
    assert ("POST", "/dead-letters/{dead_letter_id}/discard", 200) in [
        (e["method"], e["route"], e["status"]) for e in trail.json()
    ]


async def test_a_record_with_nul_bytes_is_kept_as_a_dead_letter(resolution):
    offset = 6_000_000 + uuid.uuid4().int % 1_000_000
    # PostgreSQL's text refuses NUL: kept with a replacement character, never a retry loop.
    await resolution.service.consumer.consume_batch(
        _batch([record(TOPIC, offset, b"\x00 not an event")])
    )
    async with resolution.service.sessions() as session:
        row = await session.scalar(
            select(DeadLetterRecord).where(
                DeadLetterRecord.topic == TOPIC, DeadLetterRecord.offset == offset
            )
        )
    assert row.payload == "\ufffd not an event" and row.state == "waiting"


@pytest.mark.parametrize("roles", [("agent",), ("seller_admin",), ("operations",), ("service",)])
async def test_only_platform_admins_reach_the_dead_letters(resolution, roles):
    headers = someone(roles)
    assert (await resolution.get("/dead-letters", headers=headers)).status_code == 403
    assert (await resolution.get("/dead-letters/topics", headers=headers)).status_code == 403
    assert (
        await resolution.post("/dead-letters/redrive", json={}, headers=headers)
    ).status_code == 403
    discard = {"reason": "not mine to say"}
    assert (
        await resolution.post("/dead-letters/1/discard", json=discard, headers=headers)
    ).status_code == 403
    assert (await resolution.get("/dead-letters")).status_code == 401


async def command(resolution, *argv: str) -> tuple[int, object]:
    """`make recover ARGS=...` against resolution's API in this process, as a platform admin."""
    out = io.StringIO()
    admin = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=resolution.service_app),
        base_url="http://resolution",
        headers=AGENT,
    )
    async with admin:
        status = await recovery_cli.run(list(argv), lambda service: admin, out=out)
    return status, json.loads(out.getvalue())


async def test_the_command_line_lists_re_drives_and_discards_dead_letters(resolution):
    offset = 7_000_000 + uuid.uuid4().int % 1_000_000
    _, envelope = await orphan_parked(resolution, offset)
    _, other = await orphan_parked(resolution, offset + 1)

    status, listed = await command(
        resolution, "dead-letters", "resolution", "list", "--cause", "no case", "--limit", "1000"
    )
    assert status == 0
    ids = {each["event_id"]: each["id"] for each in listed}
    assert {envelope.id, other.id} <= set(ids)

    status, answer = await command(
        resolution, "dead-letters", "resolution", "redrive", str(ids[envelope.id])
    )
    assert (status, answer["state"]) == (0, "redriven")
    status, answer = await command(
        resolution, "dead-letters", "resolution", "redrive", str(ids[envelope.id])
    )
    assert status == 1 and "redriven already" in answer["detail"]

    with pytest.raises(SystemExit, match="--reason"):
        await command(resolution, "dead-letters", "resolution", "discard", str(ids[other.id]))
    with pytest.raises(SystemExit, match="--all"):
        await command(resolution, "dead-letters", "resolution", "redrive")
    status, answer = await command(
        resolution,
        "dead-letters",
        "resolution",
        "discard",
        str(ids[other.id]),
        "--reason",
        "a case of a test",
    )
    assert (status, answer["discard_reason"]) == (0, "a case of a test")
