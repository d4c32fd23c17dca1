"""What intake's handler tests share: intake running in this process over the session's
real PostgreSQL and broker, its delivery workers off (a test runs one itself when it needs
to), its channel accounts kept one second; sellers onboarded through its API and their
signed generic webhooks; Amazon removal orders owed for a returned unit, and worked."""

import asyncio
import json
import time
import uuid
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select, text

from services.intake.app import SPEC
from services.intake.channels.amazon import reports
from services.intake.channels.generic.webhook import signed_headers
from services.intake.domain.removal_orders import removal_order_id_of
from services.intake.tables import AmazonRemovalOrder, CaseRecord
from services.intake.workers.removal_orders import RemovalOrderWorker
from services.intake.workflows.cases import apply_delivery
from shared.markets import Market
from shared.service import create_app as create_service_app
from shared.telemetry import Telemetry
from tests.factories import AGENT, webhook

ACCOUNT_CACHE_SECONDS = 1.0


@asynccontextmanager
async def running_intake(
    settings, telemetry: Telemetry | None = None, **changes
) -> AsyncIterator[httpx.AsyncClient]:
    """One intake process (a replica); `client.service` is the service behind it,
    `client.app` the app."""
    own = {"intake_delivery_worker": False, "account_cache_seconds": ACCOUNT_CACHE_SECONDS}
    # No consumer: these tests drive the HTTP API and the workers; a replica joining intake's
    # consumer group would only wait on the session's running intake to give up partitions.
    spec = replace(SPEC, consumes=(), handlers={})
    app = create_service_app(spec, settings.model_copy(update=own | changes), telemetry)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            client.service = app.state.service
            client.app = manager.app
            yield client


@pytest.fixture
async def intake(settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_intake(settings) as client:
        yield client


@pytest.fixture
async def seller(intake) -> AsyncIterator["Seller"]:
    """A generic-channel seller onboarded for the test; its deliveries are removed after,
    so that no later test's delivery worker finds them."""
    onboarded = Seller(f"seller-{uuid.uuid4().hex[:8]}", f"secret-{uuid.uuid4().hex}")
    answer = await onboarded.create(intake)
    assert answer.status_code == 201, answer.text
    yield onboarded
    await forget_deliveries(intake, onboarded.account)


async def forget_deliveries(intake: httpx.AsyncClient, account: str) -> None:
    async with intake.service.engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM intake.deliveries WHERE account = :a"), {"a": account}
        )


class Seller:
    def __init__(self, account: str, secret: str) -> None:
        self.account = account
        self.secret = secret

    async def create(self, intake: httpx.AsyncClient, **fields) -> httpx.Response:
        body = {
            "channel": "generic",
            "account": self.account,
            "seller": self.account,
            "secrets": [self.secret],
            **fields,
        }
        return await intake.post("/channel-accounts", json=body, headers=AGENT)

    async def post(
        self,
        intake: httpx.AsyncClient,
        body: dict | None = None,
        secret: str | None = None,
        account: str | None = None,
    ) -> httpx.Response:
        """A generic webhook of this seller, signed with its secret (or `secret`)."""
        raw = json.dumps(body or webhook()).encode()
        headers = signed_headers(
            account or self.account, secret or self.secret, raw, datetime.now(UTC)
        )
        return await intake.post("/webhooks/generic", content=raw, headers=headers)


# Amazon FBA returns: a seller's account authorised for the (emulated) SP-API, its reports.

FBA_COLUMNS = (
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
    "fulfillment-center-id", "detailed-disposition", "reason", "status",
    "license-plate-number", "customer-comments",
)  # fmt: skip


def fba_row(plate: str, disposition: str, status: str = "Unit returned to inventory", **changes):
    """One unit of an FBA customer returns report, sold on amazon.com and fulfilled by Amazon."""
    row = {
        "return-date": "2026-05-04T10:00:00+00:00",
        "order-id": f"113-5{zlib.crc32(plate.encode()) % 10**6:06d}-0000001",
        "sku": "TWS-EB-A3-WHT",
        "asin": "B0C8TWSA3W",
        "fnsku": "X00TESTFNSK",
        "product-name": "Wireless Earbuds with Charging Case",
        "quantity": "1",
        "fulfillment-center-id": "PHX7",
        "detailed-disposition": disposition,
        "reason": "DEFECTIVE",
        "status": status,
        "license-plate-number": plate,
        "customer-comments": "",
        **changes,
    }
    return [row[column] for column in FBA_COLUMNS]


def fba_report(*rows: list[str]) -> bytes:
    lines = ["\t".join(FBA_COLUMNS), *("\t".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
async def amazon_accounts(settings) -> AsyncIterator[list[str]]:
    """The Amazon accounts a test onboards (it adds their names): disabled after it, so that
    no later intake (the integration stack's) polls their reports or sends their orders."""
    onboarded: list[str] = []
    yield onboarded
    async with running_intake(settings) as intake:
        for account in onboarded:
            disabled = await intake.post(
                f"/channel-accounts/amazon/{account}/disable", headers=AGENT
            )
            assert disabled.status_code == 200, disabled.text


def amazon_account(account: str, seller: str, **changes) -> dict:
    """An Amazon account authorised for the emulated SP-API (the session's emulators)."""
    return {
        "channel": "amazon",
        "account": account,
        "seller": seller,
        "default_market": "US",
        "secrets": ["forwarder-secret"],
        "credentials": {
            "lwa_client_id": "amzn1.application-oa2-client.handlers",
            "lwa_client_secret": "lwa-handlers-secret",
            "refresh_token": f"Atzr|{account}",
            "region": "na",
            "marketplace_ids": ["ATVPDKIKX0DER"],
            **changes,
        },
    }


async def owed_removal(intake: httpx.AsyncClient, onboarded: list[str]) -> tuple[str, str]:
    """A seller's account and a defective unit returned to it: its removal order's id."""
    account = f"A2RMV{uuid.uuid4().hex[:10].upper()}"
    created = await intake.post(
        "/channel-accounts", json=amazon_account(account, "luma-home"), headers=AGENT
    )
    assert created.status_code == 201, created.text
    onboarded.append(account)
    parsed = reports.parse_report(
        fba_report(fba_row(f"LPN{account}", "DEFECTIVE")), seller_account=account, market=Market.US
    )
    context = intake.service.context
    async with intake.service.transaction() as session:
        for delivery in parsed.deliveries:
            await apply_delivery(session, context, delivery, datetime.now(UTC))
        case_id = await session.scalar(
            select(CaseRecord.case_id).where(CaseRecord.account == account)
        )
    return account, removal_order_id_of(case_id)


async def worked_until(intake, removal_order_id: str, *states: str, timeout: float = 30):
    """Run the worker (as intake does) until the order is in one of `states`."""
    worker = RemovalOrderWorker(intake.service.context)
    deadline = time.monotonic() + timeout
    while True:
        await worker.work_once()
        async with intake.service.sessions() as session:
            order = await session.get(AmazonRemovalOrder, removal_order_id)
        if order.state in states:
            return order
        assert time.monotonic() < deadline, f"still {order.state}: {order.error}"
        await asyncio.sleep(0.1)
