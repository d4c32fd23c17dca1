"""One telemetry set-up for every service: a tracer and a meter of its own.

Each service gets its own providers (not the global ones), so tests can host all
five services in one process and still tell their spans apart. Trace context
crosses Kafka in W3C `traceparent` headers, so one case is one trace.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opentelemetry import context as otel_context
from opentelemetry.metrics import Meter, NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Tracer, format_trace_id, get_current_span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.settings import ServiceSettings

_propagator = TraceContextTextMapPropagator()


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


def current_trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers, to store with an outbox row."""
    headers: dict[str, str] = {}
    _propagator.inject(headers)
    return headers


def trace_headers_of(kafka_headers: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """The W3C trace headers among a Kafka record's headers."""
    return {
        key: value.decode("latin-1")
        for key, value in kafka_headers
        if key in _propagator.fields and value is not None
    }


def context_from_headers(headers: Mapping[str, str] | Iterable[tuple[str, bytes]]):
    """The trace context carried by a Kafka record's headers or a stored header dict."""
    if not isinstance(headers, Mapping):
        headers = {k: v.decode("latin-1") for k, v in headers if v is not None}
    return _propagator.extract(headers, context=otel_context.Context())


def trace_id_of(kafka_headers: Iterable[tuple[str, bytes]]) -> str:
    """The trace id carried by a Kafka record's headers, as 32 hex digits."""
    span = get_current_span(context_from_headers(kafka_headers))
    return format_trace_id(span.get_span_context().trace_id)
