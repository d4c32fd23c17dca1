"""Resolution: chooses, offers and settles the remedy of every case."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.resolution.adapters.carrier_tracking import CarrierTracking
from services.resolution.adapters.marketplace_refunds import MarketplaceRefunds
from services.resolution.handlers import (
    buyer_view,
    decisions,
    events,
    guides,
    policies,
    what_if,
)
from services.resolution.handlers import failed_calls as failed_calls_routes
from services.resolution.settings import ResolutionSettings
from services.resolution.workers.parcel_traces import TraceWorker
from services.resolution.workers.refunds import RefundWorker
from services.resolution.workers.sweeper import sweeper
from services.resolution.workflows import batches, failed_calls
from services.resolution.workflows.context import Resolution
from shared.events import (
    BuyerReplied,
    CaseClassified,
    CaseOpened,
    DispositionDecided,
    ReturnReceived,
    StockUnavailable,
    UnitHeldForAgent,
    topic_of,
)
from shared.identity import service_client
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry


@asynccontextmanager
async def resolution_context(service: Service) -> AsyncIterator[Resolution]:
    """The refund API (intake's) and EasyPost's tracking, each when configured."""
    settings = service.settings
    timeout = settings.marketplace_timeout_seconds
    async with (
        service_client(
            settings,
            "resolution",
            base_url=settings.refund_api_base_url or "http://refunds.invalid",
            timeout=timeout,
        ) as refunds,
        httpx.AsyncClient(
            base_url=settings.tracking_api_base_url or "http://tracking.invalid", timeout=timeout
        ) as tracking,
    ):
        yield Resolution(
            refunds=MarketplaceRefunds(refunds) if settings.refund_api_base_url else None,
            tracking=carrier_tracking(settings, tracking),
        )


def carrier_tracking(
    settings: ResolutionSettings, client: httpx.AsyncClient
) -> CarrierTracking | None:
    if not settings.tracking_api_base_url or settings.tracking_api_key is None:
        return None
    return CarrierTracking(client, settings.tracking_api_key.get_secret_value())


def resolution_workers(service: Service, context: Resolution) -> list[Worker]:
    """The sweeper (lapsed offers, clocks), the parcel trace worker and, when a refund API
    is set, the refund worker."""
    workers: list[Worker] = [sweeper(service), TraceWorker(service, context.tracking)]
    if context.refunds is not None:
        workers.append(RefundWorker(service, context.refunds))
    return workers


SPEC = ServiceSpec(
    name="resolution",
    settings=ResolutionSettings,
    routers=(
        decisions.router,
        failed_calls_routes.router,
        buyer_view.router,
        policies.router,
        guides.router,
        what_if.router,
    ),
    consumes=(topic_of("intake"), topic_of("fulfillment"), topic_of("refurbish")),
    handlers={
        CaseOpened.event_type: events.on_case_opened,
        CaseClassified.event_type: events.on_case_classified,
        BuyerReplied.event_type: events.on_buyer_replied,
        StockUnavailable.event_type: events.on_stock_unavailable,
        ReturnReceived.event_type: events.on_return_received,
        DispositionDecided.event_type: events.on_disposition_decided,
        UnitHeldForAgent.event_type: events.on_unit_held_for_agent,
    },
    batch_reads=batches.read_batch,
    context=resolution_context,
    workers=resolution_workers,
    waiting_queues=failed_calls.WAITING_QUEUES,
)


def create_app(
    settings: ResolutionSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
