"""Fulfillment: local-warehouse dispatch tasks, carrier labels and pickups, returns
receiving, and consolidations back to origin."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.handlers import events, origin, returns, stock, tasks
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.workflows.dispatching import DispatchRouter
from services.fulfillment.workflows.warehouse_deliveries import DeliveryWorker
from shared.events import DispositionDecided, ResolutionDecided, topic_of
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry


@dataclass
class Fulfillment:
    """Intake's ship-to lookup (routing and labels) and a client of warehouse systems."""

    ship_to: ShipToLookup
    webhooks: httpx.AsyncClient


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
        yield Fulfillment(lookup, webhooks)


def fulfillment_workers(service: Service, context: Fulfillment) -> list[Worker]:
    """The dispatch router, and the worker that pushes tasks to warehouse systems."""
    return [DispatchRouter(service), DeliveryWorker(service, context.webhooks)]


SPEC = ServiceSpec(
    name="fulfillment",
    settings=FulfillmentSettings,
    routers=(tasks.router, returns.router, origin.router, stock.router),
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
