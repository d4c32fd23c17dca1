"""Amazon's Selling Partner API as intake calls it for a seller account.

Follows "Connecting to the Selling Partner API"
(https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api):
- an access token from Login with Amazon: `POST {AMAZON_LWA_BASE_URL}/auth/o2/token`,
  form `grant_type=refresh_token`, `refresh_token`, `client_id`, `client_secret`;
  answered `{"access_token", "token_type": "bearer", "expires_in": 3600, ...}` or, refused,
  `{"error", "error_description"}`. Kept per account by `apis.tokens`, refreshed before it
  runs out, forgotten when the SP-API says it is no longer good;
- each call to the account's regional endpoint (or AMAZON_SP_API_BASE_URL) with the token
  in `x-amz-access-token`. Errors come as `{"errors": [{"code", "message", "details"}]}`;
  403 `Unauthorized` for a token that expired or was revoked (tried once more with a new
  one); 429 `QuotaExceeded`, whose pause is read from `x-amzn-RateLimit-Limit` (requests
  per second: "0.0167" is one a minute) when no Retry-After says
  (https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits);
- a restricted operation (one answering a buyer's personal data, such as getOrderAddress)
  with a Restricted Data Token instead: `POST /tokens/2021-03-01/restrictedDataToken`,
  `{"restrictedResources": [{"method", "path"}]}`, answered `{"restrictedDataToken",
  "expiresIn"}` (https://developer-docs.amazon.com/sp-api/docs/tokens-api-use-case-guide).

An account's credentials (`Account.credentials`, sealed at rest): `lwa_client_id`,
`lwa_client_secret`, `refresh_token`, and optionally `region` ("na", "eu", "fe") and
`marketplace_ids`. None of them ever appears in an error, a log line or an answer.
"""

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from pydantic import BaseModel, Field

from services.intake.channels.amazon.marketplaces import ENDPOINTS, MARKETPLACE_IDS, region_of
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.tokens import AccessToken
from services.intake.domain.account import Account
from shared.markets import Market
from shared.messaging_tables import utc_now
from shared.outbound import (
    TRANSIENT_STATUSES,
    Refused,
    Unavailable,
    ensure_success,
    excerpt,
    resource_of,
    retry_after_of,
)

SP_API = "Amazon SP-API"
LWA = "Login with Amazon"
TOKEN_PATH = "/auth/o2/token"
RDT_PATH = "/tokens/2021-03-01/restrictedDataToken"  # the Tokens API
USER_AGENT = "aftersales-intake/1.0 (Language=Python)"
RATE_LIMIT = "x-amzn-RateLimit-Limit"
# The pause after a 429 that names no rate (one call a minute is the slowest plan).
DEFAULT_THROTTLE_PAUSE = 60.0


@dataclass(frozen=True)
class SellingPartner:
    """What an Amazon account's credentials say of its SP-API authorisation."""

    account: str  # the seller id
    client_id: str
    client_secret: str
    refresh_token: str
    region: str
    marketplace_ids: tuple[str, ...]

    def __repr__(self) -> str:  # never a credential, wherever a partner is logged
        return f"SellingPartner({self.account!r}, {self.region!r})"

    @property
    def token_key(self) -> tuple[str, str]:
        """The access token's key: the account and (a digest of) the credentials it was
        got with, so that rotated or revoked credentials are never answered from before."""
        digest = hashlib.sha256(f"{self.client_id}|{self.refresh_token}".encode()).hexdigest()
        return ("amazon", f"{self.account}:{digest[:16]}")


def selling_partner(account: Account) -> SellingPartner | None:
    """The account's SP-API authorisation; None when it has none (uploads only)."""
    credentials = account.credentials
    needed = ("lwa_client_id", "lwa_client_secret", "refresh_token")
    if not all(isinstance(credentials.get(name), str) and credentials[name] for name in needed):
        return None
    market = Market(account.default_market) if account.default_market else None
    marketplace_ids = credentials.get("marketplace_ids") or (
        [MARKETPLACE_IDS[market]] if market else []
    )
    return SellingPartner(
        account=account.account,
        client_id=credentials["lwa_client_id"],
        client_secret=credentials["lwa_client_secret"],
        refresh_token=credentials["refresh_token"],
        region=str(credentials.get("region") or region_of(market)).lower(),
        marketplace_ids=tuple(marketplace_ids),
    )


class LwaToken(BaseModel):
    access_token: str
    expires_in: int = 3600


async def fresh_token(apis: MarketplaceApis, partner: SellingPartner) -> AccessToken:
    """A new access token from Login with Amazon."""
    request = apis.http.build_request(
        "POST",
        f"{apis.settings.amazon_lwa_base_url.rstrip('/')}{TOKEN_PATH}",
        data={
            "grant_type": "refresh_token",
            "refresh_token": partner.refresh_token,
            "client_id": partner.client_id,
            "client_secret": partner.client_secret,
        },
    )
    what = f"an access token of seller {partner.account}"
    response = await sent(apis.http, request, LWA, what)
    ensure_success(response, LWA, what, lwa_reason)
    token = resource_of(LwaToken, response, LWA, what)
    return AccessToken(token.access_token, utc_now() + timedelta(seconds=token.expires_in))


