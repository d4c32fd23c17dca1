"""Analytics' own settings, beside what every service reads (`shared.settings`)."""

from pydantic import Field

from shared.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    # How often cases are checked for FAQ gaps (reasons no FAQ entry answers).
    faq_gap_sweep_seconds: float = Field(default=60.0, gt=0)
    # Where the operations console links each event's trace: {trace_id} is filled in
    # (Jaeger's UI by default; Tempo in Grafana, say, has its own address form).
    tracing_ui_trace_url: str = Field(
        default="http://localhost:16686/trace/{trace_id}", pattern=r"\{trace_id\}"
    )
    # Where the console's what-if page asks resolution; None: resolution on `host`.
    resolution_api_base_url: str | None = None
