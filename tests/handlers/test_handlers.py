"""Each consumer's handler, driven through FastStream's in-memory test broker
(no Kafka) and the real PostgreSQL: effects, the events they emit, redelivery
and dead letters."""

import re
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from aiokafka import ConsumerRecord
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from sqlalchemy import func, select, text

from services.analytics.app import SPEC as ANALYTICS
from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.app import SPEC as FULFILLMENT
from services.fulfillment.tables import Shipment, StockLevel
from services.fulfillment.workers.dispatch_router import DispatchRouter
from services.fulfillment.workflows.context import Fulfillment
from services.resolution.app import SPEC as RESOLUTION
from services.resolution.tables import CaseDecision
from services.resolution.workflows import offering
from shared.events import Envelope, Remedy, Scenario, StockUnavailable
from shared.messaging_tables import OutboxMessage
from shared.service import Service
from tests.factories import case_opened, envelope_bytes, resolution_decided
from tests.handlers.conftest import outbox_of


@pytest.fixture
async def service_for(settings):
    started: list[Service] = []

    def build(spec) -> Service:
        service = Service(spec, settings)
        started.append(service)
        return service

    yield build
    for service in started:
        await service.engine.dispose()


async def test_case_opened_is_planned_and_offered_once_even_when_delivered_twice(service_for):
    resolution = service_for(RESOLUTION)
    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    raw = envelope_bytes(Envelope.wrap(case))
    async with TestKafkaBroker(resolution.broker) as broker:
        await broker.publish(raw, "intake.events", key=case.case_id.encode())
        await broker.publish(raw, "intake.events", key=case.case_id.encode())

    async with resolution.sessions() as session:
        decision = await session.get(CaseDecision, case.case_id)
    assert (decision.state, decision.step) == ("offered", 1)
    assert [step["remedy"] for step in decision.plan] == ["partial_refund", "return_full_refund"]
    events = await outbox_of(resolution, case.case_id)
    assert [e["type"] for e in events] == ["resolution.offered"]
    assert events[0]["data"]["remedy"] == "partial_refund"
    assert events[0]["data"]["amount_minor"] == 499  # 10% of $49.99, rounded down


def routed_by(fulfillment: Service, httpserver) -> DispatchRouter:
    """Fulfillment's dispatch router, with intake's lookup holding no address (a local fake
    answering 404): routing falls back to the region's farthest zones."""
    httpserver.expect_request(re.compile(r"^/cases/.+/ship-to$")).respond_with_json(
        {"detail": "no ship-to address"}, status=404
    )
    client = httpx.AsyncClient(base_url=httpserver.url_for("").rstrip("/"))
    fulfillment.context = Fulfillment(ShipToLookup(client), WarehouseWebhooks(client))
    return DispatchRouter(fulfillment)


async def test_part_shipment_reserves_stock_once(service_for, httpserver):
    fulfillment = service_for(FULFILLMENT)
    router = routed_by(fulfillment, httpserver)
    sku = f"CAM-{uuid.uuid4().hex[:6]}"
    async with fulfillment.transaction() as session:
        session.add(
            StockLevel(warehouse="BOS1", sku=f"{sku}-PART", bin="P-1", on_hand=5, reserved=0)
        )
    decided = resolution_decided(sku)
    raw = envelope_bytes(Envelope.wrap(decided))
    async with TestKafkaBroker(fulfillment.broker) as broker:
        await broker.publish(raw, "resolution.events", key=decided.case_id.encode())
        await broker.publish(raw, "resolution.events", key=decided.case_id.encode())
    await router.work_once()
    await router.work_once()

    async with fulfillment.sessions() as session:
        level = await session.get(StockLevel, ("BOS1", f"{sku}-PART"))
        shipments = (
            await session.scalars(select(Shipment).where(Shipment.case_id == decided.case_id))
        ).all()
    assert level.reserved == 1
    assert len(shipments) == 1
    assert shipments[0].pick_list == [{"sku": f"{sku}-PART", "quantity": 1, "bin": "P-1"}]
    events = await outbox_of(fulfillment, decided.case_id)
    assert [e["type"] for e in events] == ["fulfillment.dispatch_requested"]


async def test_out_of_stock_everywhere_in_the_region_is_published(service_for, httpserver):
    fulfillment = service_for(FULFILLMENT)
    router = routed_by(fulfillment, httpserver)
    decided = resolution_decided(f"NOPE-{uuid.uuid4().hex[:6]}", remedy=Remedy.EXCHANGE)
    async with TestKafkaBroker(fulfillment.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(decided)), "resolution.events")
    await router.work_once()
    events = await outbox_of(fulfillment, decided.case_id)
    assert [e["type"] for e in events] == ["fulfillment.stock_unavailable"]
    assert events[0]["data"]["missing_skus"] == [decided.items[0].sku]


