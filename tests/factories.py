"""Webhook bodies and events for tests."""

import copy
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from deploy.components import free_port
from deploy.dev_issuer import PERSONAS, DevIssuer, Persona
from services.intake.channels.generic.webhook import signed_headers
from shared.events import CaseItem, CaseOpened, Envelope, Remedy, ResolutionDecided, Scenario
from shared.identity import Role
from shared.markets import Currency, Market, Region
from shared.settings import SERVICE_NAMES

BASE_WEBHOOK = {
    "marketplace": "amazon",
    "order_id": "114-3941689-8772232",
    "market": "US",
    "buyer_ref": "buyer-7f3a91",
    "items": [
        {
            "sku": "BT-SPK-200-BLK",
            "asin": "B0C7K2M4QX",
            "title": "Portable Bluetooth Speaker 20W",
            "category": "electronics",
            "quantity": 1,
            "price": "49.99",
            "currency": "USD",
        }
    ],
    "reason_code": "DEFECTIVE",
    "buyer_comment": "Stopped charging after two days.",
    "delivered_at": "2026-11-03T15:20:00Z",
    "buyer": {
        "name": "Jane Doe",
        "email": "jane.doe@example.com",
        "address": {
            "line1": "77 Massachusetts Ave",
            "city": "Cambridge",
            "region": "MA",
            "postal_code": "02139",
            "country": "US",
        },
    },
}


SAMPLES = Path(__file__).parent / "samples"
CHANNEL_ACCOUNTS = SAMPLES / "channel_accounts.json"
GENERIC_ACCOUNT = "test-seller"
GENERIC_SECRET = "gen-secret-new"
BUYER_LINK_SECRET = "test-buyer-link-secret"

# The tests' identity provider: the development issuer (`deploy/dev_issuer.py`) with a key of
# the session's own, served on this port by the `dev_issuer` fixture (tests/conftest.py). Its
# sign-in page offers the test seller's agent beside the demo personas; a test that signs in
# through it adds where its app is served to `ISSUER.redirect_origins`.
SERVICE_SECRET = "test-service-client-secret"
TEST_SELLER_AGENT = Persona(
    "test-seller-agent", "Test seller's agent", (Role.AGENT,), (GENERIC_ACCOUNT,)
)
ISSUER = DevIssuer(
    f"http://127.0.0.1:{free_port()}",
    "after-sales",
    rsa.generate_private_key(public_exponent=65537, key_size=2048),
    {name: SERVICE_SECRET for name in SERVICE_NAMES},
    personas=PERSONAS | {TEST_SELLER_AGENT.subject: TEST_SELLER_AGENT},
)
DAY = 24 * 3600


def token_of(
    roles: Iterable[str],
    sellers: Iterable[str] = (),
    warehouses: Iterable[str] = (),
    repair_shops: Iterable[str] = (),
    name: str = "tester",
    seconds: int = DAY,
    **claims: Any,
) -> str:
    """A token of the tests' issuer, for whoever a test needs to be."""
    persona = Persona(
        name, name, tuple(Role(r) for r in roles), *map(tuple, (sellers, warehouses, repair_shops))
    )
    return ISSUER.mint(persona.claims() | claims, seconds=seconds)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


class SellerPeople:
    """The people of the seller account `name` whom the tests of the walls act as."""

    name: str

    def agent(self) -> dict[str, str]:
        return bearer(token_of(["agent"], sellers=[self.name], name="ida"))

    def operations(self) -> dict[str, str]:
        return bearer(token_of(["operations"], sellers=[self.name], name="otto"))

    def admin(self) -> dict[str, str]:
        return bearer(token_of(["seller_admin"], sellers=[self.name], name="sam"))


# The tests act as the platform admin (every seller) unless they test the walls between
# sellers, warehouses and repair shops: then `token_of` gives them someone scoped.
AGENT_TOKEN = token_of(["platform_admin"], name="agent")
AGENT = bearer(AGENT_TOKEN)
INTERNAL_TOKEN = token_of(["service"], name="tests")  # another service of the stack
STAFF_TOKEN = token_of(
    ["warehouse_staff"], warehouses=["BOS1", "RNO1", "YYZ1", "CVT1", "NUE1"], name="ana"
)
TECHNICIAN_TOKEN = token_of(
    ["technician"], repair_shops=["BOS1", "RNO1", "YYZ1", "CVT1", "NUE1"], name="ben"
)
STAFF = bearer(STAFF_TOKEN)  # warehouse staff member "ana"
TECHNICIAN = bearer(TECHNICIAN_TOKEN)  # technician "ben"


def signed(body: dict | bytes, secret: str = GENERIC_SECRET, when: datetime | None = None):
    """A generic webhook's body and headers, signed as the test seller's channel signs."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw, signed_headers(GENERIC_ACCOUNT, secret, raw, when or datetime.now(UTC))


async def post_case(client: httpx.AsyncClient, body: dict | bytes, **sign) -> httpx.Response:
    raw, headers = signed(body, **sign)
    return await client.post("/webhooks/generic", content=raw, headers=headers)


def webhook(**changes) -> dict:
    body = copy.deepcopy(BASE_WEBHOOK)
    body["event_id"] = f"test-{uuid.uuid4()}"
    body.update(changes)
    return body


def owed_at_once_webhook() -> dict:
    """A UK buyer's broken speaker, five days after delivery: the Consumer Rights Act's
    right to reject makes the full refund owed at once, without an offer to answer."""
    body = webhook(
        market="UK",
        reason_code="DEFECTIVE",
        buyer_comment="Poor quality, broke after two days: the casing split, the sound crackles.",
        delivered_at=(datetime.now(UTC) - timedelta(days=5)).isoformat(),
    )
    body["items"][0]["currency"] = "GBP"
    body["buyer"]["address"] = {
        "line1": "10 Downing Street",
        "city": "London",
        "postal_code": "SW1A 2AA",
        "country": "GB",
    }
    return body


def case_opened(
    case_id: str | None = None,
    reason_code: str = "DEFECTIVE",
    scenario: Scenario | None = Scenario.QUALITY_DEFECT,
) -> CaseOpened:
    return CaseOpened(
        case_id=case_id or f"case-{uuid.uuid4()}",
        marketplace="amazon",
        marketplace_event_id=f"evt-{uuid.uuid4()}",
        order_id="114-3941689-8772232",
        market=Market.US,
        region=Region.NA,
        buyer_ref="buyer-1",
        buyer_language="en",
        currency=Currency.USD,
        items=[CaseItem(sku="BT-SPK-200-BLK", quantity=1, unit_price_minor=4999)],
        reason_code=reason_code,
        scenario=scenario,
        opened_at=datetime.now(UTC),
    )


def resolution_decided(
    sku: str, remedy: Remedy = Remedy.PART_SHIPMENT, market: Market = Market.US
) -> ResolutionDecided:
    return ResolutionDecided(
        case_id=f"case-{uuid.uuid4()}",
        scenario=Scenario.FUNCTIONAL_FAULT,
        remedy=remedy,
        market=market,
        region=Region.NA,
        currency=Currency.USD,
        refund_minor=0,
        items=[CaseItem(sku=sku, quantity=1, unit_price_minor=4999)],
        rule="test",
    )


def envelope_bytes(envelope: Envelope) -> bytes:
    return envelope.model_dump_json().encode()
