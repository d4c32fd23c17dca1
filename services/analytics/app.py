"""Analytics: read models and reports over every event."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI

from services.analytics.adapters.refurbish_photos import BenchPhotos
from services.analytics.handlers import (
    cases,
    claims,
    console,
    events,
    faq,
    faq_publishing,
    listing_audit,
    recovery,
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
from shared.identity import service_client
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.settings import SERVICE_NAMES
from shared.telemetry import Telemetry


@asynccontextmanager
async def analytics_context(service: Service) -> AsyncIterator[Analytics]:
    """A client of resolution's API, for the console's what-if page; one of each service's,
    for its recovery page (intake's, at `INTAKE_API_BASE_URL` when set, for the listing
    audit too); refurbish's as analytics itself, for the bench photos of evidence packs."""
    settings = service.settings
    resolution = settings.resolution_api_base_url or settings.base_url_of("resolution")
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=resolution, timeout=60))
        apis = {"resolution": client}
        for name in SERVICE_NAMES:
            if name not in apis:
                apis[name] = await stack.enter_async_context(
                    httpx.AsyncClient(base_url=base_url_of(settings, name), timeout=60)
                )
        refurbish = await stack.enter_async_context(
            service_client(
                settings,
                "analytics",
                base_url=settings.base_url_of("refurbish"),
                timeout=settings.marketplace_timeout_seconds,
            )
        )
        yield Analytics(client, apis, BenchPhotos(refurbish))


def base_url_of(settings: AnalyticsSettings, name: str) -> str:
    """Where a service's API is: intake's where `INTAKE_API_BASE_URL` says, else on `HOST`."""
    if name == "intake" and settings.intake_api_base_url:
        return settings.intake_api_base_url
    return settings.base_url_of(name)


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
        faq_publishing.router,
        what_if.router,
        recovery.router,
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
