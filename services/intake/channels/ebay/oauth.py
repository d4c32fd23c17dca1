"""eBay OAuth: the seller's user access token, minted from the refresh token the seller
gave when consenting, for the Post-Order API.

`mint_user_token` calls eBay's token endpoint as "Using a refresh token to update a User
access token" says (https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html):
POST {base_url}/identity/v1/oauth2/token, `Content-Type: application/x-www-form-urlencoded`,
`Authorization: Basic base64(<client_id>:<client_secret>)` (the app's App ID and Cert ID),
the form `grant_type=refresh_token&refresh_token=<token>&scope=<space-separated scopes>`.
The answer is `{"access_token", "expires_in" (seconds, 7200 today), "token_type": "User
Access Token"}`; an error is `{"error", "error_description"}` as eBay's own OAuth clients
read it (https://github.com/eBay/ebay-oauth-python-client, oauth2api.py): `invalid_grant`
(400: the refresh token expired, was revoked or belongs to another app) and
`invalid_client` (401: the app's credentials) are `Refused`, 429 and 5xx `Unavailable`.

An account's credentials name its tokens one of two ways (`UserCredentials`):
- `refresh_token`, with the app's `client_id` and `client_secret` (by default the App ID
  and Cert ID of its first keyset, which are eBay's client id and secret), and optionally
  `scopes`: access tokens are minted, kept per account in `MarketplaceApis.tokens`,
  refreshed two minutes before they run out and forgotten when eBay answers 401;
- `user_token`: a user access token given as is (a seller who pasted one), used until
  eBay refuses it.

No secret is ever put in an error: eBay's own `error_description` names none.
"""

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.tokens import AccessToken
from services.intake.domain.account import Account
from shared.messaging_tables import utc_now
from shared.outbound import Refused, answer_to, resource_of

EBAY = "eBay"
TOKEN_PATH = "/identity/v1/oauth2/token"
# What intake does for a seller: read and act on returns (Post-Order) and their refunds.
SCOPES = (
    "https://api.ebay.com/oauth/api_scope",
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
)
UNAUTHORIZED = 401

Result = TypeVar("Result")


class TokenAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    access_token: str = Field(min_length=1)
    expires_in: int = Field(gt=0)
    token_type: str | None = None


@dataclass(frozen=True)
class UserCredentials:
    """How an account's user access tokens are had: minted from a refresh token, or given."""

    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scopes: tuple[str, ...] = SCOPES
    user_token: str | None = None

    @property
    def mints(self) -> bool:
        return bool(self.refresh_token and self.client_id and self.client_secret)


def credentials_of(account: Account) -> UserCredentials:
    given: dict[str, Any] = account.credentials
    keysets = given.get("keysets") or [{}]
    return UserCredentials(
        refresh_token=given.get("refresh_token"),
        client_id=given.get("client_id") or keysets[0].get("app_id"),
        client_secret=given.get("client_secret") or keysets[0].get("cert_id"),
        scopes=tuple(given.get("scopes") or SCOPES),
        user_token=given.get("user_token"),
    )


async def mint_user_token(
    client: httpx.AsyncClient,
    base_url: str,
    credentials: UserCredentials,
    now: Callable[[], datetime] = utc_now,
) -> AccessToken:
    """A new user access token from the refresh token, its end dated by `now`; `base_url` is
    e.g. api.ebay.com's."""
    if not credentials.mints:
        raise Refused(EBAY, "the account has no refresh token with its app's client id and secret")
    pair = f"{credentials.client_id}:{credentials.client_secret}".encode()
    request = client.build_request(
        "POST",
        f"{base_url.rstrip('/')}{TOKEN_PATH}",
        data={
            "grant_type": "refresh_token",
            "refresh_token": credentials.refresh_token,
            "scope": " ".join(credentials.scopes),
        },
        headers={
            "Authorization": f"Basic {base64.b64encode(pair).decode()}",
            "Accept": "application/json",
        },
    )
    what = "a user access token"
    response = await answer_to(client, request, EBAY, what, reason_of=oauth_error_of)
    answer = resource_of(TokenAnswer, response, EBAY, what)
    return AccessToken(answer.access_token, now() + timedelta(seconds=answer.expires_in))


def oauth_error_of(response: httpx.Response) -> tuple[str | None, str]:
    """eBay's `error` code and `error_description`, else the start of the body."""
    try:
        said = response.json()
        return said["error"], f"{said['error']}: {said.get('error_description', '')}".strip()
    except (ValueError, KeyError, TypeError):
        return None, response.text[:300].strip() or response.reason_phrase


async def user_token(account: Account, apis: MarketplaceApis) -> str:
    """The account's user access token: a kept one while good, else minted; or the given one."""
    credentials = credentials_of(account)
    if credentials.mints:
        settings = apis.settings
        return await apis.tokens.token(
            key_of(account),
            lambda: mint_user_token(
                apis.http, settings.ebay_api_base_url, credentials, apis.tokens.now
            ),
        )
    if credentials.user_token:
        return credentials.user_token
    raise Refused(EBAY, f"account {account.account} has neither a refresh token nor a user token")


async def as_the_seller(
    account: Account,
    apis: MarketplaceApis,
    call: Callable[[str], Awaitable[Result]],
) -> Result:
    """`call` with the seller's user token; once more with a new one when eBay answers 401 to
    a minted token (expired early, or revoked): a 401 means the call was not carried out."""
    token = await user_token(account, apis)
    try:
        return await call(token)
    except Refused as refusal:
        if refusal.status != UNAUTHORIZED or not credentials_of(account).mints:
            raise
        apis.tokens.forget(key_of(account))
    return await call(await user_token(account, apis))


def key_of(account: Account) -> tuple[str, str]:
    return (account.channel.value, account.account)
