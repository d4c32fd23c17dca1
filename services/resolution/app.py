"""Resolution: chooses, offers and settles the remedy of every case."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from services.resolution.handlers import api, events
from services.resolution.parcel_tracing import TraceWorker, tracking_client
from services.resolution.refunding import RefundWorker
from services.resolution.settings import ResolutionSettings
from services.resolution.sweeper import sweeper
from shared.events import (
    BuyerReplied,
    CaseClassified,
    CaseOpened,
    ReturnReceived,
    StockUnavailable,
    topic_of,
)
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry


@dataclass
class Resolution:
    """Clients of the outside APIs resolution's workers call."""

    refunds: httpx.AsyncClient
    tracking: httpx.AsyncClient


@asynccontextmanager
async def resolution_context(service: Service) -> AsyncIterator[Resolution]:
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
        yield Resolution(refunds, tracking)


def resolution_workers(service: Service, clients: Resolution) -> list[Worker]:
    """The sweeper (lapsed offers, clocks), the parcel trace worker and, when a refund API
    is set, the refund worker."""
    workers: list[Worker] = [
        sweeper(service),
        TraceWorker(service, tracking_client(service, clients.tracking)),
    ]
    if service.settings.refund_api_base_url:
        workers.append(RefundWorker(service, clients.refunds))
    return workers


SPEC = ServiceSpec(
    name="resolution",
    settings=ResolutionSettings,
    routers=(api.router,),
    consumes=(topic_of("intake"), topic_of("fulfillment")),
    handlers={
        CaseOpened.event_type: events.on_case_opened,
        CaseClassified.event_type: events.on_case_classified,
        BuyerReplied.event_type: events.on_buyer_replied,
        StockUnavailable.event_type: events.on_stock_unavailable,
        ReturnReceived.event_type: events.on_return_received,
    },
    context=resolution_context,
    workers=resolution_workers,
)


def create_app(
    settings: ResolutionSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
