"""eBay Notification API: the public key an X-EBAY-SIGNATURE names, read and cached.

`read_public_key` calls getPublicKey
(https://developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey):
GET {base_url}/commerce/notification/v1/public_key/{public_key_id}, with an application
access token (client credentials grant, scope https://api.ebay.com/oauth/api_scope) as
`Authorization: Bearer <token>`. The answer is a PublicKey
(https://developer.ebay.com/api-docs/commerce/notification/types/api:PublicKey):
`{"key": ..., "algorithm": "ECDSA", "digest": "SHA1"}`, the key armoured on one line
("-----BEGIN PUBLIC KEY-----MFkw...-----END PUBLIC KEY-----", as in eBay's SDK test data).
It is returned as a standard PEM (armour on lines of their own, 64 characters a line),
armour added if eBay ever sends the bare key: the same key, read by any PEM reader.

eBay asks that the key be cached "for a temporary — but reasonable — amount of time (e.g.,
one-hour is recommended.)" rather than read for every notification: `PublicKeys` keeps each
key an hour by its id. Only keys read successfully are kept: an unknown id is asked again.
Errors (`shared.outbound`): 429, 5xx and no answer in time are `Unavailable`; 404 for an
unknown key id, and other 4xx, are `Refused`; a 2xx without a readable public key is
refused.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, ConfigDict, Field

from services.intake.channels.ebay.account_deletion import pem_of
from shared.outbound import Refused, answer_to, resource_of

EBAY = "eBay"
PRODUCTION = "https://api.ebay.com"
SANDBOX = "https://api.sandbox.ebay.com"
KEPT_FOR_SECONDS = 3600.0


class PublicKeyAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field(min_length=1)
    algorithm: str | None = None
    digest: str | None = None


async def read_public_key(
    client: httpx.AsyncClient, base_url: str, app_token: str, key_id: str
) -> str:
    """eBay's public key `key_id` as a PEM; `base_url` is e.g. `PRODUCTION`."""
    request = client.build_request(
        "GET",
        f"{base_url.rstrip('/')}/commerce/notification/v1/public_key/{quote(key_id, safe='')}",
        headers={"Authorization": f"Bearer {app_token}", "Accept": "application/json"},
    )
    what = f"public key {key_id}"
    response = await answer_to(client, request, EBAY, what)
    return readable_pem(resource_of(PublicKeyAnswer, response, EBAY, what).key, what)


def readable_pem(key: str, what: str) -> str:
    pem = pem_of(key)
    try:
        load_pem_public_key(pem.encode())
    except (ValueError, UnsupportedAlgorithm) as error:
        raise Refused(EBAY, f"the answer for {what} holds no readable key") from error
    return pem


@dataclass(frozen=True)
class KeptKey:
    pem: str
    kept_until: float


class PublicKeys:
    """eBay's public keys by key id, each read once and kept `kept_for` seconds."""

    def __init__(
        self,
        kept_for: float = KEPT_FOR_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept_for = kept_for
        self._clock = clock
        self._keys: dict[str, KeptKey] = {}

    async def key(
        self, client: httpx.AsyncClient, base_url: str, app_token: str, key_id: str
    ) -> str:
        """The PEM of `key_id`: the kept one while it is fresh, else read from eBay."""
        kept = self._keys.get(key_id)
        if kept is not None and self._clock() < kept.kept_until:
            return kept.pem
        pem = await read_public_key(client, base_url, app_token, key_id)
        self._keys[key_id] = KeptKey(pem, self._clock() + self._kept_for)
        return pem
