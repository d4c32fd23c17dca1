"""The emulated outside APIs (`deploy/emulators/`) served in the test's own process through
the ASGI transport, on a clock the test moves and the code under test shares."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx

from deploy.emulators.app import create_app


class Clock:
    """Now, as the emulators and intake's token caches both see it; a test moves it on."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def emulators_on(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the emulators (base URL `http://emulators`), dated by `clock`."""
    transport = httpx.ASGITransport(app=create_app(now=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators") as http:
        yield http
