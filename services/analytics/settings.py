"""Analytics' own settings, beside what every service reads (`shared.settings`)."""

from pydantic import Field

from shared.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    faq_gap_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often cases are checked for FAQ gaps (reasons and questions no FAQ "
        "entry answers).",
    )
    tracing_ui_trace_url: str = Field(
        default="http://localhost:16686/trace/{trace_id}",
        pattern=r"\{trace_id\}",
        description="Where the operations console links each event's trace, `{trace_id}` "
        "filled in (Jaeger's UI by default; Tempo in Grafana has its own address form).",
    )
    resolution_api_base_url: str | None = Field(
        default=None,
        description="Where the console's what-if page asks resolution; unset: resolution on "
        "`HOST`.",
    )
