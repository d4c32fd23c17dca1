"""Intake: marketplace deliveries in, canonical classified cases and `case.*` events out.

Requests are verified and stored before they are answered (`handlers/`); the delivery
worker (`deliveries.py`) completes and applies them after. `Intake` holds what both need.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI

from services.intake.acceptance import Acceptance
from services.intake.accounts import Accounts, read_accounts_file
from services.intake.context import Intake
from services.intake.deliveries import LANES, DeliveryWorker
from services.intake.handlers import agents, buyers, reports, webhooks
from services.intake.privacy import Vault
from shared.service import Service, ServiceSpec
from shared.service import create_app as create_service_app
from shared.settings import Settings
from shared.telemetry import Telemetry


async def keep_session(connection: asyncpg.Connection) -> None:
    """The acceptance pool runs one self-contained INSERT per use: no session state to reset
    (asyncpg's default reset costs a round trip per batch of webhooks)."""


@asynccontextmanager
async def intake_lifespan(service: Service) -> AsyncIterator[Intake]:
    settings = service.settings
    vault = Vault.from_settings(settings)
    accounts = Accounts(service.engine, vault)
    if settings.channel_accounts_file is not None:
        await accounts.load(read_accounts_file(settings.channel_accounts_file))
    async with (
        httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as http,
        asyncpg.create_pool(
            settings.plain_database_url, min_size=1, max_size=10, reset=keep_session
        ) as pool,
    ):
        intake = Intake(service, vault, accounts, http, Acceptance(pool, vault))
        service.state["intake"] = intake
        if not settings.intake_delivery_worker:
            yield intake
            return
        workers = [DeliveryWorker(intake, lane) for lane in LANES]
        tasks = [asyncio.create_task(worker.run()) for worker in workers]
        try:
            yield intake
        finally:
            for worker in workers:
                worker.stop()
            await asyncio.gather(*tasks)


SPEC = ServiceSpec(
    name="intake",
    routers=(webhooks.router, reports.router, agents.router, buyers.router),
    lifespan=intake_lifespan,
    lean_traced_paths=("webhooks",),
)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, telemetry)
