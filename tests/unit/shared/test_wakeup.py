"""A loop woken by `pg_notify` drains at once, or after WAKEUP_COALESCE_MS when set; without
a wake-up it looks again after OUTBOX_POLL_SECONDS."""

import asyncio
import time

from shared import wakeup
from shared.settings import ServiceSettings
from shared.wakeup import NotifiedLoop


async def nothing() -> bool:
    return False


def loop_with(**settings) -> NotifiedLoop:
    return NotifiedLoop("test loop", "test_channel", nothing, ServiceSettings(**settings))


async def waited_after_wake_up(loop: NotifiedLoop) -> float:
    loop._notified(None, 1, loop.channel, "")
    started = time.monotonic()
    await loop._wait_for_work()
    return time.monotonic() - started


async def test_a_woken_loop_drains_at_once(monkeypatch):
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(seconds)

    loop = loop_with(outbox_poll_seconds=30)
    monkeypatch.setattr(wakeup.asyncio, "sleep", sleep)
    try:
        waited = await waited_after_wake_up(loop)
    finally:
        monkeypatch.undo()  # the session's other tasks sleep too
    assert slept == [] and waited < 1  # neither a pause nor the poll
    assert not loop._wake.is_set()  # the next wait is for the next wake-up


async def test_a_loop_told_to_coalesce_waits_that_long_after_a_wake_up():
    loop = loop_with(outbox_poll_seconds=30, wakeup_coalesce_ms=300)
    assert 0.3 <= await waited_after_wake_up(loop) < 5


async def test_a_loop_without_a_wake_up_looks_again_after_the_poll():
    loop = loop_with(outbox_poll_seconds=0.2)
    started = time.monotonic()
    await loop._wait_for_work()
    assert time.monotonic() - started >= 0.2


async def test_a_wake_up_for_another_payload_does_not_wake_it():
    loop = NotifiedLoop(
        "test loop", "c", nothing, ServiceSettings(), payloads=frozenset({"generic"})
    )
    loop._notified(None, 1, "c", "ebay")
    assert not loop._wake.is_set()
    loop._notified(None, 1, "c", "generic")
    assert loop._wake.is_set()
