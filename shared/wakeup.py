"""A background loop that drains a table whenever a commit notifies it, polling as a fallback.

Writers fire `pg_notify(channel)` from a trigger, which PostgreSQL delivers on commit;
the loop LISTENs on its own connection. The outbox relay and intake's delivery worker
both run on it.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg

from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

FAILURE_PAUSE_SECONDS = 1.0


def retry_pause(attempts: int) -> timedelta:
    """How long work that failed `attempts` times waits before its next try: 1 s, 2 s, 4 s,
    ... up to 5 minutes."""
    return timedelta(seconds=min(2 ** (attempts - 1), 300))


class NotifiedLoop:
    """Calls `drain` until stopped; `drain` returns True when more work is already waiting."""

    def __init__(
        self,
        name: str,
        channel: str,
        drain: Callable[[], Awaitable[bool]],
        settings: ServiceSettings,
        payloads: frozenset[str] | None = None,
    ) -> None:
        self.name = name
        self.channel = channel
        # Wake only for notifications whose payload is one of these (None: for any).
        self.payloads = payloads
        self.drain = drain
        self.settings = settings
        self._wake = asyncio.Event()
        self._stopping = False

    async def run(self) -> None:
        listener = await self._listen()
        try:
            while not self._stopping:
                try:
                    more = await self.drain()
                except Exception:
                    log.exception("%s failed; retrying", self.name)
                    more = False
                    await asyncio.sleep(FAILURE_PAUSE_SECONDS)
                if not more:
                    await self._wait_for_work()
        finally:
            if listener is not None:
                await listener.close()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            connection = await asyncpg.connect(self.settings.plain_database_url)
            await connection.add_listener(self.channel, self._notified)
            return connection
        except (OSError, asyncpg.PostgresError):
            log.warning("%s cannot LISTEN on %s; polling only", self.name, self.channel)
            return None

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        if self.payloads is None or payload in self.payloads:
            self._wake.set()

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.settings.outbox_poll_seconds)
            # WAKEUP_COALESCE_MS: the commits close behind, in the same drain (none: at once).
            if self.settings.wakeup_coalesce_ms:
                await asyncio.sleep(self.settings.wakeup_coalesce_ms / 1000)
        self._wake.clear()


class Periodic:
    """Calls `work` every `seconds` until stopped; a failure is logged and tried again at
    the next turn."""

    def __init__(self, name: str, seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.seconds = seconds
        self.work = work
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.work()
            except Exception:
                log.exception("%s failed; trying again", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.seconds)

    def stop(self) -> None:
        self._stopping.set()
