"""Refurbish: inspection by checklist, grading by rubric, disposition by expected net
recovery, repair jobs, relabel tasks and liquidation lots; the technician's bench page."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.refurbish.adapters.buyer_photos import BuyerPhotos
from services.refurbish.domain.bench_photos import LARGEST_PHOTO, PHOTOS_PER_FORM
from services.refurbish.handlers import bench, bench_page, events, evidence_photos, outlets
from services.refurbish.settings import RefurbishSettings
from services.refurbish.workflows.context import Refurbish
from shared.events import ReturnReceived, topic_of
from shared.identity import service_client
from shared.service import Service, ServiceSpec
from shared.service import create_app as create_service_app
from shared.sign_in import with_page_sessions
from shared.telemetry import Telemetry


@asynccontextmanager
async def refurbish_context(service: Service) -> AsyncIterator[Refurbish]:
    settings = service.settings
    async with service_client(
        settings,
        "refurbish",
        base_url=settings.intake_api_base_url or settings.base_url_of("intake"),
        timeout=settings.marketplace_timeout_seconds,
    ) as intake:
        yield Refurbish(BuyerPhotos(intake))


def larger_bodies(settings: RefurbishSettings) -> dict[str, int]:
    """The bench page's checklist form, with a few photos from the device's camera."""
    return {r"/bench/inspections/[^/]+/review$": PHOTOS_PER_FORM * LARGEST_PHOTO}


SPEC = ServiceSpec(
    name="refurbish",
    settings=RefurbishSettings,
    routers=(
        bench.router,
        evidence_photos.router,
        outlets.router,
        bench_page.sign_in,
        bench_page.router,
    ),
    consumes=(topic_of("fulfillment"),),
    handlers={ReturnReceived.event_type: events.on_return_received},
    context=refurbish_context,
    larger_bodies=larger_bodies,
)


def create_app(
    settings: RefurbishSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    app = create_service_app(SPEC, settings, telemetry)
    with_page_sessions(app, bench_page.PAGE, app.state.service.settings)
    return app
