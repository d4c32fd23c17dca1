"""OAuth access tokens of the marketplaces' APIs (eBay's user tokens from a refresh token,
Walmart's client credentials, Amazon's Login with Amazon), per seller account: fetched
when missing, refreshed before they run out, fetched once at a time per account, and
forgotten when the marketplace says one was revoked (a 401), so the next call fetches
anew."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.messaging_tables import utc_now

# A token this close to its end is refreshed before use: a call must not outlive it.
MARGIN = timedelta(minutes=2)

Key = tuple[str, str]  # (channel, account)


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: datetime


class AccessTokens:
    def __init__(self, now: Callable[[], datetime] = utc_now) -> None:
        self._now = now
        self._tokens: dict[Key, AccessToken] = {}
        self._fetching: dict[Key, asyncio.Lock] = {}

    async def token(self, key: Key, fetch: Callable[[], Awaitable[AccessToken]]) -> str:
        """A valid access token for `key`, fetched by `fetch` when there is none usable."""
        lock = self._fetching.setdefault(key, asyncio.Lock())
        async with lock:
            known = self._tokens.get(key)
            if known is None or known.expires_at - MARGIN <= self._now():
                known = self._tokens[key] = await fetch()
            return known.value

    def forget(self, key: Key) -> None:
        """The marketplace refused the token (revoked, rotated): fetch a new one next time."""
        self._tokens.pop(key, None)

    def now(self) -> datetime:
        """The clock the tokens' ends are read against: a fetch dates a new token's end by it."""
        return self._now()
