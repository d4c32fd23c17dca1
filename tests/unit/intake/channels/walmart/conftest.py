"""Walmart's side of intake against the emulated Walmart (`deploy/emulators/walmart.py`),
served in this process through the ASGI transport, with a clock both sides share."""

import httpx
import pytest

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.tokens import AccessTokens
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.settings import IntakeSettings
from tests.emulated import Clock, emulators_on

BASE_URL = "http://emulators/walmart"
CREDENTIALS = {"client_id": "wm-test-client", "client_secret": "wm-test-client-secret"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def emulator(clock):
    """An HTTP client of the emulators, whose Walmart shares `clock`."""
    async with emulators_on(clock) as http:
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
