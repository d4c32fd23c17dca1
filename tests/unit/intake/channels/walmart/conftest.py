"""Walmart's side of intake against the emulated Walmart (`deploy/emulators/walmart.py`),
served in this process through the ASGI transport, with a clock both sides share."""

from datetime import UTC, datetime

import httpx
import pytest

from deploy.emulators.app import create_app
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.tokens import AccessTokens
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.settings import IntakeSettings

BASE_URL = "http://emulators/walmart"
CREDENTIALS = {"client_id": "wm-test-client", "client_secret": "wm-test-client-secret"}


class Clock:
    """Now, as the emulator and intake's token cache both see it; a test moves it on."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def emulator(clock):
    """An HTTP client of the emulators, whose Walmart shares `clock`."""
    transport = httpx.ASGITransport(app=create_app(now=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators") as http:
        yield http


@pytest.fixture
def apis(emulator, clock) -> MarketplaceApis:
    return MarketplaceApis(
        emulator, IntakeSettings(walmart_api_base_url=BASE_URL), AccessTokens(clock)
    )


def account_with(**credentials) -> Account:
    return Account(Channel.WALMART, "10900015773", "luma-home", "US", credentials)


@pytest.fixture
def account() -> Account:
    return account_with(secrets=["wm-webhook-secret-2026b"], **CREDENTIALS)


async def tokens_issued(emulator: httpx.AsyncClient) -> list[dict]:
    return (await emulator.get("/_emulator/walmart/tokens")).json()["tokens"]


async def refunds_made(emulator: httpx.AsyncClient) -> list[dict]:
    return (await emulator.get("/_emulator/walmart/refunds")).json()["refunds"]
