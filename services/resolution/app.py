"""Resolution: chooses the remedy for every case."""

from fastapi import FastAPI

from services.resolution import handlers
from shared.events import CaseClassified, CaseOpened, StockUnavailable, topic_of
from shared.service import ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import Settings
from shared.telemetry import Telemetry

SPEC = ServiceSpec(
    name="resolution",
    routers=(handlers.router,),
    consumes=(topic_of("intake"), topic_of("fulfillment")),
    handlers={
        CaseOpened.event_type: handlers.on_case_opened,
        CaseClassified.event_type: handlers.on_case_classified,
        StockUnavailable.event_type: handlers.on_stock_unavailable,
    },
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
