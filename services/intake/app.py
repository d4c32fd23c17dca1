"""Intake: marketplace webhooks in, canonical cases and `case.opened` out."""

from fastapi import FastAPI

from services.intake import handlers
from shared.service import ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import Settings
from shared.telemetry import Telemetry

SPEC = ServiceSpec(name="intake", routers=(handlers.router,))


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
