"""A request on a case intake opened, before any event of the case came back to it (the
buyer answers at once, an agent looks): its trace still links to the case's first trace,
found in the `case.opened` intake emitted, and what it emits carries that trace on."""

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import select

from services.intake.domain.case import Channel
from services.intake.tables import DeliveryRecord
from services.intake.workers.deliveries import DeliveryWorker
from shared.messaging_tables import InboxMessage, OutboxMessage
from shared.telemetry import CASE_TRACE, setup_telemetry
from tests.factories import AGENT
from tests.handlers.intake.conftest import running_intake


@pytest.fixture
async def intake(settings):
    spans = InMemorySpanExporter()
    telemetry = setup_telemetry("intake", settings, span_exporter=spans)
    async with running_intake(settings, telemetry) as client:
        client.spans = spans
        yield client


async def emitted(intake, case_id: str) -> dict[str, dict[str, str]]:
    async with intake.service.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.key == case_id).order_by(OutboxMessage.id)
        )
        return {row.envelope["type"]: row.headers for row in rows}


async def test_a_reply_before_any_event_came_back_links_to_the_first_trace(intake, seller):
    opened = await seller.post(intake)
    assert opened.status_code == 202, opened.text
    case_id = opened.json()["case_id"]
    worker = DeliveryWorker(intake.service.context, (Channel.GENERIC,))
    worker.due += (DeliveryRecord.__table__.c.account == seller.account,)
    while await worker.work_once():
        pass
    async with intake.service.sessions() as session:
        applied = await session.scalar(select(InboxMessage).where(InboxMessage.case_id == case_id))
    assert applied is None  # nothing of the case has come back to intake yet
    first = (await emitted(intake, case_id))["case.opened"][CASE_TRACE]

    reply = {"message_id": "reply-at-once", "answer": "accept"}
    answered = await intake.post(f"/cases/{case_id}/replies", json=reply, headers=AGENT)
    assert answered.status_code == 200, answered.text

    request = next(
        s
        for s in intake.spans.get_finished_spans()
        if s.kind == SpanKind.SERVER
        and s.attributes.get("http.route") == "/cases/{case_id}/replies"
    )
    first_trace = int(first.split("-")[1], 16)
    assert request.context.trace_id != first_trace
    assert request.attributes["case.id"] == case_id
    assert {link.context.trace_id for link in request.links} == {first_trace}
    replied = (await emitted(intake, case_id))["case.buyer_replied"]
    assert replied[CASE_TRACE] == first
    assert int(replied["traceparent"].split("-")[1], 16) == request.context.trace_id
