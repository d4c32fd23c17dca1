"""Resolution: chooses, offers and settles the remedy of every case."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.resolution.handlers import api, events
from services.resolution.parcel_tracing import TraceWorker, tracking_client
from services.resolution.refunding import RefundWorker
from services.resolution.sweeper import sweeper
from shared.events import (
    BuyerReplied,
    CaseClassified,
    CaseOpened,
    ReturnReceived,
    StockUnavailable,
    topic_of,
)
from shared.service import Service, ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import Settings
from shared.telemetry import Telemetry
from shared.wakeup import Periodic


@asynccontextmanager
async def resolution_lifespan(service: Service) -> AsyncIterator[None]:
    """The sweeper (lapsed offers, clocks), the parcel trace worker and, when a refund API
    is set, the refund worker."""
    settings = service.settings
    timeout = settings.marketplace_timeout_seconds
    async with (
        httpx.AsyncClient(
            base_url=settings.refund_api_base_url or "http://refunds.invalid", timeout=timeout
        ) as refunds,
        httpx.AsyncClient(
            base_url=settings.tracking_api_base_url or "http://tracking.invalid", timeout=timeout
        ) as tracking,
    ):
        workers: list[Periodic | RefundWorker | TraceWorker] = [
            sweeper(service),
            TraceWorker(service, tracking_client(service, tracking)),
        ]
        if settings.refund_api_base_url:
            workers.append(RefundWorker(service, refunds))
        tasks = [asyncio.create_task(worker.run()) for worker in workers]
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            await asyncio.gather(*tasks)


SPEC = ServiceSpec(
    name="resolution",
    routers=(api.router,),
    consumes=(topic_of("intake"), topic_of("fulfillment")),
    handlers={
        CaseOpened.event_type: events.on_case_opened,
        CaseClassified.event_type: events.on_case_classified,
        BuyerReplied.event_type: events.on_buyer_replied,
        StockUnavailable.event_type: events.on_stock_unavailable,
        ReturnReceived.event_type: events.on_return_received,
    },
    lifespan=resolution_lifespan,
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
