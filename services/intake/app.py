"""Intake: marketplace deliveries in, canonical classified cases and `case.*` events out.

Requests are verified and stored before they are answered (`handlers/`); the delivery
workers (`workers/deliveries.py`, one per lane of `channels/registry.py`) complete and
apply them after. `Intake` (`workflows/context.py`) holds what both need.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI

from services.intake.adapters.vault import Vault
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.registry import LANES
from services.intake.handlers import accounts, agents, buyers, reports, webhooks
from services.intake.settings import IntakeSettings
from services.intake.workers.deliveries import DeliveryWorker
from services.intake.workflows.accepting import Acceptance
from services.intake.workflows.accounts import Accounts, read_accounts_file
from services.intake.workflows.context import Intake
from shared.service import Service, ServiceSpec
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry


async def keep_session(connection: asyncpg.Connection) -> None:
    """The acceptance pool runs one self-contained INSERT per use: no session state to reset
    (asyncpg's default reset costs a round trip per batch of webhooks)."""


@asynccontextmanager
async def intake_context(service: Service) -> AsyncIterator[Intake]:
    """The vault, the channel accounts, a client of the marketplace APIs and the acceptance
    pool, shared by the routes and the delivery workers."""
    settings = service.settings
    vault = Vault.from_settings(settings)
    channel_accounts = Accounts(service.engine, vault, settings.account_cache_seconds)
    if settings.channel_accounts_file is not None:
        await channel_accounts.load(read_accounts_file(settings.channel_accounts_file))
    async with (
        httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as http,
        asyncpg.create_pool(
            settings.plain_database_url, min_size=1, max_size=10, reset=keep_session
        ) as pool,
    ):
        marketplaces = MarketplaceApis(http, settings)
        yield Intake(service, vault, channel_accounts, Acceptance(pool, vault), marketplaces)


def delivery_workers(service: Service, intake: Intake) -> list[DeliveryWorker]:
    """One per lane, unless this process only answers webhooks."""
    if not service.settings.intake_delivery_worker:
        return []
    return [DeliveryWorker(intake, channels) for channels in LANES.values()]


SPEC = ServiceSpec(
    name="intake",
    settings=IntakeSettings,
    routers=(webhooks.router, reports.router, agents.router, buyers.router, accounts.router),
    context=intake_context,
    workers=delivery_workers,
    lean_traced_paths=("webhooks",),
)


def create_app(
    settings: IntakeSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
