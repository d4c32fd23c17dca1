"""Warehouse systems' webhooks: a dispatch task POSTed to the URL a warehouse registered,
signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with
the endpoint's own secret. `webhook-id` is the same on every retry, so the receiver can
drop duplicates. A 2xx takes the task; no answer or any other is `Unavailable` or
`Refused` (shared.outbound), and the delivery worker tries again either way.

A webhook reaches only public https addresses, checked when it is registered and again
before every delivery, after DNS resolution (so a name that comes to point inside does not
pass): private, loopback, link-local and other non-global addresses are refused unless the
host or its network is allowlisted (WAREHOUSE_WEBHOOK_PRIVATE_HOSTS)."""

import asyncio
import base64
import ipaddress
import secrets
import socket
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from shared.messaging_tables import utc_now
from shared.outbound import Refused, answer_to

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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def private_hosts(allowed: list[str]) -> tuple[set[str], list[Network]]:
    """The allowlist as host names and networks ("wms.local", "10.20.0.0/16", "127.0.0.1")."""
    names, networks = set(), []
    for entry in allowed:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower())
    return names, networks


async def addresses_of(host: str) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    loop = asyncio.get_running_loop()
    found = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in found}


class WarehouseWebhooks:
    def __init__(self, client: httpx.AsyncClient, private_hosts_allowed: list[str] = ()) -> None:
        self.client = client
        self.names, self.networks = private_hosts(list(private_hosts_allowed))

    async def refusal_of(self, url: str) -> str | None:
        """Why a webhook may not go to `url`, or None."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self.names:
            return None
        try:
            addresses = await addresses_of(host)
        except (OSError, UnicodeError):
            return f"{host} does not resolve"
        if addresses and all(any(a in n for n in self.networks) for a in addresses):
            return None
        if parts.scheme != "https":
            return "a warehouse webhook must be an https address"
        if inside := sorted(str(a) for a in addresses if not a.is_global):
            return f"{host} points at an address that is not public ({', '.join(inside)})"
        return None

    async def send(self, url: str, secret: str, delivery_id: str, body: str) -> int:
        """The warehouse's 2xx status, once it took the task."""
        if refusal := await self.refusal_of(url):
            raise Refused(SYSTEM, refusal)
        headers = signed_headers(secret, delivery_id, body, utc_now())
        request = self.client.build_request("POST", url, content=body, headers=headers)
        answer = await answer_to(self.client, request, SYSTEM, f"delivery {delivery_id}")
        return answer.status_code
