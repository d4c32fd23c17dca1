"""Analytics: read models and reports over every event."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.analytics.faq import gap_finder
from services.analytics.handlers import events, faq, reports, sales
from shared.events import topic_of
from shared.service import Service, ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import SERVICE_NAMES, Settings
from shared.telemetry import Telemetry


@asynccontextmanager
async def analytics_lifespan(service: Service) -> AsyncIterator[None]:
    """The FAQ gap finder, every `faq_gap_sweep_seconds`."""
    finder = gap_finder(service)
    task = asyncio.create_task(finder.run())
    try:
        yield
    finally:
        finder.stop()
        await task


SPEC = ServiceSpec(
    name="analytics",
    routers=(reports.router, sales.router, faq.router),
    consumes=tuple(topic_of(s) for s in SERVICE_NAMES if s != "analytics"),
    projection=events.project_events,
    lifespan=analytics_lifespan,
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
