"""Marketplace webhooks (`handlers/webhooks.py`): no answer tells which seller accounts
exist, and one seller's delivery ids are its own."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from services.intake.channels.common import hmac_sha256_base64
from services.intake.domain.opening import case_id_of
from tests.factories import SAMPLES, webhook
from tests.handlers.intake.conftest import Seller

SHOP = "linen-home.myshopify.com"  # in the session's accounts file


def shopify_request(shop: str, secret: str) -> tuple[bytes, dict[str, str]]:
    body = (SAMPLES / "shopify" / "returns_request.json").read_bytes()
    return body, {
        "content-type": "application/json",
        "X-Shopify-Topic": "returns/request",
        "X-Shopify-Hmac-Sha256": hmac_sha256_base64(secret, body),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


async def test_an_unknown_generic_account_is_answered_as_a_bad_signature(intake, seller):
    forged = await seller.post(intake, secret="not-the-secret")
    unknown = await seller.post(intake, account=f"nobody-{uuid.uuid4().hex[:6]}")
    assert (unknown.status_code, unknown.json()) == (forged.status_code, forged.json())
    assert forged.status_code == 401 and forged.json()["error"] == "bad_signature"


@pytest.mark.parametrize("signed_with", ["not-the-secret", ""])
async def test_an_unknown_shop_is_answered_as_a_bad_signature(intake, signed_with):
    body, headers = shopify_request(SHOP, "wrong-secret")
    headers["X-Shopify-Hmac-Sha256"] = signed_with and headers["X-Shopify-Hmac-Sha256"]
    forged = await intake.post("/webhooks/shopify", content=body, headers=headers)
    headers["X-Shopify-Shop-Domain"] = f"nobody-{uuid.uuid4().hex[:6]}.myshopify.com"
    unknown = await intake.post("/webhooks/shopify", content=body, headers=headers)
    assert forged.status_code == unknown.status_code == 401
    assert forged.content == unknown.content


async def test_two_sellers_with_the_same_event_id_each_have_their_delivery(intake, seller):
    other = Seller(f"seller-{uuid.uuid4().hex[:8]}", f"secret-{uuid.uuid4().hex}")
    assert (await other.create(intake)).status_code == 201
    body = webhook()
    first = await seller.post(intake, body)
    second = await other.post(intake, body)
    assert (first.status_code, second.status_code) == (202, 202)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, False)
    delivery_id = f"{body['marketplace']}:{body['event_id']}"
    assert first.json()["case_id"] == case_id_of("generic", delivery_id, account=seller.account)
    assert second.json()["case_id"] == case_id_of("generic", delivery_id, account=other.account)
    assert first.json()["case_id"] != second.json()["case_id"]
    again = await other.post(intake, body)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    assert again.json()["case_id"] == second.json()["case_id"]


async def test_a_delivery_accepted_before_accounts_were_in_the_keys_is_answered_its_old_case(
    intake, seller
):
    body = webhook()
    first = await seller.post(intake, body)
    async with intake.service.engine.begin() as connection:
        await connection.execute(
            text("UPDATE intake.deliveries SET legacy_case_id = true WHERE account = :a"),
            {"a": seller.account},
        )
    again = await seller.post(intake, body)
    delivery_id = f"{body['marketplace']}:{body['event_id']}"
    assert first.json()["case_id"] != again.json()["case_id"]
    assert again.json()["case_id"] == f"case-{legacy_uuid('generic', delivery_id)}"


def legacy_uuid(channel: str, key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.UUID("6f1c9a52-3c1e-4c43-9a57-2f0e8d7b1c11"), f"{channel}:{key}")
