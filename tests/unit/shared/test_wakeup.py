"""`NotifiedLoop`: woken by a notification (draining at once, or after WAKEUP_COALESCE_MS
when set), or when its next work comes due, its poll only a safety net; a notification of
work due later than it means to wake does not wake it."""

import asyncio
import time
from datetime import timedelta
from types import SimpleNamespace

from shared import wakeup
from shared.messaging_tables import utc_now
from shared.settings import ServiceSettings
from shared.wakeup import NotifiedLoop, due_time_in

SETTINGS = SimpleNamespace(
    outbox_poll_seconds=0.5, plain_database_url="postgresql://nowhere", wakeup_coalesce_ms=0
)


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


def loop_due_in(seconds: float | None, drains: list[float]) -> NotifiedLoop:
    async def drain() -> bool:
        drains.append(asyncio.get_running_loop().time())
        return False

    async def next_due():
        return None if seconds is None else utc_now() + timedelta(seconds=seconds)

    return NotifiedLoop("test", "nowhere", drain, SETTINGS, poll_seconds=3600, next_due=next_due)


async def run_for(loop: NotifiedLoop, seconds: float) -> None:
    async def no_listener():
        return None

    loop._listen = no_listener
    task = asyncio.create_task(loop.run())
    await asyncio.sleep(seconds)
    loop.stop()
    await task


async def test_work_due_soon_is_drained_when_due_without_a_notification():
    drains: list[float] = []
    await run_for(loop_due_in(0.3, drains), 1.0)
    assert 3 <= len(drains) <= 5  # at 0, 0.3, 0.6, 0.9 s: the due times, not the poll


async def test_with_nothing_due_the_loop_sleeps_its_whole_poll():
    drains: list[float] = []
    await run_for(loop_due_in(None, drains), 0.5)
    assert len(drains) == 1


async def test_a_notification_of_work_due_later_than_the_wake_up_does_not_wake():
    loop = loop_due_in(None, [])
    loop._wake_at = utc_now() + timedelta(minutes=5)
    loop._notified(None, 0, "nowhere", str(utc_now() + timedelta(minutes=6)))
    assert not loop._wake.is_set()
    loop._notified(None, 0, "nowhere", str(utc_now() + timedelta(minutes=4)))
    assert loop._wake.is_set()


async def test_a_notification_without_a_due_time_always_wakes():
    loop = loop_due_in(None, [])
    loop._wake_at = utc_now() + timedelta(minutes=5)
    loop._notified(None, 0, "nowhere", "")
    assert loop._wake.is_set()


async def test_a_notification_while_draining_wakes_whatever_its_due_time():
    loop = loop_due_in(None, [])  # `_wake_at` None: the loop is draining
    loop._notified(None, 0, "nowhere", str(utc_now() + timedelta(days=2)))
    assert loop._wake.is_set()


def test_postgresqls_text_of_a_timestamptz_is_a_due_time():
    due = due_time_in("2026-12-05 03:00:00.123456+00")
    assert due is not None and due.utcoffset() == timedelta(0)
    assert due_time_in("") is None
    assert due_time_in("failed") is None
