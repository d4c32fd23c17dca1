"""A background loop that drains a table whenever a commit notifies it, polling as a fallback.

Writers fire `pg_notify(channel)` from a trigger, which PostgreSQL delivers on commit;
the loop LISTENs on its own connection. The outbox relay, intake's delivery worker and
resolution's leased workers and sweeper run on it.

A loop whose work also comes due with no write (a retry's time, an offer's expiry) is
given `next_due`: after each drain it sleeps until that moment, or until notified, with
its poll (`poll_seconds`) only as a safety net. A notification whose payload is a due
time wakes it only when that time is before the moment it already means to wake.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg

from shared.messaging_tables import utc_now
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
        *,
        poll_seconds: float | None = None,
        next_due: Callable[[], Awaitable[datetime | None]] | None = None,
    ) -> None:
        """`poll_seconds`: the longest sleep without a notification (the settings'
        `outbox_poll_seconds` by default); `next_due`: when the next work comes due by
        itself (None: none waiting)."""
        self.name = name
        self.channel = channel
        # Wake only for notifications whose payload is one of these (None: for any).
        self.payloads = payloads
        self.drain = drain
        self.settings = settings
        self.poll_seconds = poll_seconds or settings.outbox_poll_seconds
        self.next_due = next_due
        self._wake = asyncio.Event()
        self._wake_at: datetime | None = None  # None while draining: every notice counts
        self._stopping = False

    async def run(self) -> None:
        listener = await self._listen()
        try:
            while not self._stopping:
                self._wake_at = None
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
        if self.payloads is not None and payload not in self.payloads:
            return
        due = due_time_in(payload)
        if due is not None and self._wake_at is not None and due >= self._wake_at:
            return  # due after the moment this loop wakes anyway
        self._wake.set()

    async def _wait_for_work(self) -> None:
        timeout = await self._sleep_seconds()
        self._wake_at = utc_now() + timedelta(seconds=timeout)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            # WAKEUP_COALESCE_MS: the commits close behind, in the same drain (none: at once).
            if self.settings.wakeup_coalesce_ms:
                await asyncio.sleep(self.settings.wakeup_coalesce_ms / 1000)
        self._wake.clear()

    async def _sleep_seconds(self) -> float:
        """Until the next work due, within the poll; the poll if that cannot be read."""
        if self.next_due is None:
            return self.poll_seconds
        try:
            due = await self.next_due()
        except Exception:
            log.exception("%s cannot read when work is due next; polling", self.name)
            return self.poll_seconds
        if due is None:
            return self.poll_seconds
        return min(self.poll_seconds, max((due - utc_now()).total_seconds(), 0.0))


def due_time_in(payload: str) -> datetime | None:
    """The due time a notification carries (PostgreSQL's text of a timestamptz), if any."""
    if not payload:
        return None
    try:
        due = datetime.fromisoformat(payload)
    except ValueError:
        return None
    return due if due.tzinfo is not None else None


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
