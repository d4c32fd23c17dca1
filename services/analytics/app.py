"""Analytics: read models and reports over every event."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.analytics.handlers import (
    cases,
    claims,
    console,
    events,
    faq,
    listing_audit,
    reports,
    sales,
    sign_in,
    taxonomy,
    what_if,
)
from services.analytics.settings import AnalyticsSettings
from services.analytics.workers.faq_gap_finder import gap_finder
from services.analytics.workflows.context import Analytics
from shared.events import topic_of
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.settings import SERVICE_NAMES
from shared.telemetry import Telemetry


@asynccontextmanager
async def analytics_context(service: Service) -> AsyncIterator[Analytics]:
    """A client of resolution's API, for the console's what-if page; one of intake's, for
    the listing audit."""
    settings = service.settings
    resolution = settings.resolution_api_base_url or settings.base_url_of("resolution")
    intake = settings.intake_api_base_url or settings.base_url_of("intake")
    async with (
        httpx.AsyncClient(base_url=resolution, timeout=60) as client,
        httpx.AsyncClient(base_url=intake, timeout=30) as intake_client,
    ):
        yield Analytics(client, intake_client)


def analytics_workers(service: Service, _: Analytics) -> list[Worker]:
    """The FAQ gap finder, every `faq_gap_sweep_seconds`."""
    return [gap_finder(service)]


def larger_bodies(settings: AnalyticsSettings) -> dict[str, int]:
    """A seller's sales feed: up to 100,000 days of rows, as CSV or JSON."""
    return {r"/sales/": 32 * 1024 * 1024}


SPEC = ServiceSpec(
    name="analytics",
    settings=AnalyticsSettings,
    routers=(
        console.router,
        sign_in.router,
        cases.router,
        claims.router,
        reports.router,
        listing_audit.router,
        sales.router,
        taxonomy.router,
        faq.router,
        what_if.router,
    ),
    consumes=tuple(topic_of(s) for s in SERVICE_NAMES if s != "analytics"),
    projection=events.project_events,
    context=analytics_context,
    workers=analytics_workers,
    larger_bodies=larger_bodies,
)


def create_app(
    settings: AnalyticsSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    app = create_service_app(SPEC, settings, telemetry)
    sign_in.with_console_sessions(app, app.state.service.settings)
    return app
