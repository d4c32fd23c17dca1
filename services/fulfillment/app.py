"""Fulfillment: local-warehouse dispatch tasks, carrier labels and pickups, returns
receiving, and consolidations back to origin; the warehouse floor page."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import replace

import httpx
from fastapi import FastAPI

from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.adapters.carrier_pickups import CarrierPickups
from services.fulfillment.adapters.easypost import EasyPostApi
from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.domain.parcel_photos import LARGEST_PHOTO, PHOTOS_PER_SCAN
from services.fulfillment.handlers import (
    buyer_view,
    carrier_labels,
    events,
    floor_page,
    origin,
    returns,
    stock,
    tasks,
    warehouse_webhooks,
)
from services.fulfillment.handlers import failed_calls as failed_calls_routes
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.workers.dispatch_router import DispatchRouter
from services.fulfillment.workers.label_voids import LabelVoider
from services.fulfillment.workers.pickup_cancellations import PickupCanceller
from services.fulfillment.workers.return_labels import ReturnLabelBuyer
from services.fulfillment.workers.warehouse_deliveries import DeliveryWorker
from services.fulfillment.workflows import failed_calls
from services.fulfillment.workflows.context import Fulfillment
from shared.events import DispositionDecided, ResolutionDecided, topic_of
from shared.identity import service_client
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.sign_in import with_page_sessions
from shared.telemetry import Telemetry


@asynccontextmanager
async def fulfillment_context(service: Service) -> AsyncIterator[Fulfillment]:
    settings = service.settings
    async with (
        service_client(
            settings,
            "fulfillment",
            base_url=settings.intake_api_base_url or settings.base_url_of("intake"),
            timeout=settings.marketplace_timeout_seconds,
        ) as intake,
        httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as webhooks,
        easypost_client(settings) as easypost,
    ):
        lookup = ShipToLookup(intake)
        allowed = settings.warehouse_webhook_private_hosts
        context = Fulfillment(lookup, WarehouseWebhooks(webhooks, allowed))
        if easypost is not None:
            key = settings.easypost_api_key
            api = EasyPostApi(easypost, key.get_secret_value() if key else "")
            context.labels, context.pickups = CarrierLabels(api), CarrierPickups(api)
        yield context


def easypost_client(
    settings: FulfillmentSettings,
) -> AbstractAsyncContextManager[httpx.AsyncClient | None]:
    """EasyPost's client when fulfillment buys labels from it; else none."""
    if not settings.buys_carrier_labels:
        return nullcontext(None)
    return httpx.AsyncClient(
        base_url=settings.easypost_api_base_url, timeout=settings.easypost_timeout_seconds
    )


def fulfillment_workers(service: Service, context: Fulfillment) -> list[Worker]:
    """The dispatch router, the worker that pushes tasks to warehouse systems, and with a
    carrier account those that buy return labels, void unused ones and cancel pickups
    moved away from."""
    workers: list[Worker] = [
        DispatchRouter(service),
        DeliveryWorker(service, context.warehouse_webhooks),
    ]
    if context.labels is not None:
        workers += [ReturnLabelBuyer(service, context.labels), LabelVoider(service, context.labels)]
    if context.pickups is not None:
        workers.append(PickupCanceller(service, context.pickups))
    return workers


def larger_bodies(settings: FulfillmentSettings) -> dict[str, int]:
    """The floor page's return scan, with a few photos from the device's camera."""
    return {r"/floor/returns$": PHOTOS_PER_SCAN * LARGEST_PHOTO}


SPEC = ServiceSpec(
    name="fulfillment",
    settings=FulfillmentSettings,
    routers=(
        tasks.router,
        returns.router,
        origin.router,
        stock.router,
        warehouse_webhooks.router,
        carrier_labels.router,
        failed_calls_routes.router,
        buyer_view.router,
        floor_page.sign_in,
        floor_page.router,
    ),
    consumes=(topic_of("resolution"), topic_of("refurbish")),
    handlers={
        ResolutionDecided.event_type: events.on_resolution_decided,
        DispositionDecided.event_type: events.on_disposition_decided,
    },
    context=fulfillment_context,
    workers=fulfillment_workers,
    larger_bodies=larger_bodies,
    waiting_queues=failed_calls.WAITING_QUEUES,
)


def spec_for(settings: FulfillmentSettings) -> ServiceSpec:
    """The spec, with return labels owed to the carrier when labels are bought from one."""
    if not settings.buys_carrier_labels:
        return SPEC
    decided = {ResolutionDecided.event_type: events.on_resolution_decided_buying_labels}
    return replace(SPEC, handlers={**SPEC.handlers, **decided})


def create_app(
    settings: FulfillmentSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = FulfillmentSettings.narrowed(settings)
    app = create_service_app(spec_for(settings), settings, telemetry)
    with_page_sessions(app, floor_page.PAGE, app.state.service.settings)
    return app
