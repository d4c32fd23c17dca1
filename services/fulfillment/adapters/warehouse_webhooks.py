"""Warehouse systems' webhooks: a dispatch task POSTed to the URL a warehouse registered,
signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with
the endpoint's own secret. `webhook-id` is the same on every retry, so the receiver can
drop duplicates. A 2xx takes the task; no answer or any other is `Unavailable` or
`Refused` (shared.outbound), and the delivery worker tries again either way."""

import base64
import secrets
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from shared.messaging_tables import utc_now
from shared.outbound import answer_to

SYSTEM = "warehouse system"


def new_secret() -> str:
    """An endpoint's signing secret, handed to the warehouse once, when it registers."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, delivery_id: str, body: str, now: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, now.astimezone(UTC), body),
    }


class WarehouseWebhooks:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, url: str, secret: str, delivery_id: str, body: str) -> int:
        """The warehouse's 2xx status, once it took the task."""
        headers = signed_headers(secret, delivery_id, body, utc_now())
        request = self.client.build_request("POST", url, content=body, headers=headers)
        answer = await answer_to(self.client, request, SYSTEM, f"delivery {delivery_id}")
        return answer.status_code
