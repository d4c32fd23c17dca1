"""One telemetry set-up for every service: a tracer and a meter of its own.

Each service gets its own providers (not the global ones), so tests can host all
five services in one process and still tell their spans apart. Trace context
crosses Kafka in W3C `traceparent` headers, so what one event causes is one trace.

One case, one story: a case lives for weeks, and its later interactions (the buyer's reply
days later, a warehouse scan, a technician's grade, an agent's action) are traces of their
own. Each links to the case's first trace: the trace context of the span that opened the
case travels with every event of the case in a `case_trace` header (beside `traceparent`,
on the outbox row and the Kafka record), and every span about a case carries `case.id` and
a span link to that first span context. An operator finds a case's whole life from any of
its traces (docs/operations.md, "Tracing a case").
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry import context as otel_context
from opentelemetry.metrics import Meter, NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import (
    Link,
    Span,
    SpanContext,
    Tracer,
    format_trace_id,
    get_current_span,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.settings import ServiceSettings

_propagator = TraceContextTextMapPropagator()

# The header (outbox row, Kafka record, inbox row) that carries the case's first trace
# context, as a W3C traceparent.
CASE_TRACE = "case_trace"
CASE_ID = "case.id"
_CASE_TRACE_KEY = otel_context.create_key("aftersales.case_trace")


@dataclass
class Telemetry:
    service: str
    tracer_provider: TracerProvider
    meter_provider: MeterProvider | NoOpMeterProvider
    tracer: Tracer
    meter: Meter

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        if isinstance(self.meter_provider, MeterProvider):
            self.meter_provider.shutdown()


def setup_telemetry(
    service: str,
    settings: ServiceSettings,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
) -> Telemetry:
    """OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set; tests pass their own exporter."""
    resource = Resource.create({"service.name": service, "service.namespace": "aftersales"})
    tracer_provider = TracerProvider(resource=resource)
    readers: list[MetricReader] = []
    if span_exporter is not None:
        tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    if metric_reader is not None:
        readers.append(metric_reader)
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/")
        tracer_provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces"))
        )
        readers.append(
            PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{endpoint}/v1/metrics"))
        )
    # Without a reader nobody sees the metrics: a no-op provider spares every request the work.
    meter_provider = (
        MeterProvider(resource=resource, metric_readers=readers) if readers else NoOpMeterProvider()
    )
    return Telemetry(
        service=service,
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        tracer=tracer_provider.get_tracer(f"aftersales.{service}"),
        meter=meter_provider.get_meter(f"aftersales.{service}"),
    )


def current_trace_headers(
    case_id: str | None = None, case_trace: str | None = None
) -> dict[str, str]:
    """The current trace context as W3C headers, to store with an outbox row. With the case
    the row is about, also the case's first trace (`case_trace`): the one given, else the
    one the current context knows for that case, else the current one (this span opens
    the case)."""
    headers: dict[str, str] = {}
    _propagator.inject(headers)
    if case_id is not None:
        first = case_trace or case_trace_in_context(case_id) or headers.get("traceparent")
        if first:
            headers[CASE_TRACE] = first
    return headers


def trace_headers_of(kafka_headers: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """The W3C trace headers, and the case's first trace, among a Kafka record's headers."""
    return {
        key: value.decode("latin-1")
        for key, value in kafka_headers
        if (key in _propagator.fields or key == CASE_TRACE) and value is not None
    }


def first_span_context(traceparent: str | None) -> SpanContext | None:
    """The span context a W3C traceparent names (a case's first), or None if it names none."""
    if not traceparent:
        return None
    context = _propagator.extract({"traceparent": traceparent}, context=otel_context.Context())
    span_context = get_current_span(context).get_span_context()
    return span_context if span_context.is_valid else None


def case_links(traceparent: str | None, own: SpanContext | None = None) -> list[Link]:
    """The span link to a case's first trace, for a span about the case; none when the
    span is in that trace already (`own`) or the first trace is not known."""
    first = first_span_context(traceparent)
    if first is None or (own is not None and own.trace_id == first.trace_id):
        return []
    return [Link(first, {CASE_ID: "first trace of the case"})]


def with_case_trace(context, case_id: str, traceparent: str | None):
    """`context` knowing the case's first trace, for the events emitted in it."""
    if not traceparent:
        return context
    return otel_context.set_value(_CASE_TRACE_KEY, (case_id, traceparent), context)


def case_trace_in_context(case_id: str) -> str | None:
    """The first trace of the case, as the current context knows it."""
    known = otel_context.get_value(_CASE_TRACE_KEY)
    if isinstance(known, tuple) and known[0] == case_id:
        return known[1]
    return None


@contextmanager
def about_case(span: Span, case_id: str, traceparent: str | None) -> Iterator[None]:
    """Mark a span already started (an HTTP request's) as one about the case: `case.id`,
    a link to the case's first trace, and that trace known to what is emitted inside."""
    span.set_attribute(CASE_ID, case_id)
    for link in case_links(traceparent, span.get_span_context()):
        span.add_link(link.context, link.attributes)
    token = otel_context.attach(with_case_trace(otel_context.get_current(), case_id, traceparent))
    try:
        yield
    finally:
        otel_context.detach(token)


def first_trace_id(traceparent: str | None) -> str | None:
    """The trace id (32 hex digits) of a case's first trace."""
    first = first_span_context(traceparent)
    return format_trace_id(first.trace_id) if first is not None else None


def context_from_headers(headers: Mapping[str, str] | Iterable[tuple[str, bytes]]):
    """The trace context carried by a Kafka record's headers or a stored header dict."""
    if not isinstance(headers, Mapping):
        headers = {k: v.decode("latin-1") for k, v in headers if v is not None}
    return _propagator.extract(headers, context=otel_context.Context())


def trace_id_of(kafka_headers: Iterable[tuple[str, bytes]]) -> str:
    """The trace id carried by a Kafka record's headers, as 32 hex digits."""
    span = get_current_span(context_from_headers(kafka_headers))
    return format_trace_id(span.get_span_context().trace_id)
