"""Retried webhooks, redelivered events and bad input: nothing doubled, nothing lost."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.events import Envelope, Remedy
from tests.conftest import eventually
from tests.contracts.test_observability import OTEL_METRICS
from tests.factories import (
    case_opened,
    envelope_bytes,
    owed_at_once_webhook,
    post_case,
    resolution_decided,
    signed,
    webhook,
)
from tests.integration.conftest import count_stock, counter_total, scalar


@pytest.fixture(scope="module")
async def producer(settings):
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    yield producer
    await producer.stop()


async def test_the_same_webhook_three_times_opens_one_case(clients, database):
    body = webhook(reason_code="DAMAGED_PACKAGING")
    responses = [await post_case(clients["intake"], body) for _ in range(3)]
    assert [r.status_code for r in responses] == [202, 200, 200]
    case_ids = {r.json()["case_id"] for r in responses}
    assert len(case_ids) == 1
    assert [r.json()["duplicate"] for r in responses] == [False, True, True]
    (case_id,) = case_ids

    async def decided():
        return await scalar(
            database, "SELECT count(*) FROM resolution.decisions WHERE case_id = :c", c=case_id
        )

    assert await eventually(decided, timeout=60) == 1
    opened = await scalar(
        database,
        "SELECT count(*) FROM intake.outbox WHERE key = :c AND envelope->>'type' = 'case.opened'",
        c=case_id,
    )
    assert opened == 1


async def test_a_redelivered_event_reserves_once_and_counts_once(clients, producer, database):
    sku = f"RDL-{uuid.uuid4().hex[:6]}"
    await count_stock(clients["fulfillment"], f"{sku}-PART", on_hand=3)
    decided = resolution_decided(sku, remedy=Remedy.PART_SHIPMENT)
    raw = envelope_bytes(Envelope.wrap(decided))
    for _ in range(2):
        await producer.send_and_wait("resolution.events", raw, key=decided.case_id.encode())

    async def analytics_saw_it():
        return await scalar(
            database, "SELECT count(*) FROM analytics.events WHERE case_id = :c", c=decided.case_id
        )

    async def dispatched():
        return await scalar(
            database,
            "SELECT count(*) FROM analytics.events WHERE case_id = :c AND type = :t",
            c=decided.case_id,
            t="fulfillment.dispatch_requested",
        )

    await eventually(dispatched, timeout=60)
    assert await analytics_saw_it() == 2  # resolution.decided once + dispatch_requested once
    reserved = await scalar(
        database, "SELECT reserved FROM fulfillment.stock WHERE sku = :s", s=f"{sku}-PART"
    )
    shipments = await scalar(
        database, "SELECT count(*) FROM fulfillment.shipments WHERE case_id = :c", c=decided.case_id
    )
    assert (reserved, shipments) == (1, 1)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b'{"event_id": "x", "market": ', 400, "malformed_json"),
        (json.dumps({"event_id": "x"}).encode(), 422, "invalid_payload"),
        (json.dumps(webhook(market="ZZ")).encode(), 422, "invalid_payload"),
        (
            json.dumps(webhook(items=[{**webhook()["items"][0], "currency": "JPY"}])).encode(),
            422,
            "invalid_payload",
        ),
        (json.dumps(webhook(buyer_comment="x" * 1_100_000)).encode(), 413, "body_too_large"),
    ],
    ids=["malformed-json", "missing-fields", "unknown-market", "unknown-currency", "oversized"],
)
async def test_bad_webhooks_get_a_clear_4xx_and_create_nothing(
    clients, database, body, status, error
):
    before = await scalar(database, "SELECT count(*) FROM intake.deliveries")
    response = await post_case(clients["intake"], body)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["detail"]
    assert await scalar(database, "SELECT count(*) FROM intake.deliveries") == before


@pytest.mark.parametrize(
    ("sign", "status", "error"),
    [
        ({"secret": "not-the-secret"}, 401, "bad_signature"),
        ({"when": datetime.now(UTC) - timedelta(minutes=10)}, 401, "stale_request"),
    ],
    ids=["forged", "stale"],
)
async def test_forged_or_stale_webhooks_are_refused_and_store_nothing(
    clients, database, sign, status, error
):
    before = await scalar(database, "SELECT count(*) FROM intake.deliveries")
    response = await post_case(clients["intake"], webhook(), **sign)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert await scalar(database, "SELECT count(*) FROM intake.deliveries") == before


async def test_an_unknown_seller_account_is_refused_as_a_forged_delivery_is(clients):
    """No answer tells which accounts exist: same status, same body as a bad signature."""
    body, headers = signed(webhook())
    headers["X-Seller-Account"] = "nobody-we-know"
    response = await clients["intake"].post("/webhooks/generic", content=body, headers=headers)
    forged = await post_case(clients["intake"], webhook(), secret="not-the-secret")
    assert response.status_code == forged.status_code == 401
    assert (
        response.json()
        == forged.json()
        == {
            "error": "bad_signature",
            "detail": "the generic signature does not match",
        }
    )


async def test_a_poison_event_is_dead_lettered_and_its_partition_moves_on(
    settings, producer, database
):
    good = case_opened(reason_code="DEFECTIVE")
    key = good.case_id.encode()  # same key, same partition: the poison is right before it
    await producer.send_and_wait("intake.events", b"\x00 not an event", key=key)
    await producer.send_and_wait("intake.events", envelope_bytes(Envelope.wrap(good)), key=key)

    async def planned():
        return await scalar(
            database, "SELECT state FROM resolution.decisions WHERE case_id = :c", c=good.case_id
        )

    assert await eventually(planned, timeout=60)  # the event after the poison was handled

    consumer = AIOKafkaConsumer(
        "intake.events.dlq",
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"test-dlq-{uuid.uuid4()}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:

        async def poison_parked():
            batches = await consumer.getmany(timeout_ms=1000)
            return [
                dict((k, v.decode()) for k, v in record.headers)
                for records in batches.values()
                for record in records
                if record.key == key and record.value == b"\x00 not an event"
            ]

        parked = await eventually(poison_parked, timeout=30)
    finally:
        await consumer.stop()
    consumers = {headers["x-dead-letter-consumer"] for headers in parked}
    assert {"resolution", "analytics"} <= consumers
    assert all("invalid CloudEvent envelope" in h["x-dead-letter-reason"] for h in parked)


async def test_webhook_outcomes_are_counted(stack, clients):
    reader = stack.metrics["intake"]
    opened = counter_total(reader, "cases.opened", market="US")
    malformed = counter_total(reader, "intake.rejections", reason="malformed_json")
    await post_case(clients["intake"], webhook())
    await post_case(clients["intake"], b"{")
    assert counter_total(reader, "intake.rejections", reason="malformed_json") == malformed + 1

    async def counted():
        return counter_total(reader, "cases.opened", market="US") == opened + 1

    await eventually(counted)


async def test_the_same_webhook_sent_concurrently_is_accepted_once(clients, database):
    """Concurrent copies land in one group-committed insert: one is new, the rest are not."""
    body = webhook()
    answers = await asyncio.gather(*(post_case(clients["intake"], body) for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [202]
    assert len({a.json()["case_id"] for a in answers}) == 1
    stored = await scalar(
        database,
        "SELECT count(*) FROM intake.deliveries WHERE delivery_id = :d",
        d=f"{body['marketplace']}:{body['event_id']}",
    )
    assert stored == 1


def points_of(reader, name: str) -> list:
    """Every data point of a metric, whatever its kind."""
    return [
        point
        for resource in reader.get_metrics_data().resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
    ]


async def test_pipeline_health_is_measured(stack, clients):
    """Decisions by remedy, consumer lag, batch times and the outbox backlog reach the
    metrics every service exports."""
    decided = counter_total(stack.metrics["resolution"], "resolution.decisions")
    await post_case(clients["intake"], owed_at_once_webhook())

    async def decision_counted():
        return counter_total(stack.metrics["resolution"], "resolution.decisions") > decided

    await eventually(decision_counted)
    decisions = points_of(stack.metrics["resolution"], "resolution.decisions")
    assert all({"remedy", "scenario"} <= set(p.attributes) for p in decisions)
    lag = points_of(stack.metrics["analytics"], "consumer.lag")
    assert {p.attributes["topic"] for p in lag} >= {"intake.events", "resolution.events"}
    assert all(p.value >= 0 for p in lag)
    batches = points_of(stack.metrics["resolution"], "events.batch_duration")
    assert sum(p.count for p in batches) >= 1 and all(p.sum > 0 for p in batches)
    assert [p.value for p in points_of(stack.metrics["intake"], "outbox.backlog")] == [0]


async def test_every_metric_the_services_emit_is_one_the_dashboards_know(stack, clients):
    """The dashboards' metrics contract (tests/unit/test_observability.py) covers every
    metric and attribute the running services exported: a new or renamed one fails here
    until the contract and the dashboards know it."""
    applied = counter_total(stack.metrics["analytics"], "events.applied")
    await post_case(clients["intake"], webhook())

    async def analytics_applied():
        return counter_total(stack.metrics["analytics"], "events.applied") > applied

    await eventually(analytics_applied)
    emitted = {
        (metric.name, metric.unit or "", key)
        for reader in stack.metrics.values()
        for resource in reader.get_metrics_data().resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        for point in metric.data.data_points
        for key in [*point.attributes, None]
    }
    assert {"cases.opened", "events.applied", "consumer.lag"} <= {name for name, _, _ in emitted}
    for name, unit, key in emitted:
        if name.startswith("http.") and name != "http.server.duration":
            continue  # the HTTP instrumentation's others: no dashboard reads them
        assert name in OTEL_METRICS, f"{name} is missing from the dashboards' contract"
        _, declared_unit, attributes = OTEL_METRICS[name]
        assert unit == declared_unit, f"{name} is in {unit!r}, the contract says {declared_unit!r}"
        if key is not None and name != "http.server.duration":  # the instrumentation's own
            assert key in attributes, f"{name} carries {key}, unknown to the contract"
