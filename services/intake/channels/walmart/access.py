"""How intake calls Walmart for a seller: with an access token of the seller's account.

An account's credentials hold its client ID and secret (`client_id`, `client_secret`):
its tokens come from Walmart's Token API through `apis.tokens`, fetched once, refreshed
before their 15 minutes run out, and forgotten when Walmart answers a call with 401 (a
revoked or expired token), after which the call is made once more with a new token. An
account set up with an `access_token` alone (a token someone else keeps fresh) calls with
that token as it is. `check_account` proves the credentials: a new token, and its detail
showing the Returns API granted in full (refunds need it).
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.tokens import AccessToken, Key
from services.intake.channels.walmart import token_api
from services.intake.channels.walmart.api import WALMART
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from shared.outbound import Refused

T = TypeVar("T")
UNAUTHORIZED = 401
FULL_ACCESS = "full_access"


def key_of(account: Account) -> Key:
    return (Channel.WALMART.value, account.account)


def client_credentials(account: Account) -> tuple[str, str] | None:
    client_id = str(account.credentials.get("client_id") or "")
    client_secret = str(account.credentials.get("client_secret") or "")
    return (client_id, client_secret) if client_id and client_secret else None


async def access_token(account: Account, apis: MarketplaceApis) -> str:
    """A token to call Walmart with for `account`."""
    credentials = client_credentials(account)
    if credentials is None:
        token = str(account.credentials.get("access_token") or "")
        if not token:
            raise Refused(WALMART, f"account {account.account} has no client credentials")
        return token
    base_url = apis.settings.walmart_api_base_url

    async def fetch() -> AccessToken:
        return await token_api.fetch_token(apis.http, base_url, *credentials, now=apis.tokens.now)

    return await apis.tokens.token(key_of(account), fetch)


async def with_token(
    account: Account, apis: MarketplaceApis, call: Callable[[str], Awaitable[T]]
) -> T:
    """`call` with a token; once more with a new one if Walmart refused the first (401)."""
    try:
        return await call(await access_token(account, apis))
    except Refused as refused:
        if refused.status != UNAUTHORIZED or client_credentials(account) is None:
            raise
        apis.tokens.forget(key_of(account))
        return await call(await access_token(account, apis))


async def check_account(account: Account, apis: MarketplaceApis) -> None:
    """Refused unless the credentials get a token that may read and refund returns."""
    credentials = client_credentials(account)
    base_url = apis.settings.walmart_api_base_url
    if credentials is None:
        token = await access_token(account, apis)
    else:
        fresh = await token_api.fetch_token(apis.http, base_url, *credentials, now=apis.tokens.now)
        token = fresh.value
    detail = await token_api.token_detail(apis.http, base_url, token)
    if not detail.is_valid:
        raise Refused(WALMART, f"account {account.account}: Walmart says the token is not valid")
    if detail.scopes.returns != FULL_ACCESS:
        granted = detail.scopes.returns
        raise Refused(
            WALMART, f"account {account.account}: the Returns API is {granted}, not {FULL_ACCESS}"
        )
