"""Access tokens per account: fetched once, refreshed before they run out, forgotten on a
refusal."""

import asyncio
from datetime import UTC, datetime, timedelta

from services.intake.channels.tokens import MARGIN, AccessToken, AccessTokens

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
KEY = ("walmart", "home-goods-us")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def issuer(lifetime: timedelta, clock: Clock):
    issued: list[str] = []

    async def fetch() -> AccessToken:
        await asyncio.sleep(0.01)  # a round trip, during which others wait
        issued.append(f"token-{len(issued) + 1}")
        return AccessToken(issued[-1], clock() + lifetime)

    return fetch, issued


async def test_a_token_is_fetched_once_and_kept_while_it_is_good():
    clock = Clock()
    tokens, (fetch, issued) = AccessTokens(clock), issuer(timedelta(minutes=15), clock)
    first = await asyncio.gather(*(tokens.token(KEY, fetch) for _ in range(5)))
    assert first == ["token-1"] * 5 and issued == ["token-1"]
    clock.now = NOW + timedelta(minutes=15) - MARGIN - timedelta(seconds=1)
    assert await tokens.token(KEY, fetch) == "token-1"


async def test_a_token_near_its_end_is_refreshed_before_use():
    clock = Clock()
    tokens, (fetch, _) = AccessTokens(clock), issuer(timedelta(minutes=15), clock)
    await tokens.token(KEY, fetch)
    clock.now = NOW + timedelta(minutes=15) - MARGIN
    assert await tokens.token(KEY, fetch) == "token-2"


async def test_accounts_have_tokens_of_their_own_and_a_refused_one_is_forgotten():
    clock = Clock()
    tokens, (fetch, _) = AccessTokens(clock), issuer(timedelta(hours=1), clock)
    assert await tokens.token(KEY, fetch) == "token-1"
    assert await tokens.token(("walmart", "other-seller"), fetch) == "token-2"
    tokens.forget(KEY)
    assert await tokens.token(KEY, fetch) == "token-3"
