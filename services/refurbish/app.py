"""Refurbish: inspection by checklist, grading by rubric, disposition by expected net
recovery, repair jobs, relabel tasks and liquidation lots."""

from fastapi import FastAPI

from services.refurbish.handlers import bench, events, outlets
from services.refurbish.settings import RefurbishSettings
from shared.events import ReturnReceived, topic_of
from shared.service import ServiceSpec
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry

SPEC = ServiceSpec(
    name="refurbish",
    settings=RefurbishSettings,
    routers=(bench.router, outlets.router),
    consumes=(topic_of("fulfillment"),),
    handlers={ReturnReceived.event_type: events.on_return_received},
)


def create_app(
    settings: RefurbishSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
