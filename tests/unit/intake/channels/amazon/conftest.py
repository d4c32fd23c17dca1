"""Amazon's side of intake against the emulated Amazon (`deploy/emulators/amazon.py`),
served in this process through the ASGI transport, with a clock both sides share."""

import httpx
import pytest

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.tokens import AccessTokens
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.settings import IntakeSettings
from tests.emulated import Clock, emulators_on

SELLER = "A1UNITSELLER"
EU = ["A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
CREDENTIALS = {
    "lwa_client_id": "amzn1.application-oa2-client.unit0001",
    "lwa_client_secret": "lwa-unit-client-secret",
    "refresh_token": f"Atzr|{SELLER}",
    "region": "eu",
    "marketplace_ids": EU,
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def emulator(clock):
    """An HTTP client of the emulators, whose Amazon shares `clock`."""
    async with emulators_on(clock) as http:
        yield http


@pytest.fixture
def apis(emulator, clock) -> MarketplaceApis:
    settings = IntakeSettings(
        amazon_sp_api_base_url="http://emulators/amazon",
        amazon_lwa_base_url="http://emulators/amazon",
    )
    return MarketplaceApis(emulator, settings, AccessTokens(clock))


def account_with(**credentials) -> Account:
    return Account(Channel.AMAZON, SELLER, "luma-home", "UK", credentials)


@pytest.fixture
def account() -> Account:
    return account_with(secrets=["forwarder-secret"], **CREDENTIALS)


async def refunds_made(emulator: httpx.AsyncClient) -> list[dict]:
    return (await emulator.get("/_emulator/amazon/refunds")).json()["refunds"]


async def tokens_issued(emulator: httpx.AsyncClient) -> int:
    return (await emulator.get("/_emulator/amazon/tokens")).json()["issued"]
