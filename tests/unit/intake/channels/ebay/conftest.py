"""eBay's clients and hooks against the eBay emulator (`deploy/emulators/ebay.py`), served
in this process on a clock the tests move."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deploy.emulators.app import create_app
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.tokens import AccessTokens
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.settings import IntakeSettings

BASE_URL = "http://emulators/ebay"
KEYSET = {
    "dev_id": "a1b2c3d4-dev0-4e5f-8a9b-0c1d2e3f4a5b",
    "app_id": "LumaHome-AfterSal-PRD-7f3e2d1c0-9a8b7c6d",
    "cert_id": "PRD-7f3e2d1c09a8-b7c6-4d5e-a6f7-8091",
}
SELLER = "lumahome-us"


class Clock:
    """The time now, moved on by the tests: the emulator, the kept tokens and the tokens'
    ends (dated by the real clock when minted) all agree."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def http(clock):
    transport = httpx.ASGITransport(app=create_app(now=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators") as client:
        yield client


@pytest.fixture
def apis(http, clock) -> MarketplaceApis:
    return MarketplaceApis(http, IntakeSettings(ebay_api_base_url=BASE_URL), AccessTokens(clock))


def seller(**credentials) -> Account:
    given = credentials or {"keysets": [KEYSET], "refresh_token": "v^1.1#i^1#r^1#refresh-lumahome"}
    return Account(Channel.EBAY, SELLER, "luma-home", "US", given)


@pytest.fixture
def account() -> Account:
    return seller()


async def minted(http: httpx.AsyncClient) -> int:
    return (await http.get("/_emulator/ebay/tokens")).json()["minted"].get("refresh_token", 0)


async def held(http: httpx.AsyncClient, return_id: str, **change) -> dict:
    """The emulator's return, moved first when `change` says (state, escalated)."""
    if change:
        await http.put(f"/_emulator/ebay/returns/{return_id}", json=change)
    return (await http.get(f"/_emulator/ebay/returns/{return_id}")).json()


async def notification(http: httpx.AsyncClient, event: str, return_id: str) -> bytes:
    order = {"event": event, "return_id": return_id, "recipient": SELLER, "keyset": KEYSET}
    return (await http.post("/_emulator/ebay/notifications", json=order)).json()["body"].encode()