def lwa_reason(response: httpx.Response) -> tuple[str | None, str]:
    """LWA's `{"error", "error_description"}`."""
    try:
        body = response.json()
        return body.get("error"), f"{body.get('error')}: {body.get('error_description', '')}"
    except (ValueError, AttributeError):
        return None, excerpt(response)


def sp_api_reason(response: httpx.Response) -> tuple[str | None, str]:
    """The first of SP-API's `{"errors": [{"code", "message", "details"}]}`."""
    try:
        first = response.json()["errors"][0]
        details = f" ({first['details']})" if first.get("details") else ""
        return first.get("code"), f"{first.get('code')}: {first.get('message')}{details}"
    except (ValueError, KeyError, IndexError, TypeError):
        return None, excerpt(response)


def base_url(apis: MarketplaceApis, partner: SellingPartner) -> str:
    configured = apis.settings.amazon_sp_api_base_url
    return (configured or ENDPOINTS.get(partner.region, ENDPOINTS["na"])).rstrip("/")


async def call(
    apis: MarketplaceApis,
    partner: SellingPartner,
    method: str,
    path: str,
    what: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    restricted_token: str | None = None,
) -> httpx.Response:
    """The 2xx answer of one SP-API operation, or Unavailable/Refused; a token the SP-API
    no longer takes is replaced once. A restricted operation (one that answers a buyer's
    personal data) is called with its `restricted_token` instead (`restricted_call`)."""
    key = partner.token_key
    for last_try in (False, True):
        token = restricted_token or await apis.tokens.token(key, lambda: fresh_token(apis, partner))
        request = apis.http.build_request(
            method,
            f"{base_url(apis, partner)}{path}",
            params=params,
            json=json,
            headers={
                "x-amz-access-token": token,
                "x-amz-date": utc_now().strftime("%Y%m%dT%H%M%SZ"),
                "user-agent": USER_AGENT,
                "accept": "application/json",
            },
        )
        response = await sent(apis.http, request, SP_API, what)
        if response.status_code in (401, 403) and not last_try and not restricted_token:
            apis.tokens.forget(key)  # expired or revoked: once more with a new token
            continue
        ensure_answered(response, what)
        return response
    raise AssertionError("unreachable")  # pragma: no cover


class RestrictedDataToken(BaseModel):
    restrictedDataToken: str = Field(min_length=1)
    expiresIn: int | None = None


async def restricted_call(
    apis: MarketplaceApis, partner: SellingPartner, path: str, what: str
) -> httpx.Response:
    """A GET of a restricted operation (the buyer's address): the Tokens API's Restricted
    Data Token for exactly this path first, then the call with it. One token per call:
    an RDT names its resource, and personal data is read only when it is needed."""
    body = {"restrictedResources": [{"method": "GET", "path": path}]}
    asked = f"a restricted data token for {what}"
    answer = await call(apis, partner, "POST", RDT_PATH, asked, json=body)
    token = resource_of(RestrictedDataToken, answer, SP_API, asked).restrictedDataToken
    return await call(apis, partner, "GET", path, what, restricted_token=token)


def ensure_answered(response: httpx.Response, what: str) -> None:
    """ensure_success, with SP-API's throttling pause."""
    if response.status_code == 429:
        _, said = sp_api_reason(response)
        raise Unavailable(
            SP_API,
            f"answered 429 for {what}: {said}; try again later",
            429,
            retry_after_of(response) or throttle_pause(response),
        )
    ensure_success(response, SP_API, what, sp_api_reason)


def throttle_pause(response: httpx.Response) -> float:
    """Seconds until the usage plan allows the next call: one over its rate."""
    try:
        rate = float(response.headers.get(RATE_LIMIT, ""))
    except ValueError:
        return DEFAULT_THROTTLE_PAUSE
    return min(max(1 / rate, 1.0), 3600.0) if rate > 0 else DEFAULT_THROTTLE_PAUSE


async def sent(
    client: httpx.AsyncClient, request: httpx.Request, system: str, what: str
) -> httpx.Response:
    try:
        return await client.send(request)
    except httpx.TimeoutException as error:
        raise Unavailable(system, f"no answer in time for {what}") from error
    except httpx.TransportError as error:
        raise Unavailable(system, f"unreachable for {what}: {error.__class__.__name__}") from error


async def download(apis: MarketplaceApis, url: str, compression: str | None, what: str) -> bytes:
    """A document at its presigned URL (no SP-API token goes there), unzipped when Amazon
    says it is gzipped. A link that expired (they last five minutes) is Unavailable: the
    next try asks Amazon for a new one."""
    response = await sent(apis.http, apis.http.build_request("GET", url), "Amazon documents", what)
    status = response.status_code
    if status in (401, 403) or status in TRANSIENT_STATUSES or status >= 500:
        raise Unavailable("Amazon documents", f"answered {status} for {what}", status)
    if not response.is_success:
        raise Refused("Amazon documents", f"answered {status} for {what}", status)
    if compression is None:
        return response.content
    if compression.upper() != "GZIP":
        raise Refused("Amazon documents", f"{what} is compressed with {compression}")
    try:
        return gzip.decompress(response.content)
    except (EOFError, OSError, zlib.error) as error:
        # Cut short on the way: fetched again on the next try.
        raise Unavailable("Amazon documents", f"{what} is not whole gzip: {error}") from error
