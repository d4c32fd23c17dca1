"""The case's first trace as the telemetry helpers carry it: what an outbox row stores, the
link a later span gets, and none for a span already in the first trace."""

from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import TracerProvider

from shared.telemetry import (
    CASE_TRACE,
    case_links,
    case_trace_in_context,
    current_trace_headers,
    first_trace_id,
    trace_headers_of,
    with_case_trace,
)

TRACER = TracerProvider().get_tracer("tests")


def test_the_span_that_opens_a_case_is_its_first_trace():
    with TRACER.start_as_current_span("POST /webhooks/generic"):
        headers = current_trace_headers("CASE-1")
    assert headers[CASE_TRACE] == headers["traceparent"]
    assert current_trace_headers() == {}  # no span, no case: nothing to carry


def test_a_later_span_carries_the_first_trace_on_and_links_to_it():
    with TRACER.start_as_current_span("opened"):
        first = current_trace_headers("CASE-1")["traceparent"]
    token = otel_context.attach(with_case_trace(otel_context.get_current(), "CASE-1", first))
    try:
        with TRACER.start_as_current_span("a reply days later") as later:
            headers = current_trace_headers("CASE-1")
            other_case = current_trace_headers("CASE-2")
        assert case_trace_in_context("CASE-1") == first
    finally:
        otel_context.detach(token)
    assert headers[CASE_TRACE] == first != headers["traceparent"]
    assert other_case[CASE_TRACE] == other_case["traceparent"]  # known for CASE-1 only
    [link] = case_links(first, later.get_span_context())
    assert f"{link.context.trace_id:032x}" == first_trace_id(first) == first.split("-")[1]
    assert case_links(headers["traceparent"], later.get_span_context()) == []  # its own trace
    assert case_links(None) == case_links("not a traceparent") == []


def test_the_first_trace_is_read_from_a_kafka_record():
    kafka = [("traceparent", b"00-" + b"1" * 32 + b"-" + b"2" * 16 + b"-01"), ("ce_type", b"x")]
    kafka.append((CASE_TRACE, b"00-" + b"3" * 32 + b"-" + b"4" * 16 + b"-01"))
    assert set(trace_headers_of(kafka)) == {"traceparent", CASE_TRACE}
