"""One case, one story in traces: an agent's action on a case days later and the buyer's
later reply are traces of their own, each carrying `case.id` and a span link to the case's
first trace; the events they cause carry that first trace on (`case_trace`)."""

from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import TestKafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import select

from services.resolution.app import SPEC as RESOLUTION
from shared.events import BuyerAnswer, Envelope, Remedy, Scenario
from shared.messaging_tables import OutboxMessage
from shared.service import create_app
from shared.telemetry import CASE_TRACE, current_trace_headers, setup_telemetry
from tests.factories import AGENT, case_opened, envelope_bytes
from tests.handlers.conftest import api_of
from tests.handlers.resolution.conftest import reply

# Intake's side, played here: the webhook's span opens the case, the reply's its own.
OUTSIDE = TracerProvider().get_tracer("intake")


@pytest.fixture
async def traced(settings):
    spans = InMemorySpanExporter()
    telemetry = setup_telemetry("resolution", settings, span_exporter=spans)
    async with api_of(create_app(RESOLUTION, settings, telemetry), "resolution") as client:
        client.spans = spans
        yield client


def headers_in_span(name: str, case_id: str, first: str | None = None) -> dict[str, str]:
    """The Kafka headers intake's relay sends for an event emitted inside a span of its own."""
    with OUTSIDE.start_as_current_span(name):
        return current_trace_headers(case_id, first)


def trace_of(traceparent: str) -> int:
    return int(traceparent.split("-")[1], 16)


def links_to(span) -> set[int]:
    return {link.context.trace_id for link in span.links}


async def outbox_headers(service, case_id: str) -> dict[str, dict]:
    async with service.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.key == case_id).order_by(OutboxMessage.id)
        )
        return {row.envelope["type"]: row.headers for row in rows}


async def test_later_actions_and_replies_link_to_the_case_s_first_trace(traced):
    case = case_opened(scenario=Scenario.CHANGED_MIND).model_copy(
        update={"delivered_at": datetime.now(UTC) - timedelta(days=150)}  # held: nothing owed
    )
    opened_headers = headers_in_span("POST /webhooks/generic", case.case_id)
    first = opened_headers[CASE_TRACE]
    first_trace = trace_of(first)
    async with TestKafkaBroker(traced.service.broker) as broker:
        await broker.publish(
            envelope_bytes(Envelope.wrap(case)), "intake.events", headers=opened_headers
        )

    # An agent acts on the case days later: a request, and a trace, of its own.
    offered = await traced.post(
        f"/cases/{case.case_id}/offers", json={"remedy": Remedy.PARTIAL_REFUND}, headers=AGENT
    )
    assert offered.status_code == 202, offered.text
    request = next(
        s
        for s in traced.spans.get_finished_spans()
        if s.kind == SpanKind.SERVER and s.attributes.get("http.route") == "/cases/{case_id}/offers"
    )
    assert request.context.trace_id != first_trace
    assert request.attributes["case.id"] == case.case_id
    assert links_to(request) == {first_trace}
    # What the action emits carries the case's first trace, beside the request's own.
    emitted = (await outbox_headers(traced.service, case.case_id))["resolution.offered"]
    assert emitted[CASE_TRACE] == first
    assert trace_of(emitted["traceparent"]) == request.context.trace_id

    # The buyer answers, later still: intake's reply is a trace of its own too.
    reply_headers = headers_in_span("POST /cases/{case_id}/replies", case.case_id, first)
    answered = Envelope.wrap(reply(case.case_id, BuyerAnswer.ACCEPT))
    async with TestKafkaBroker(traced.service.broker) as broker:
        await broker.publish(envelope_bytes(answered), "intake.events", headers=reply_headers)
    consumed = {
        s.attributes["cloudevents.event_type"]: s
        for s in traced.spans.get_finished_spans()
        if s.kind == SpanKind.CONSUMER
    }
    opening, answer = consumed["case.opened"], consumed["case.buyer_replied"]
    assert opening.context.trace_id == first_trace and not opening.links  # the first trace
    assert answer.context.trace_id == trace_of(reply_headers["traceparent"])
    assert answer.attributes["case.id"] == opening.attributes["case.id"] == case.case_id
    assert links_to(answer) == {first_trace}
    emitted = await outbox_headers(traced.service, case.case_id)
    assert emitted["resolution.decided"][CASE_TRACE] == first
    assert trace_of(emitted["resolution.decided"]["traceparent"]) == answer.context.trace_id


async def test_a_request_on_a_case_unknown_here_has_its_id_and_no_link(traced):
    missing = await traced.get("/decisions/no-such-case", headers=AGENT)
    assert missing.status_code == 404
    request = next(s for s in traced.spans.get_finished_spans() if s.kind == SpanKind.SERVER)
    assert request.attributes["case.id"] == "no-such-case"
    assert not request.links
