"""Analytics: read models and reports over every event."""

from fastapi import FastAPI

from services.analytics.handlers import events, reports, sales
from shared.events import topic_of
from shared.service import ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import SERVICE_NAMES, Settings
from shared.telemetry import Telemetry

SPEC = ServiceSpec(
    name="analytics",
    routers=(reports.router, sales.router),
    consumes=tuple(topic_of(s) for s in SERVICE_NAMES if s != "analytics"),
    projection=events.project_events,
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
