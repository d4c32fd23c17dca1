"""A parcel the buyer says never arrived, traced with the carrier first: the trace worker
(`workers/parcel_traces.py`) against the real PostgreSQL and a local fake of EasyPost's
Tracker API."""

from datetime import UTC, datetime, timedelta

import httpx
from faststream.kafka import TestKafkaBroker

from services.resolution.tables import CaseDecision
from shared.events import Scenario
from shared.service import Service
from tests.factories import case_opened
from tests.handlers.conftest import outbox_of
from tests.handlers.resolution.conftest import publish, row, types_of


def lost_parcel_case(tracking_number: str):
    from shared.events import Parcel

    parcel = Parcel(carrier="USPS", tracking_number=tracking_number)
    return case_opened(scenario=Scenario.NOT_RECEIVED).model_copy(update={"parcel": parcel})


def tracker(status: str, code: str, **extra) -> dict:
    return {"id": f"trk_{code}", "object": "Tracker", "tracking_code": code, "carrier": "USPS",
            "status": status, "tracking_details": [], **extra}  # fmt: skip


async def trace_all(resolution: Service, base_url: str | None) -> None:
    from services.resolution.adapters.carrier_tracking import CarrierTracking
    from services.resolution.workers.parcel_traces import TraceWorker

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


async def test_a_buyer_whose_tracking_shows_delivered_goes_to_an_agent_with_their_words(
    resolution,
):
    words = "Hallo. Laut Sendungsverfolgung wurde das Paket zugestellt, ich habe aber nichts."
    with_parcel = lost_parcel_case("9400BUYERSAYS1").model_copy(update={"buyer_comment": words})
    without = case_opened(scenario=Scenario.NOT_RECEIVED).model_copy(
        update={"buyer_comment": "Tracking says delivered, but nothing came.", "parcel": None}
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, with_parcel)
        await publish(broker, without)
    for case, parcel in ((with_parcel, "parcel USPS 9400BUYERSAYS1"), (without, "no tracking")):
        events = await outbox_of(resolution, case.case_id)
        assert types_of(events) == ["resolution.held_for_agent"]  # no reship, no trace
        findings = events[0]["data"]["findings"]
        assert findings[0].startswith("the buyer says the tracking shows it delivered")
        assert parcel in findings[1]
        assert (await row(resolution, CaseDecision, case.case_id)).state == "held"
    [held] = await outbox_of(resolution, with_parcel.case_id)
    assert "Laut Sendungsverfolgung wurde das Paket zugestellt" in held["data"]["findings"][0]


async def test_a_buyer_whose_parcel_never_showed_delivered_is_traced_as_before(resolution):
    case = lost_parcel_case("9400NOTDELIV01").model_copy(
        update={"buyer_comment": "The tracking says it was not delivered, stuck for a week."}
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    assert (await row(resolution, CaseDecision, case.case_id)).state == "tracing"


async def test_a_parcel_the_marketplace_says_was_delivered_goes_to_an_agent_not_reshipped(
    resolution,
):
    """Amazon's package status DELIVERED (read by intake with the order's parcel) is evidence:
    no reship and no trace at once, an agent looks first with what Amazon said."""
    from shared.events import Parcel

    said = Parcel(
        carrier="DHL", tracking_number="00340434161094042557", marketplace_status="DELIVERED"
    )
    case = case_opened(scenario=Scenario.NOT_RECEIVED).model_copy(
        update={"parcel": said, "marketplace": "amazon", "buyer_comment": "It never came."}
    )
    shipped = Parcel(
        carrier="DHL", tracking_number="00340434161094042558", marketplace_status="SHIPPED"
    )
    moving = case_opened(scenario=Scenario.NOT_RECEIVED).model_copy(
        update={"parcel": shipped, "marketplace": "amazon", "buyer_comment": "It never came."}
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, moving)
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.held_for_agent"]
    findings = events[0]["data"]["findings"]
    assert findings[0] == "amazon says the order's parcel was delivered (package status DELIVERED)"
    assert "DHL 00340434161094042557" in findings[1]
    decision = await row(resolution, CaseDecision, case.case_id)
    assert decision.state == "held" and "amazon says the parcel was delivered" in decision.rule
    assert (await row(resolution, CaseDecision, moving.case_id)).state == "tracing"


async def test_the_marketplaces_word_is_kept_for_a_case_an_agent_classifies_later(resolution):
    """Intake could not classify it; an agent says "not received" later: Amazon's DELIVERED,
    kept with the case, still sends it to an agent rather than out again."""
    from shared.events import CaseClassified, Parcel

    said = Parcel(
        carrier="DHL", tracking_number="00340434161094042559", marketplace_status="DELIVERED"
    )
    case = case_opened(scenario=None).model_copy(update={"parcel": said})
    classified = CaseClassified(case_id=case.case_id, scenario=Scenario.NOT_RECEIVED, agent="ana")
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        assert (await row(resolution, CaseDecision, case.case_id)).parcel_status == "DELIVERED"
        await publish(broker, classified)
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.held_for_agent"]
    assert events[0]["data"]["findings"][0].startswith(
        "amazon says the order's parcel was delivered"
    )


async def test_a_trace_due_later_is_taken_when_due_with_no_notification_and_no_poll(settings):
    """The worker's poll is an hour: it sleeps until the trace's next look is due."""
    import asyncio

    from sqlalchemy import update

    from services.resolution.app import SPEC as RESOLUTION
    from services.resolution.tables import ParcelTrace
    from services.resolution.workers.parcel_traces import TraceWorker

    service = Service(RESOLUTION, settings.model_copy(update={"resolution_poll_seconds": 3600}))
    case = lost_parcel_case("9400LATER01")
    async with TestKafkaBroker(service.broker) as broker:
        await publish(broker, case)
    async with service.transaction() as session:  # the carrier is asked again in 1.5 s
        later = datetime.now(UTC) + timedelta(seconds=1.5)
        await session.execute(update(ParcelTrace).values(next_attempt_at=later))
    worker = TraceWorker(service, None)
    assert await worker.next_due() == later
    task = asyncio.create_task(worker.run())
    try:
        for _ in range(100):
            if (await row(service, ParcelTrace, case.case_id)).state != "pending":
                break
            await asyncio.sleep(0.05)
    finally:
        worker.stop()
        await task
    trace = await row(service, ParcelTrace, case.case_id)
    await service.engine.dispose()
    assert trace.state != "pending"
    assert trace.checked_at >= later
