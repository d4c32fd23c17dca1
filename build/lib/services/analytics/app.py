"""Analytics: read models and reports over every event."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.analytics.faq import gap_finder
from services.analytics.handlers import (
    cases,
    console,
    events,
    faq,
    reports,
    sales,
    taxonomy,
    what_if,
)
from shared.events import topic_of
from shared.service import Service, ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import SERVICE_NAMES, Settings
from shared.telemetry import Telemetry


@asynccontextmanager
async def analytics_lifespan(service: Service) -> AsyncIterator[None]:
    """The FAQ gap finder, every `faq_gap_sweep_seconds`; a client of resolution's API for
    the console's what-if page."""
    settings = service.settings
    resolution = settings.resolution_api_base_url or settings.base_url_of("resolution")
    finder = gap_finder(service)
    task = asyncio.create_task(finder.run())
    async with httpx.AsyncClient(base_url=resolution, timeout=60) as client:
        service.state["resolution_api"] = client
        try:
            yield
        finally:
            finder.stop()
            await task


SPEC = ServiceSpec(
    name="analytics",
    routers=(
        console.router,
        cases.router,
        reports.router,
        sales.router,
        taxonomy.router,
        faq.router,
        what_if.router,
    ),
    consumes=tuple(topic_of(s) for s in SERVICE_NAMES if s != "analytics"),
    projection=events.project_events,
    lifespan=analytics_lifespan,
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
