"""Fulfillment: local-warehouse dispatch, return labels and returns receiving."""

from fastapi import FastAPI

from services.fulfillment import handlers
from shared.events import ResolutionDecided, topic_of
from shared.service import ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import Settings
from shared.telemetry import Telemetry

SPEC = ServiceSpec(
    name="fulfillment",
    routers=(handlers.router,),
    consumes=(topic_of("resolution"),),
    handlers={ResolutionDecided.event_type: handlers.on_resolution_decided},
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
