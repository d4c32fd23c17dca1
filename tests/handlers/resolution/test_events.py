"""Resolution's offers, answers, lapses, clocks and refunds, against the real PostgreSQL:
events in through FastStream's test broker, time moved by calling the sweep with a chosen
moment, refunds paid to a local fake marketplace."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from sqlalchemy import select
from werkzeug import Request, Response

from services.resolution import sweeper
from services.resolution.app import SPEC as RESOLUTION
from services.resolution.refunding import RefundWorker
from services.resolution.tables import CaseClock, CaseDecision, Offer, Refund
from shared.events import BuyerAnswer, BuyerReplied, CaseDeadline, Envelope, Scenario
from shared.service import Service
from tests.factories import case_opened, envelope_bytes
from tests.handlers.conftest import outbox_of


@pytest.fixture
async def resolution(settings):
    service = Service(RESOLUTION, settings)
    yield service
    await service.engine.dispose()


def types_of(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


async def publish(broker, payload, topic="intake.events") -> None:
    raw = envelope_bytes(Envelope.wrap(payload))
    await broker.publish(raw, topic, key=payload.case_id.encode())


def reply(case_id: str, answer: BuyerAnswer) -> BuyerReplied:
    return BuyerReplied(
        case_id=case_id, answer=answer, language="en", at=datetime.now(UTC), text="no thanks"
    )


async def row(service: Service, table, key):
    async with service.sessions() as session:
        return await session.get(table, key)


async def test_an_accepted_partial_refund_is_decided_and_owed_once(resolution):
    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    accepted = Envelope.wrap(reply(case.case_id, BuyerAnswer.ACCEPT))
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        for _ in range(2):  # a redelivered answer
            await broker.publish(envelope_bytes(accepted), "intake.events")
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.offered", "resolution.accepted", "resolution.decided"]
    decided = events[-1]["data"]
    assert (decided["remedy"], decided["refund_minor"], decided["policy_version"]) == (
        "partial_refund",
        499,
        0,
    )
    weighed = {a["remedy"]: a for a in decided["alternatives"]}
    assert weighed["refund_without_return"]["excluded_by"].startswith("seller policy v0")
    assert (
        weighed["partial_refund"]["expected_cost_minor"]
        < weighed["return_full_refund"]["cost_minor"]
    )
    async with resolution.sessions() as session:
        refunds = list(await session.scalars(select(Refund).where(Refund.case_id == case.case_id)))
    assert [(r.amount_minor, r.state, r.remedy) for r in refunds] == [
        (499, "pending", "partial_refund")
    ]


async def test_a_declined_offer_moves_to_the_next_remedy(resolution):
    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.DECLINE))
        await publish(broker, reply(case.case_id, BuyerAnswer.ACCEPT))  # nothing open: ignored
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == [
        "resolution.offered",
        "resolution.declined",
        "resolution.offered",  # the notice of the return, owed without asking
        "resolution.decided",
    ]
    assert events[1]["data"]["cause"] == "declined"
    assert events[2]["data"]["needs_answer"] is False
    assert events[3]["data"]["remedy"] == "return_full_refund"
    assert events[3]["data"]["refund_minor"] == 4999


async def test_an_offer_lapses_at_its_expiry_and_not_before(resolution):
    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    offer = await only_offer(resolution, case.case_id)
    assert offer.remedy == "exchange"
    assert offer.expires_at - offer.offered_at == timedelta(hours=48)  # the default policy

    await sweeper.sweep(resolution, offer.expires_at - timedelta(seconds=1))
    assert (await row(resolution, Offer, offer.offer_id)).state == "open"
    await sweeper.sweep(resolution, offer.expires_at)
    assert (await row(resolution, Offer, offer.offer_id)).state == "expired"
    await sweeper.sweep(resolution, offer.expires_at + timedelta(hours=1))  # nothing twice
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events).count("resolution.declined") == 1
    assert events[-1]["type"] == "resolution.decided"
    assert events[-1]["data"]["remedy"] == "return_full_refund"


async def only_offer(service: Service, case_id: str) -> Offer:
    async with service.sessions() as session:
        (offer,) = await session.scalars(select(Offer).where(Offer.case_id == case_id))
    return offer


async def test_clocks_alert_near_breach_then_breach_once_each(resolution):
    opened = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York
    case = case_opened(scenario=None).model_copy(
        update={
            "opened_at": opened,
            "deadlines": [CaseDeadline(name="amazon_reply", due_at=opened + timedelta(hours=24))],
        }
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)  # unclassified: nobody answers the buyer yet
    async with resolution.sessions() as session:
        clocks = {
            c.name: c
            for c in await session.scalars(
                select(CaseClock).where(CaseClock.case_id == case.case_id)
            )
        }
    assert set(clocks) == {"first_reply", "amazon_reply"}
    assert clocks["first_reply"].due_at == opened + timedelta(hours=4)  # business hours

    await sweeper.sweep(resolution, clocks["first_reply"].warn_at)
    await sweeper.sweep(resolution, clocks["first_reply"].warn_at + timedelta(minutes=1))
    await sweeper.sweep(resolution, opened + timedelta(hours=25))
    alerts = [
        (e["data"]["clock"], e["data"]["level"])
        for e in await outbox_of(resolution, case.case_id)
        if e["type"] == "resolution.deadline_alert"
    ]
    assert alerts[0] == ("first_reply", "near_breach")
    # The last sweep is past both due times; the Amazon clock skips its warning.
    assert sorted(alerts[1:]) == [("amazon_reply", "breached"), ("first_reply", "breached")]


async def test_an_offer_failing_the_lint_is_held_for_an_agent(resolution):
    case = case_opened(scenario=Scenario.FUNCTIONAL_FAULT).model_copy(
        update={"seller_account": f"seller-{uuid.uuid4().hex[:6]}"}
    )
    async with resolution.transaction() as session:
        from services.resolution import knowledge_base
        from services.resolution.domain.troubleshooting import Guide

        await knowledge_base.save_guide(
            session,
            case.seller_account,
            Guide(
                guide_id="BT-SPK-200-BLK.quick-fix.en",  # wins over the starter guide
                language="en",
                title="Quick fix",
                steps=(
                    "Charge the speaker for two hours.",
                    "Hold the power button for 10 seconds.",
                    "It comes with a lifetime warranty.",
                ),
                sku="BT-SPK-200-BLK",
            ),
        )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.held_for_agent"]
    assert events[0]["data"]["findings"] == ["banned_promise: lifetime warranty"]
    assert (await row(resolution, CaseDecision, case.case_id)).state == "held"


class FakeRefunds:
    """A marketplace refund API that keeps refunds by idempotency key; the first answer
    for one case is lost (500 after paying), as when a connection drops."""

    def __init__(self) -> None:
        self.paid: dict[str, dict] = {}
        self.lose_first_answer_for: str | None = None

    def __call__(self, request: Request) -> Response:
        key = request.headers["Idempotency-Key"]
        replay = key in self.paid
        body = self.paid.setdefault(key, json.loads(request.data))
        if body["case_id"] == self.lose_first_answer_for:
            self.lose_first_answer_for = None
            return Response("upstream timeout", status=500)
        body = {"refund_id": f"mp-{key[:8]}"}
        return Response(
            json.dumps(body), status=200 if replay else 201, content_type="application/json"
        )


async def owe_partial_refund(resolution: Service) -> str:
    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.ACCEPT))
    return case.case_id


async def pay_all(resolution: Service, base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        worker = RefundWorker(resolution, client)
        for _ in range(3):
            await worker.work_once()
            async with resolution.transaction() as session:  # retry now, not in 1 s
                await session.execute(
                    Refund.__table__.update().values(next_attempt_at=datetime.now(UTC))
                )


async def test_a_refund_is_paid_once_even_when_the_first_answer_is_lost(resolution, httpserver):
    fake = FakeRefunds()
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_handler(fake)
    case_id = await owe_partial_refund(resolution)
    fake.lose_first_answer_for = case_id
    await pay_all(resolution, httpserver.url_for(""))

    async with resolution.sessions() as session:
        (refund,) = await session.scalars(select(Refund).where(Refund.case_id == case_id))
    assert (refund.state, refund.attempts) == ("issued", 2)
    mine = [body for body in fake.paid.values() if body["case_id"] == case_id]
    assert [body["amount"] for body in mine] == [{"minor": 499, "currency": "USD"}]
    issued = [e for e in await outbox_of(resolution, case_id) if e["type"] == "refund.issued"]
    assert len(issued) == 1
    assert issued[0]["data"]["marketplace_refund_id"] == refund.marketplace_refund_id


async def test_a_refused_refund_holds_the_case_for_an_agent(resolution, httpserver):
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_json(
        {"detail": "order already refunded in Seller Central"}, status=422
    )
    case_id = await owe_partial_refund(resolution)
    await pay_all(resolution, httpserver.url_for(""))
    async with resolution.sessions() as session:
        (refund,) = await session.scalars(select(Refund).where(Refund.case_id == case_id))
    assert refund.state == "refused"
    assert "already refunded" in refund.error
    held = [
        e for e in await outbox_of(resolution, case_id) if e["type"] == "resolution.held_for_agent"
    ]
    assert "already refunded" in held[0]["data"]["findings"][0]
    assert (await row(resolution, CaseDecision, case_id)).state == "held"


async def test_a_new_policy_version_is_used_and_recorded(resolution):
    from services.resolution import policies
    from services.resolution.domain.policy import RefundTier, SellerPolicy

    seller = f"seller-{uuid.uuid4().hex[:6]}"
    async with resolution.transaction() as session:
        await policies.save_policy(session, seller, SellerPolicy(), "test")
        tiers = [RefundTier(up_to_price_minor=5000, percent=15), RefundTier(percent=10)]
        await policies.save_policy(
            session, seller, SellerPolicy(partial_refund_tiers=tiers), "test"
        )
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(update={"seller_account": seller})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    decision = await row(resolution, CaseDecision, case.case_id)
    assert decision.policy_version == 2
    assert decision.plan[0]["refund_minor"] == 749  # 15% of $49.99: the tier up to $50


async def test_a_returned_unit_makes_the_full_refund_owed(resolution):
    from shared.events import ReturnReceived

    case = case_opened(scenario=Scenario.QUALITY_DEFECT)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        received = ReturnReceived(
            case_id=case.case_id, rma_id="RMA-1", warehouse="BOS1", received_at=datetime.now(UTC)
        )
        await publish(broker, received, "fulfillment.events")
    decision = await row(resolution, CaseDecision, case.case_id)
    assert decision.remedy == "return_full_refund"
    async with resolution.sessions() as session:
        (refund,) = await session.scalars(select(Refund).where(Refund.case_id == case.case_id))
        clock = await session.get(CaseClock, (case.case_id, "refund"))
    assert (refund.amount_minor, refund.state) == (4999, "pending")
    assert clock is not None and clock.state == "running"
    async with resolution.sessions() as session:  # answered as it opened: no reply clock ran
        assert await session.get(CaseClock, (case.case_id, "first_reply")) is None


async def test_an_answer_in_the_same_batch_as_its_case_is_applied_in_the_batch(resolution):
    """The batch path writes rows at commit; a reply must still find the offer made a few
    records earlier, without falling back to applying the batch one event at a time."""
    from types import SimpleNamespace

    from aiokafka import ConsumerRecord

    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    events = [case, reply(case.case_id, BuyerAnswer.ACCEPT)]
    batch = [
        ConsumerRecord("intake.events", 0, offset, 0, 0, b"k", payload, None, 0, 0, [])
        for offset, payload in enumerate(envelope_bytes(Envelope.wrap(e)) for e in events)
    ]
    consumer = resolution.consumer
    calls: list[bool] = []
    apply_all = consumer._apply_all

    async def spy(session, deliveries, one_by_one):
        calls.append(one_by_one)
        await apply_all(session, deliveries, one_by_one)

    consumer._apply_all = spy
    async with TestKafkaBroker(resolution.broker):
        await consumer.consume_batch(SimpleNamespace(raw_message=batch))
    assert calls == [False]  # applied as one batch
    assert types_of(await outbox_of(resolution, case.case_id)) == [
        "resolution.offered",
        "resolution.accepted",
        "resolution.decided",
    ]


@pytest.mark.parametrize(
    ("variant_price", "difference", "refund"),
    [(5999, 1000, 0), (3999, -1000, 1000), (4999, 0, 0)],
)
async def test_an_exchange_for_another_variant_settles_only_the_price_difference(
    resolution, variant_price, difference, refund
):
    from shared.events import ExchangeChoice

    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)  # one $49.99 unit
    choice = ExchangeChoice(sku="BT-SPK-300-BLU", unit_price_minor=variant_price)
    accepted = reply(case.case_id, BuyerAnswer.ACCEPT).model_copy(update={"exchange_for": choice})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, accepted)
    decided = (await outbox_of(resolution, case.case_id))[-1]["data"]
    assert decided["remedy"] == "exchange"
    assert [(i["sku"], i["unit_price_minor"]) for i in decided["items"]] == [
        ("BT-SPK-300-BLU", variant_price)
    ]
    assert (decided["price_difference_minor"], decided["refund_minor"]) == (difference, refund)
    async with resolution.sessions() as session:
        owed = list(await session.scalars(select(Refund).where(Refund.case_id == case.case_id)))
    assert [r.amount_minor for r in owed] == ([refund] if refund else [])


async def test_an_exchange_beyond_the_policys_price_difference_moves_to_the_next_remedy(
    resolution,
):
    from shared.events import ExchangeChoice

    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    choice = ExchangeChoice(sku="BT-SPK-900-GLD", unit_price_minor=9999)  # $50 dearer
    accepted = reply(case.case_id, BuyerAnswer.ACCEPT).model_copy(update={"exchange_for": choice})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, accepted)
    events = await outbox_of(resolution, case.case_id)
    declined = next(e["data"] for e in events if e["type"] == "resolution.declined")
    assert (declined["remedy"], declined["cause"]) == ("exchange", "impossible")
    assert "exceeds the policy's 2000" in declined["note"]
    assert events[-1]["type"] == "resolution.decided"
    assert events[-1]["data"]["remedy"] == "return_full_refund"


# --- A parcel the buyer says never arrived: traced with the carrier first


def lost_parcel_case(tracking_number: str):
    from shared.events import Parcel

    parcel = Parcel(carrier="USPS", tracking_number=tracking_number)
    return case_opened(scenario=Scenario.NOT_RECEIVED).model_copy(update={"parcel": parcel})


def tracker(status: str, code: str, **extra) -> dict:
    return {"id": f"trk_{code}", "object": "Tracker", "tracking_code": code, "carrier": "USPS",
            "status": status, "tracking_details": [], **extra}  # fmt: skip


async def trace_all(resolution: Service, base_url: str | None) -> None:
    from services.resolution.carrier_tracking import CarrierTracking
    from services.resolution.parcel_tracing import TraceWorker

    async with httpx.AsyncClient(base_url=base_url or "http://unused", timeout=2) as client:
        tracking = CarrierTracking(client, "test-key") if base_url else None
        await TraceWorker(resolution, tracking).work_once()


async def test_a_parcel_the_carrier_returned_is_sent_again(resolution, httpserver):
    case = lost_parcel_case("9400RETURNED01")
    httpserver.expect_request("/v2/trackers", method="POST").respond_with_json(
        tracker("return_to_sender", "9400RETURNED01")
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    assert (await row(resolution, CaseDecision, case.case_id)).state == "tracing"
    assert await outbox_of(resolution, case.case_id) == []  # nothing before the carrier's word

    await trace_all(resolution, httpserver.url_for(""))
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.parcel_traced", "resolution.offered"]
    assert (events[0]["data"]["status"], events[0]["data"]["verdict"]) == (
        "return_to_sender",
        "lost",
    )
    assert events[1]["data"]["remedy"] == "reship"
    decision = await row(resolution, CaseDecision, case.case_id)
    assert decision.state == "offered" and "carrier trace" in decision.rule


async def test_a_parcel_the_carrier_delivered_goes_to_an_agent(resolution, httpserver):
    case = lost_parcel_case("9400DELIVERED1")
    delivered = tracker(
        "delivered",
        "9400DELIVERED1",
        tracking_details=[
            {"status": "delivered", "datetime": "2026-11-20T15:04:00Z", "message": "Delivered"}
        ],
    )
    httpserver.expect_request("/v2/trackers", method="POST").respond_with_json(delivered)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    await trace_all(resolution, httpserver.url_for(""))
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.parcel_traced", "resolution.held_for_agent"]
    assert "2026-11-20" in events[1]["data"]["findings"][0]
    assert (await row(resolution, CaseDecision, case.case_id)).state == "held"


async def test_a_parcel_in_transit_is_looked_at_again_later(resolution, httpserver):
    from services.resolution.tables import ParcelTrace

    case = lost_parcel_case("9400MOVING0001")
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    httpserver.expect_request("/v2/trackers", method="POST").respond_with_json(
        tracker("in_transit", "9400MOVING0001", est_delivery_date=soon)
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    await trace_all(resolution, httpserver.url_for(""))
    trace = await row(resolution, ParcelTrace, case.case_id)
    assert (trace.state, trace.last_status) == ("pending", "in_transit")
    assert trace.next_attempt_at > datetime.now(UTC) + timedelta(days=2)
    assert (await row(resolution, CaseDecision, case.case_id)).state == "tracing"


async def test_without_a_tracking_api_the_plan_goes_on_untraced(resolution):
    case = lost_parcel_case("9400NOAPI00001")
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    await trace_all(resolution, None)
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.parcel_traced", "resolution.offered"]
    assert events[0]["data"]["verdict"] == "untraced"
    assert events[1]["data"]["remedy"] == "reship"


async def test_the_engine_learns_how_a_sellers_buyers_answer(resolution):
    from services.resolution import outcomes

    seller = f"seller-{uuid.uuid4().hex[:6]}"

    def minor_defect():
        return case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
            update={"seller_account": seller}
        )

    async with TestKafkaBroker(resolution.broker) as broker:
        for _ in range(5):  # five buyers in a row turn the partial refund down
            declined = minor_defect()
            await publish(broker, declined)
            await publish(broker, reply(declined.case_id, BuyerAnswer.DECLINE))
        outcomes._cached.clear()  # as if a minute had passed
        case = minor_defect()
        await publish(broker, case)
    decision = await row(resolution, CaseDecision, case.case_id)
    partial = next(a for a in decision.alternatives if a["remedy"] == "partial_refund")
    assert partial["acceptance"] == pytest.approx((0.8 * 20 + 0) / (20 + 5))
