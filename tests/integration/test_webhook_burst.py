"""Back-pressure at intake's door, on a real process (a webhook replica: it only stores):
under a burst far above what its store takes, or with its store stalled, every webhook is
answered within 5 s, 202 or 503 with Retry-After, never left to time out; and each
delivery answered 202, or delivered again after its 503, is stored once."""

import asyncio
import time
from dataclasses import dataclass

import aiohttp
import asyncpg

from tests.factories import signed, webhook
from tests.integration.conftest import scalar
from tests.integration.processes import service_process

ANSWER_BOUND_SECONDS = 5.0
# This replica's limits, small so that a burst a shared 2-CPU machine can send saturates it:
# webhooks in flight, deliveries waiting for a write, and how long one waits.
REPLICA = {
    "INTAKE_DELIVERY_WORKER": "false",
    "WEBHOOK_MAX_IN_FLIGHT": "64",
    "WEBHOOK_STORE_QUEUE": "20",
    "WEBHOOK_STORE_WAIT_SECONDS": "2",
    "WEBHOOK_RETRY_AFTER_SECONDS": "1",
}


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: dict[str, str]
    text: str


async def deliver_all(
    url: str, deliveries: list[tuple[bytes, dict]], concurrency: int
) -> list[tuple[int, float, Answer]]:
    """Each delivery posted, `concurrency` at once (each on a connection of its own, as
    many marketplaces' senders): its index, answer time and answer."""
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(index: int, raw: bytes, headers: dict) -> tuple[int, float, Answer]:
            async with gate:
                started = time.monotonic()
                async with http.post(f"{url}/webhooks/generic", data=raw, headers=headers) as r:
                    text = await r.text()
                answer = Answer(r.status, {k.lower(): v for k, v in r.headers.items()}, text)
                return index, time.monotonic() - started, answer

        return await asyncio.gather(*(one(i, *d) for i, d in enumerate(deliveries)))


def check_answers(answers: list[tuple[int, float, Answer]]) -> list[int]:
    """Every answer in time, 202 or 503 with Retry-After; the indexes answered 503."""
    slowest = max(seconds for _, seconds, _ in answers)
    assert slowest < ANSWER_BOUND_SECONDS, f"an answer took {slowest:.1f} s"
    refused = []
    for index, _, answer in answers:
        if answer.status_code == 503:
            assert answer.headers.get("retry-after") == "1", answer.headers
            refused.append(index)
        else:
            assert answer.status_code == 202, answer.text
    return refused


async def test_a_burst_is_answered_within_5_s_and_every_accepted_delivery_is_stored(
    settings, database
):
    bodies = [webhook() for _ in range(400)]
    deliveries = [signed(body) for body in bodies]
    async with service_process("intake", settings, **REPLICA) as intake:
        await intake.answers("/readyz")
        warm = await deliver_all(intake.url, [signed(webhook())], 1)
        assert warm[0][2].status_code == 202

        # The store stalled (its table locked): answered 503 in time, not left waiting.
        stalled_at = len(deliveries) - 60
        lock = await asyncpg.connect(settings.plain_database_url)
        try:
            async with lock.transaction():
                await lock.execute("LOCK TABLE intake.deliveries IN EXCLUSIVE MODE")
                stalled = await deliver_all(intake.url, deliveries[stalled_at:], 60)
        finally:
            await lock.close()
        refused_stalled = check_answers(stalled)
        assert len(refused_stalled) == len(stalled)

        # A burst of 340, 200 at once: three times the webhooks the replica takes at once,
        # ten times the deliveries its store lets wait.
        started = time.monotonic()
        burst = await deliver_all(intake.url, deliveries[:stalled_at], 200)
        took = time.monotonic() - started
        refused_burst = check_answers(burst)
        print(
            f"\nburst of {len(burst)} in {took:.1f} s: {len(burst) - len(refused_burst)} "
            f"accepted, {len(refused_burst)} answered 503; slowest answer "
            f"{max(s for _, s, _ in burst):.2f} s"
        )

        # The marketplace delivers again what was refused, a little later.
        again = [deliveries[i] for i in refused_burst] + [
            deliveries[stalled_at + i] for i in refused_stalled
        ]
        while again:
            await asyncio.sleep(0.2)
            answers = await deliver_all(intake.url, again, 20)
            again = [again[index] for index, _, answer in answers if answer.status_code == 503]
            assert all(a.status_code in (200, 202, 503) for _, _, a in answers)

    # The generic channel names a delivery by its marketplace and event id.
    ids = [f"{body['marketplace']}:{body['event_id']}" for body in bodies]
    stored = await scalar(
        database,
        "SELECT count(*) FROM intake.deliveries WHERE channel = 'generic' "
        "AND delivery_id = ANY(:ids)",
        ids=ids,
    )
    assert stored == len(bodies)
