"""Shopify's side of a webhook: a delivery as Shopify sends it over HTTPS, for demos and
tests to send as Shopify would (https://shopify.dev/docs/apps/build/webhooks/delivery-structure,
https://shopify.dev/docs/apps/build/webhooks/verify-deliveries).

A POST of the JSON body with `X-Shopify-Topic`, `X-Shopify-Shop-Domain`,
`X-Shopify-API-Version`, `X-Shopify-Webhook-Id` (the delivery), `X-Shopify-Event-Id` (the
event: the same on a redelivery), `X-Shopify-Triggered-At` and `X-Shopify-Hmac-Sha256`, the
base64 HMAC-SHA256 of the raw body keyed with the app's client secret.
"""

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime

API_VERSION = "2026-10"


def hmac_of(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signed_headers(
    shop: str, secret: str, topic: str, body: bytes, event_id: str, triggered_at: datetime
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Webhook-Id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{shop}/{event_id}")),
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": triggered_at.astimezone(UTC).isoformat(),
        "X-Shopify-Hmac-Sha256": hmac_of(secret, body),
    }