async def test_out_of_stock_moves_to_the_next_remedy_of_the_plan(service_for):
    resolution = service_for(RESOLUTION)
    case = case_opened(scenario=Scenario.FUNCTIONAL_FAULT)
    unavailable = StockUnavailable(
        case_id=case.case_id, remedy=Remedy.PART_SHIPMENT, region="NA", missing_skus=["X-PART"]
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
        async with resolution.transaction() as session:
            record = await session.get(CaseDecision, case.case_id, with_for_update=True)
            guide = await offering.open_offer(session, case.case_id)
            assert guide.remedy == "troubleshooting"  # the starter guide for the speaker
            now = datetime.now(UTC)
            await offering.give_up(session, record, guide, "declined", "did not help", now)
            part = await offering.open_offer(session, case.case_id)
            await offering.accept(session, record, part, now)  # the buyer takes the part
        await broker.publish(envelope_bytes(Envelope.wrap(unavailable)), "fulfillment.events")
    events = await outbox_of(resolution, case.case_id)
    decided = [e["data"]["remedy"] for e in events if e["type"] == "resolution.decided"]
    assert decided == ["part_shipment", "return_full_refund"]
    declined = [e["data"] for e in events if e["type"] == "resolution.declined"]
    assert [(d["remedy"], d["cause"]) for d in declined] == [
        ("troubleshooting", "declined"),
        ("part_shipment", "impossible"),
    ]


async def test_invalid_events_are_dead_lettered_and_the_next_is_applied(service_for):
    resolution = service_for(RESOLUTION)
    dead: list[tuple[bytes, dict]] = []

    @resolution.broker.subscriber("intake.events.dlq", group_id="test-dlq")
    async def collect(message: KafkaMessage) -> None:
        dead.append((message.raw_message.value, dict(message.headers)))

    good = case_opened()
    bad_payload = Envelope.wrap(case_opened()).model_copy(update={"data": {"case_id": "x"}})
    async with TestKafkaBroker(resolution.broker) as broker:
        await broker.publish(b"{not json", "intake.events", key=b"k")
        await broker.publish(envelope_bytes(bad_payload), "intake.events", key=b"k")
        await broker.publish(envelope_bytes(Envelope.wrap(good)), "intake.events", key=b"k")

    assert [body for body, _ in dead][0] == b"{not json"
    reasons = [headers["x-dead-letter-reason"] for _, headers in dead]
    assert "invalid CloudEvent envelope" in reasons[0]
    assert "invalid case.opened payload" in reasons[1]
    assert all(h["x-dead-letter-consumer"] == "resolution" for _, h in dead)
    async with resolution.sessions() as session:
        assert await session.get(CaseDecision, good.case_id) is not None


async def test_analytics_counts_a_redelivered_event_once(service_for):
    analytics = service_for(ANALYTICS)
    case = case_opened()
    raw = envelope_bytes(Envelope.wrap(case))
    async with TestKafkaBroker(analytics.broker) as broker:
        for _ in range(3):
            await broker.publish(raw, "intake.events", key=case.case_id.encode())
    async with analytics.sessions() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM analytics.events WHERE case_id = :c"), {"c": case.case_id}
        )
        market = await session.scalar(
            text("SELECT market FROM analytics.cases WHERE case_id = :c"), {"c": case.case_id}
        )
    assert (count, market) == (1, "US")


async def test_relay_publishes_the_outbox_and_marks_it_sent(service_for):
    resolution = service_for(RESOLUTION)
    case = case_opened()
    received: list[dict] = []

    @resolution.broker.subscriber("resolution.events", group_id="test-relay")
    async def collect(body: dict) -> None:
        received.append(body)

    async with TestKafkaBroker(resolution.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
        while await resolution.relay.publish_pending():
            pass
    assert case.case_id in [body["subject"] for body in received]
    async with resolution.sessions() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.published_at.is_(None))
        )
    assert pending == 0


async def test_a_failing_event_in_a_batch_is_dead_lettered_and_the_rest_applied(service_for):
    resolution = service_for(RESOLUTION)
    dead: list[dict] = []

    @resolution.broker.subscriber("fulfillment.events.dlq", group_id="test-dlq-batch")
    async def collect(message: KafkaMessage) -> None:
        dead.append(dict(message.headers))

    good = case_opened()
    orphan = StockUnavailable(  # no decision exists for this case: resolution rejects it
        case_id=f"case-{uuid.uuid4()}", remedy=Remedy.EXCHANGE, region="NA", missing_skus=["X"]
    )
    batch = [
        ConsumerRecord(
            "intake.events", 0, 1, 0, 0, b"k", envelope_bytes(Envelope.wrap(good)), None, 0, 0, []
        ),
        ConsumerRecord(
            "fulfillment.events",
            0,
            7,
            0,
            0,
            b"k",
            envelope_bytes(Envelope.wrap(orphan)),
            None,
            0,
            0,
            [],
        ),
    ]
    async with TestKafkaBroker(resolution.broker):
        await resolution.consumer.consume_batch(SimpleNamespace(raw_message=batch))

    async with resolution.sessions() as session:
        assert await session.get(CaseDecision, good.case_id) is not None
    assert len(dead) == 1
    assert dead[0]["x-dead-letter-reason"].startswith("rejected by resolution: no case")
    assert dead[0]["x-original-offset"] == "7"
