"""Walmart's Token API: an access token for a seller's client credentials, and what it may do.

- `fetch_token`: POST {base_url}/v3/token with the client ID and secret as basic auth, the
  form body `grant_type=client_credentials`, and `WM_SVC.NAME` and `WM_QOS.CORRELATION_ID`
  (https://developer.walmart.com/us-marketplace/docs/get-an-access-token, reference
  https://developer.walmart.com/us-marketplace/reference/tokenapi). Walmart answers
  `{"access_token", "token_type": "Bearer", "expires_in": 900}`: a token lives 15 minutes,
  and the client-credentials grant gives no refresh token, so a new one is asked for with
  the same credentials. Wrong credentials are a 401.
- `token_detail`: GET {base_url}/v3/token/detail with the token, the scopes the seller
  granted per API category (`returns`, `orders`...: "full_access", "view_only",
  "no_access"); onboarding checks an account's credentials with it (Token Detail, in the
  same Authentication reference).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.tokens import AccessToken
from services.intake.channels.walmart.api import WALMART, reason_of, url, walmart_headers
from shared.outbound import answer_to, resource_of


class IssuedToken(BaseModel):
    access_token: str = Field(min_length=1)
    token_type: str = "Bearer"
    expires_in: int = Field(gt=0)


class Scopes(BaseModel):
    """Per API category, what the token may do; a category Walmart leaves out is not granted."""

    model_config = ConfigDict(extra="allow")

    returns: str = "no_access"
    orders: str = "no_access"


class TokenDetail(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel)

    is_valid: bool = False
    scopes: Scopes = Scopes()


async def fetch_token(
    client: httpx.AsyncClient,
    base_url: str,
    client_id: str,
    client_secret: str,
    now: Callable[[], datetime],
) -> AccessToken:
    """A new access token; `now` dates its end (asked just before Walmart answered)."""
    asked_at = now()
    request = client.build_request(
        "POST",
        url(base_url, "/v3/token"),
        data={"grant_type": "client_credentials"},
        headers=walmart_headers(),
    )
    what = "an access token"
    auth = httpx.BasicAuth(client_id, client_secret)
    response = await answer_to(client, request, WALMART, what, auth=auth, reason_of=reason_of)
    issued = resource_of(IssuedToken, response, WALMART, what)
    return AccessToken(issued.access_token, asked_at + timedelta(seconds=issued.expires_in))


async def token_detail(client: httpx.AsyncClient, base_url: str, access_token: str) -> TokenDetail:
    request = client.build_request(
        "GET", url(base_url, "/v3/token/detail"), headers=walmart_headers(access_token)
    )
    what = "the access token's detail"
    response = await answer_to(client, request, WALMART, what, reason_of=reason_of)
    return resource_of(TokenDetail, response, WALMART, what)
