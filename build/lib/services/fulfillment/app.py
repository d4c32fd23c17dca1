"""Fulfillment: local-warehouse dispatch tasks, carrier labels and pickups, returns
receiving, and consolidations back to origin."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.fulfillment.dispatching import DispatchRouter
from services.fulfillment.handlers import events, origin, returns, stock, tasks
from services.fulfillment.ship_to import ShipToLookup
from services.fulfillment.warehouse_webhooks import DeliveryWorker
from shared.events import DispositionDecided, ResolutionDecided, topic_of
from shared.service import Service, ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import Settings
from shared.telemetry import Telemetry


@asynccontextmanager
async def fulfillment_lifespan(service: Service) -> AsyncIterator[None]:
    """Intake's ship-to lookup (routing and labels), the dispatch router, and the worker
    that pushes tasks to warehouse systems."""
    settings = service.settings
    token = settings.internal_api_token
    async with (
        httpx.AsyncClient(
            base_url=settings.intake_api_base_url or settings.base_url_of("intake"),
            timeout=settings.marketplace_timeout_seconds,
        ) as intake,
        httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as webhooks,
    ):
        service.state["ship_to"] = ShipToLookup(intake, token.get_secret_value() if token else None)
        workers = (DispatchRouter(service), DeliveryWorker(service, webhooks))
        tasks = [asyncio.create_task(worker.run()) for worker in workers]
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            await asyncio.gather(*tasks)


SPEC = ServiceSpec(
    name="fulfillment",
    routers=(tasks.router, returns.router, origin.router, stock.router),
    consumes=(topic_of("resolution"), topic_of("refurbish")),
    handlers={
        ResolutionDecided.event_type: events.on_resolution_decided,
        DispositionDecided.event_type: events.on_disposition_decided,
    },
    lifespan=fulfillment_lifespan,
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
