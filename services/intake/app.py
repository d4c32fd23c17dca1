"""Intake: marketplace deliveries in, canonical classified cases and `case.*` events out.

Requests are verified and stored before they are answered (`handlers/`); the delivery
workers (`workers/deliveries.py`, one per lane of `channels/registry.py`) complete and
apply them after. `Intake` (`workflows/context.py`) holds what both need.

The other way, intake alone holds the sellers' credentials: it pays the refunds resolution
decides through each case's marketplace (`handlers/refunds.py`), and performs the actions
a case's resolution and its returned unit owe the marketplace's return
(`handlers/events.py`, `workers/return_actions.py`), and writes to the buyer at each step
through the case's channel: e-mail, eBay's return messages, Amazon's Buyer-Seller Messaging
(`handlers/events.py`, `workers/outgoing_messages.py`).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.intake.adapters.buyer_links import BuyerLinks
from services.intake.adapters.case_views import CaseViews
from services.intake.adapters.mail import MailRelay
from services.intake.adapters.vault import Vault
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.registry import LANES
from services.intake.domain.photos import LARGEST_PHOTO
from services.intake.handlers import (
    accounts,
    agents,
    amazon_fba,
    buyer_page,
    buyers,
    case_photos,
    catalog,
    events,
    inbound_mail,
    outgoing_messages,
    refunds,
    reports,
    return_actions,
    returns_portal,
    webhooks,
)
from services.intake.handlers import (
    failed_calls as failed_calls_routes,
)
from services.intake.settings import IntakeSettings
from services.intake.workers.amazon_notifications import AmazonNotificationsWorker
from services.intake.workers.amazon_reports import AmazonReportsWorker
from services.intake.workers.amazon_returns import AmazonReturnsWorker
from services.intake.workers.deliveries import DeliveryWorker
from services.intake.workers.fba_refunds import FbaRefundsWorker
from services.intake.workers.inbound_mail import InboundMailServer
from services.intake.workers.outgoing_messages import MessageWorker
from services.intake.workers.removal_orders import RemovalOrderWorker
from services.intake.workers.return_actions import ReturnActionWorker
from services.intake.workflows import failed_calls
from services.intake.workflows.accepting import Acceptance, StoreSaturated
from services.intake.workflows.accounts import Accounts, read_accounts_file
from services.intake.workflows.context import Intake
from shared.back_pressure import InFlightLimit
from shared.events import (
    RefundIssued,
    ResolutionDecided,
    ResolutionHeldForAgent,
    ResolutionOffered,
    ReturnLabelIssued,
    ReturnReceived,
    Shipped,
    topic_of,
)
from shared.identity import service_client
from shared.service import Service, ServiceSpec, Worker
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry


async def keep_session(connection: asyncpg.Connection) -> None:
    """The acceptance pool runs one self-contained INSERT per use: no session state to reset
    (asyncpg's default reset costs a round trip per batch of webhooks)."""


@asynccontextmanager
async def intake_context(service: Service) -> AsyncIterator[Intake]:
    """The vault, the channel accounts, a client of the marketplace APIs and the acceptance
    pool, shared by the routes and the delivery workers; the buyers' links and what
    resolution and fulfillment show of a case on the buyer's page."""
    settings = service.settings
    vault = Vault.from_settings(settings)
    channel_accounts = Accounts(service.engine, vault, settings.account_cache_seconds)
    if settings.channel_accounts_file is not None:
        await channel_accounts.load(read_accounts_file(settings.channel_accounts_file))
    resolution = settings.resolution_api_base_url or settings.base_url_of("resolution")
    fulfillment = settings.fulfillment_api_base_url or settings.base_url_of("fulfillment")
    page_timeout = settings.buyer_page_timeout_seconds
    async with (
        httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as http,
        service_client(
            settings, "intake", base_url=resolution, timeout=page_timeout
        ) as resolution_api,
        service_client(
            settings, "intake", base_url=fulfillment, timeout=page_timeout
        ) as fulfillment_api,
        asyncpg.create_pool(
            settings.plain_database_url, min_size=1, max_size=10, reset=keep_session
        ) as pool,
    ):
        marketplaces = MarketplaceApis(http, settings)
        views = CaseViews(resolution_api, fulfillment_api)
        yield Intake(
            service,
            vault,
            channel_accounts,
            Acceptance(
                pool, vault, settings.webhook_store_wait_seconds, settings.webhook_store_queue
            ),
            marketplaces,
            mail=MailRelay.from_settings(settings),
            buyer_links=BuyerLinks.from_settings(settings),
            case_views=views,
        )


def delivery_workers(service: Service, intake: Intake) -> list[Worker]:
    """One delivery worker per lane, the return action worker, the message worker (messages
    to buyers), Amazon's (its reports polled, its returns opened, its notification queues
    read, the removal orders of its FBA units sent) and the mail server of buyers' replies
    when INBOUND_SMTP_PORT is set, unless this process only answers webhooks."""
    settings = service.settings
    if not settings.intake_delivery_worker:
        return []
    lanes = [DeliveryWorker(intake, channels) for channels in LANES.values()]
    amazon = [
        AmazonReportsWorker(intake),
        AmazonReturnsWorker(intake),
        AmazonNotificationsWorker(intake),
        RemovalOrderWorker(intake),
        FbaRefundsWorker(intake),
    ]
    mail: list[Worker] = []
    if settings.inbound_smtp_port is not None:
        if intake.buyer_links is None:
            raise RuntimeError("INBOUND_SMTP_PORT needs BUYER_LINK_SECRET (the reply addresses)")
        mail.append(
            InboundMailServer(
                service,
                intake.buyer_links,
                settings.inbound_smtp_host,
                settings.inbound_smtp_port,
                settings.inbound_mail_max_bytes,
            )
        )
    return [*lanes, ReturnActionWorker(intake), MessageWorker(intake), *amazon, *mail]


def larger_bodies(settings: IntakeSettings) -> dict[str, int]:
    """Marketplaces' deliveries and reports, buyers' mail, buyers' photos (on their page and
    on the returns portal). The routes refuse past their own limits with their own answers;
    these stop anything larger before it is read."""
    return {
        r"/(webhooks/|cases$|v1/refunds$)": settings.webhook_max_body_bytes,
        r"/reports/amazon/": settings.webhook_max_body_bytes * 16,
        r"/inbound-mail/": settings.inbound_mail_max_bytes,
        r"/(buyer/[^/]+/photos|returns/[^/]+/case)$": 2 * LARGEST_PHOTO,
    }


SPEC = ServiceSpec(
    name="intake",
    settings=IntakeSettings,
    routers=(
        webhooks.router,
        reports.router,
        amazon_fba.router,
        agents.router,
        case_photos.router,
        buyers.router,
        inbound_mail.router,
        buyer_page.router,
        returns_portal.router,
        accounts.router,
        refunds.router,
        return_actions.router,
        outgoing_messages.router,
        failed_calls_routes.router,
        catalog.router,
        catalog.hooks,
    ),
    consumes=(topic_of("resolution"), topic_of("fulfillment")),
    handlers={
        ResolutionDecided.event_type: events.on_resolution_decided,
        ReturnReceived.event_type: events.on_return_received,
        ResolutionOffered.event_type: events.on_resolution_offered,
        ResolutionHeldForAgent.event_type: events.on_resolution_held_for_agent,
        ReturnLabelIssued.event_type: events.on_return_label_issued,
        Shipped.event_type: events.on_shipped,
        RefundIssued.event_type: events.on_refund_issued,
    },
    context=intake_context,
    workers=delivery_workers,
    lean_traced_paths=("webhooks",),
    larger_bodies=larger_bodies,
    # Webhooks are stored in PostgreSQL and events wait in the outbox: the broker away,
    # intake still takes deliveries.
    serves_without_broker=True,
    waiting_queues=failed_calls.WAITING_QUEUES,
)


def create_app(
    settings: IntakeSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    app = create_service_app(SPEC, settings, telemetry)
    own = app.state.service.settings
    retry_after = str(own.webhook_retry_after_seconds)

    async def come_back_later(request: Request, error: Exception) -> JSONResponse:
        """A saturated store: the sender delivers again after Retry-After (back-pressure)."""
        return JSONResponse(
            {"detail": f"the store is saturated, deliver again later: {error}"},
            status_code=503,
            headers={"Retry-After": retry_after},
        )

    app.add_exception_handler(StoreSaturated, come_back_later)
    # Added last, it runs first: a webhook past the bound costs nothing but its refusal.
    app.add_middleware(
        InFlightLimit,
        paths=r"/webhooks/",
        most=own.webhook_max_in_flight,
        retry_after_seconds=own.webhook_retry_after_seconds,
    )
    return app
