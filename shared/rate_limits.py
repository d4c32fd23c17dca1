"""Abuse limits on every service's HTTP surface, counted by the `limits` library.

- Per client address, before anything else (every route, the public ones too):
  `RATE_LIMIT_PER_ADDRESS`.
- Per signed-in caller, keyed by the token's subject once it is verified (whatever address it
  calls from): `RATE_LIMIT_PER_PRINCIPAL`.
- Refused tokens per client address: `RATE_LIMIT_REFUSED_TOKENS`; past it, the address's
  calls with a token are answered 429 before the token is even checked, so that guessing
  tokens goes nowhere.

Past a limit: 429 with Retry-After (seconds) and `{"error", "detail"}` as the edge answers.
Counted in process by default; in Redis when `REDIS_URL` is set, so that replicas share the
counts. If Redis cannot be reached, requests pass (and a warning is logged): the limits
guard against abuse, they must not take the service down with them.
"""

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse_many
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from shared import edge
from shared.clients import TrustedProxies
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

WARNING_PAUSE = 60.0  # seconds between two warnings that the shared counts cannot be read


def storage_uri(redis_url: str | None) -> tuple[str, dict[str, Any]]:
    """Where the counts are kept: `limits`' storage URI and its options."""
    if not redis_url:
        return "async+memory://", {}
    scheme, _, rest = redis_url.partition("://")
    if scheme in ("redis", "rediss"):
        uri = f"async+{redis_url}"
    elif scheme == "unix":
        uri = f"async+redis+unix://{rest}"
    else:
        raise ValueError(f"REDIS_URL must be a redis://, rediss:// or unix:// URL: {redis_url!r}")
    return uri, {"implementation": "redispy", "wrap_exceptions": True}


class Throttled(Exception):
    def __init__(self, detail: str, wait: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.wait = wait


@dataclass
class RateLimits:
    service: str
    per_address: list[RateLimitItem]
    per_principal: list[RateLimitItem]
    refused_tokens: list[RateLimitItem]
    proxies: TrustedProxies
    limiter: SlidingWindowCounterRateLimiter
    _warned_at: float = field(default=-WARNING_PAUSE, repr=False)

    @classmethod
    def from_settings(cls, service: str, settings: ServiceSettings) -> "RateLimits":
        uri, options = storage_uri(settings.redis_url)
        return cls(
            service,
            parse_many(settings.rate_limit_per_address),
            parse_many(settings.rate_limit_per_principal),
            parse_many(settings.rate_limit_refused_tokens),
            TrustedProxies.of(settings.trusted_proxies),
            SlidingWindowCounterRateLimiter(storage_from_string(uri, **options)),
        )

    async def hit(self, items: list[RateLimitItem], *key: str) -> int | None:
        """Count one call: None while under every limit, else the seconds to wait."""
        return await self._counted(True, items, key)

    async def exhausted(self, items: list[RateLimitItem], *key: str) -> int | None:
        """Whether one more call would pass (counting nothing): None, else the seconds."""
        return await self._counted(False, items, key)

    async def _counted(
        self, hit: bool, items: list[RateLimitItem], key: tuple[str, ...]
    ) -> int | None:
        try:
            for item in items:
                passed = await (self.limiter.hit if hit else self.limiter.test)(
                    item, self.service, *key
                )
                if not passed:
                    reset_at, _ = await self.limiter.get_window_stats(item, self.service, *key)
                    return max(1, math.ceil(reset_at - time.time()))
        except StorageError as error:
            if time.monotonic() - self._warned_at > WARNING_PAUSE:
                self._warned_at = time.monotonic()
                log.warning("the rate limits' counts cannot be read; calls pass: %s", error)
        return None


def seconds(wait: int) -> str:
    return f"{wait} second{'s' if wait != 1 else ''}"


class AddressLimits:
    """ASGI middleware: the per-address limit, before anything else reads the request."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            address = self.limits.proxies.client_of(scope)
            if wait := await self.limits.hit(self.limits.per_address, "address", address):
                reason = f"too many requests from {address}; try again in {seconds(wait)}"
                await edge.refuse(send, 429, reason, scope, {"retry-after": str(wait)})
                return
        await self.app(scope, receive, send)


def limits_of(request: Request) -> RateLimits | None:
    return getattr(request.app.state, "rate_limits", None)


# The hooks `shared.identity.authenticated` calls as it reads the caller's token.


async def token_presented(request: Request) -> None:
    """Refuse (429) an address that has presented too many refused tokens of late."""
    limits = limits_of(request)
    if limits is None:
        return
    address = limits.proxies.client_of(request.scope)
    if wait := await limits.exhausted(limits.refused_tokens, "refused", address):
        raise Throttled(f"too many refused tokens from {address}", wait)


async def token_refused(request: Request) -> None:
    """Count a refused token against the address; 429 instead of 401 past the limit."""
    limits = limits_of(request)
    if limits is None:
        return
    address = limits.proxies.client_of(request.scope)
    if wait := await limits.hit(limits.refused_tokens, "refused", address):
        raise Throttled(f"too many refused tokens from {address}", wait)


async def principal_called(request: Request, subject: str) -> None:
    limits = limits_of(request)
    if limits is None:
        return
    if wait := await limits.hit(limits.per_principal, "principal", subject):
        raise Throttled(f"too many requests by {subject}", wait)


async def throttled(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Throttled)
    detail = f"{error.detail}; try again in {seconds(error.wait)}"
    return JSONResponse(
        {"error": edge.ERRORS[429], "detail": detail},
        status_code=429,
        headers={"Retry-After": str(error.wait)},
    )


def guard(app: FastAPI, service: str, settings: ServiceSettings) -> None:
    """Count every request of the app by address (add it after the edge: it runs first),
    and its callers' tokens by subject and refusals."""
    limits = RateLimits.from_settings(service, settings)
    app.state.rate_limits = limits
    app.add_exception_handler(Throttled, throttled)
    app.add_middleware(AddressLimits, limits=limits)
