"""Fulfillment: local-warehouse dispatch tasks, carrier labels and pickups, returns
receiving, and consolidations back to origin."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.handlers import (
    events,
    origin,
    returns,
    stock,
    tasks,
    warehouse_webhooks,
)
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.workers.dispatch_router import DispatchRouter
from services.fulfillment.workers.warehouse_deliveries import DeliveryWorker
from services.fulfillment.workflows.context import Fulfillment
from shared.events import DispositionDecided, ResolutionDecided, topic_of
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry


@asynccontextmanager
async def fulfillment_context(service: Service) -> AsyncIterator[Fulfillment]:
    settings = service.settings
    token = settings.internal_api_token
    async with (
        httpx.AsyncClient(
            base_url=settings.intake_api_base_url or settings.base_url_of("intake"),
            timeout=settings.marketplace_timeout_seconds,
        ) as intake,
        httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as webhooks,
    ):
        lookup = ShipToLookup(intake, token.get_secret_value() if token else None)
        yield Fulfillment(lookup, WarehouseWebhooks(webhooks))


def fulfillment_workers(service: Service, context: Fulfillment) -> list[Worker]:
    """The dispatch router, and the worker that pushes tasks to warehouse systems."""
    return [DispatchRouter(service), DeliveryWorker(service, context.warehouse_webhooks)]


SPEC = ServiceSpec(
    name="fulfillment",
    settings=FulfillmentSettings,
    routers=(
        tasks.router,
        returns.router,
        origin.router,
        stock.router,
        warehouse_webhooks.router,
    ),
    consumes=(topic_of("resolution"), topic_of("refurbish")),
    handlers={
        ResolutionDecided.event_type: events.on_resolution_decided,
        DispositionDecided.event_type: events.on_disposition_decided,
    },
    context=fulfillment_context,
    workers=fulfillment_workers,
)


def create_app(
    settings: FulfillmentSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
