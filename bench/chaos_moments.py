"""The chaos run's risky moments, hit on purpose rather than by the luck of a random kill.

Each is a fault of `bench/chaos.py`'s sequences (and of `tests/integration/test_risky_moments`)
that makes its moment happen, kills the process in it with `kill -9`, starts it again, then
checks what it left and counts in its notes whether the moment was really hit:

- **a refund call in flight**: the emulated refund API is armed to pay the next refund and
  hold its answer (`/_emulator/faults/refund-api`, `hold_seconds`); a case of its own is
  opened and its partial refund accepted; once the emulator holds the paid refund's answer
  (`/_emulator/in-flight`), intake, the process calling it, is killed. The emulator sees its
  caller go. Intake started again, resolution's refund worker asks again with the same key,
  intake reads the marketplace back: the ledger shows the refund paid once, resolution's
  outbox one `refund.issued`.
- **a webhook mid-request**: slow senders have sent half their body, a burst of concurrent
  deliveries is on its way, and intake is killed the moment the burst's first answer comes
  back (others of its group commit stored, their answers not yet sent). Every sender
  delivers again until accepted: each delivery is one case, under the case id of any
  answer heard before the kill.
- **a relay between publishing and recording**: a separate SQL session locks the service's
  `outbox_marks` table (EXCLUSIVE: reads go on, writes wait), so the relay's batch is sent
  to Kafka and its record (`published_at` and the marks, one statement) waits; once a
  consumer's inbox holds an event of that batch, the relay's process is killed and the lock
  released. The service started again publishes the batch again; every consumer applied each
  event once (one inbox row), though Kafka holds it twice. No code path of the service
  exists for this: the lock is an operator's, from outside.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from deploy.dev_issuer import local_bearer
from deploy.samples import sample_cases
from deploy.secrets import demo_account
from deploy.settings import StackSettings
from services.intake.channels.generic.webhook import signed_headers
from shared.identity import Role
from shared.settings import SERVICE_NAMES

DEMO = demo_account("generic")
T = TypeVar("T")


class Stack(Protocol):
    """What a moment needs of the chaos run's stack (`bench.chaos.ChaosStack`)."""

    settings: StackSettings
    emulators_url: str

    def kill(self, name: str) -> None: ...
    def start_service(self, name: str) -> None: ...
    async def ready(self, names: tuple[str, ...] = ..., timeout: float = ...) -> float: ...


@dataclass
class Moment:
    """A fault of the chaos run (the shape of `bench.chaos.Fault`): `act` makes the moment,
    kills, restarts and checks, raising `MomentMissed` or `AssertionError` when it could not
    hit the moment or what it left is wrong; `notes` count what happened."""

    name: str
    act: Callable[[Stack], Awaitable[None]]
    started: float = 0.0
    ended: float = 0.0
    notes: dict = field(default_factory=dict)


class MomentMissed(Exception):
    """The moment did not come within its time: nothing was killed."""


async def until(probe: Callable[[], Awaitable[T]], timeout: float, what: str, every=0.05) -> T:
    """The first truthy answer of `probe`; MomentMissed after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise MomentMissed(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(every)


async def restart(stack: Stack, name: str, down_seconds: float) -> float:
    """Start `name` again after `down_seconds`; the seconds until it was ready."""
    await asyncio.sleep(down_seconds)
    started = time.monotonic()
    stack.start_service(name)
    await stack.ready((name,))
    return round(time.monotonic() - started, 1)


async def query(settings: StackSettings, sql: str, *args) -> list[asyncpg.Record]:
    db = await asyncpg.connect(settings.database_url)
    try:
        return await db.fetch(sql, *args)
    finally:
        await db.close()


# --- deliveries of the moments' own ----------------------------------------------------------


def delivery(reason_code: str | None = None) -> bytes:
    """A sample case as a generic webhook body with a fresh event id (the first of
    `reason_code` when one is named)."""
    samples = [c for c in sample_cases() if reason_code in (None, c["reason_code"])]
    event_id = f"moment-{uuid.uuid4().hex[:12]}"
    return json.dumps({**samples[0], "event_id": event_id}).encode()


def key_of(body: bytes) -> str:
    """The case key intake opens the delivery's case under (its delivery id too)."""
    case = json.loads(body)
    return f"{case['marketplace']}:{case['event_id']}"


def signed(body: bytes) -> dict[str, str]:
    return signed_headers(DEMO["account"], DEMO["secrets"][0], body, datetime.now(UTC))


async def deliver(http: aiohttp.ClientSession, url: str, body: bytes, timeout=300.0) -> str:
    """As a marketplace delivers: again until intake accepts it; the case id it answers."""
    deadline = time.monotonic() + timeout
    pause = 0.2
    while True:
        try:
            async with http.post(url, data=body, headers=signed(body)) as response:
                if response.status in (200, 202):
                    return (await response.json())["case_id"]
        except (aiohttp.ClientError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{key_of(body)} never accepted within {timeout:g} s")
        await asyncio.sleep(pause)
        pause = min(pause * 2, 2.0)


def webhook_url(stack: Stack) -> str:
    return f"{stack.settings.base_url_of('intake')}/webhooks/generic"


async def cases_of(settings: StackSettings, keys: list[str]) -> dict[str, list[str]]:
    """The case ids intake opened under each of `keys`."""
    rows = await query(
        settings, "SELECT case_key, case_id FROM intake.cases WHERE case_key = ANY($1)", keys
    )
    found: dict[str, list[str]] = {}
    for key, case_id in rows:
        found.setdefault(key, []).append(case_id)
    return found


# --- a refund call in flight -----------------------------------------------------------------


REFUND_SYSTEM = "refund-api"


def refund_in_flight(down_seconds: float = 1.0, settle_timeout: float = 120.0) -> Moment:
    """Intake killed while the refund API holds the answer of the refund it just paid."""
    moment = Moment("refund call in flight: kill -9 intake", None)  # type: ignore[arg-type]

    async def act(stack: Stack) -> None:
        notes = moment.notes
        async with httpx.AsyncClient(base_url=stack.emulators_url, timeout=10) as emulator:
            before = await traffic(emulator)
            hold = {"hold_seconds": 60, "times": 1}
            (await emulator.put(f"/_emulator/faults/{REFUND_SYSTEM}", json=hold)).raise_for_status()
            # A refund of its own is owed soon; under load another case's may come first.
            owing = asyncio.create_task(refund_accepted(stack))
            try:

                async def held() -> dict | None:
                    if owing.done() and owing.exception():
                        raise owing.exception()  # type: ignore[misc]
                    now = await traffic(emulator)
                    return now if now["held"] > 0 else None

                holding = await until(held, 180, "the refund API holding a refund's answer")
                await asyncio.to_thread(stack.kill, "intake")
                notes["refunds_held_when_killed"] = holding["held"]
                key = holding["held_keys"][0]

                async def gone() -> dict | None:
                    now = await traffic(emulator)
                    return now if now["gone_while_held"] > before["gone_while_held"] else None

                after = await until(gone, 10, "the refund API seeing its caller go")
                notes["callers_gone_while_held"] = (
                    after["gone_while_held"] - before["gone_while_held"]
                )
            finally:
                owing.cancel()
                await emulator.delete(f"/_emulator/faults/{REFUND_SYSTEM}")
            notes["ready_after_restart_s"] = await restart(stack, "intake", down_seconds)
            notes.update(await refund_settled(stack, emulator, key, settle_timeout))

    moment.act = act
    return moment


async def traffic(emulator: httpx.AsyncClient) -> dict:
    answer = await emulator.get("/_emulator/in-flight")
    answer.raise_for_status()
    empty = {"in_flight": 0, "held": 0, "held_total": 0, "gone_while_held": 0}
    return answer.json().get(REFUND_SYSTEM, empty)


async def refund_accepted(stack: Stack) -> str:
    """A minor defect of the moment's own whose partial refund the buyer accepts: its case
    id, the refund then owed to the worker."""
    body = delivery("DAMAGED_PACKAGING")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        case_id = await deliver(http, webhook_url(stack), body)

    async def offered() -> bool:  # resolution offers it, intake has told the buyer
        rows = await query(
            stack.settings,
            "SELECT (SELECT count(*) FROM resolution.offers WHERE case_id = $1 "
            "AND state = 'open' AND remedy = 'partial_refund') AS open, "
            "(SELECT count(*) FROM intake.outbox WHERE key = $1 "
            "AND envelope->>'type' = 'case.buyer_messaged') AS told",
            case_id,
        )
        return rows[0]["open"] > 0 and rows[0]["told"] > 0

    await until(offered, 180, f"the partial refund offered on case {case_id}", every=0.5)
    agent = local_bearer(stack.settings, Role.AGENT, "chaos-agent", (DEMO["account"],))
    reply = {"message_id": f"reply-{uuid.uuid4().hex[:8]}", "answer": "accept"}
    async with httpx.AsyncClient(base_url=stack.settings.base_url_of("intake")) as intake:
        answer = await intake.post(f"/cases/{case_id}/replies", json=reply, headers=agent)
    if answer.status_code not in (200, 202):
        raise MomentMissed(f"the buyer's acceptance was refused: {answer.text}")
    return case_id


async def refund_settled(
    stack: Stack, emulator: httpx.AsyncClient, key: str, timeout: float
) -> dict:
    """Once resolution records the refund of `key` issued: the ledger's and the events'
    counts of its case."""

    async def issued() -> bool:
        rows = await query(
            stack.settings,
            "SELECT count(*) FROM resolution.refunds WHERE refund_id = $1 AND state = 'issued'",
            key,
        )
        return rows[0][0] > 0

    await until(issued, timeout, f"the refund {key} issued", every=0.5)
    (paid,) = (
        await emulator.get("/refund-api/v1/refunds", params={"idempotency_key": key})
    ).json()["refunds"]
    ledger = (await emulator.get("/refund-api/v1/refunds")).json()["refunds"]
    events = await query(
        stack.settings,
        "SELECT count(*) FROM resolution.outbox WHERE key = $1 "
        "AND envelope->>'type' = 'refund.issued' AND envelope->'data'->>'refund_id' = $2",
        paid["case_id"],
        key,
    )
    figures = {
        "case_id": paid["case_id"],
        "refunds_paid": sum(  # a case may be owed a second refund, of another remedy
            1
            for refund in ledger
            if (refund["case_id"], refund["reason"]) == (paid["case_id"], paid["reason"])
        ),
        "refund_events": events[0][0],
    }
    assert (figures["refunds_paid"], figures["refund_events"]) == (1, 1), figures
    return figures


# --- a webhook mid-request ---------------------------------------------------------------


def webhook_mid_request(slow: int = 4, burst: int = 40, down_seconds: float = 1.0) -> Moment:
    """Intake killed with bodies half sent and a burst of deliveries unanswered."""
    moment = Moment(
        f"webhooks mid-request ({slow} half sent, {burst} at once): kill -9 intake",
        None,  # type: ignore[arg-type]
    )

    async def act(stack: Stack) -> None:
        notes = moment.notes
        url = webhook_url(stack)
        halves = [delivery() for _ in range(slow)]
        bodies = [delivery() for _ in range(burst)]
        cut = [await half_sent(url, body) for body in halves]
        answered: dict[str, str] = {}
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=30), connector=aiohttp.TCPConnector(limit=0)
        ) as http:

            async def once(body: bytes) -> None:
                try:
                    async with http.post(url, data=body, headers=signed(body)) as response:
                        if response.status in (200, 202):
                            answered[key_of(body)] = (await response.json())["case_id"]
                except (aiohttp.ClientError, TimeoutError):
                    pass

            posts = [asyncio.create_task(once(body)) for body in bodies]
            await until(lambda: ready(bool(answered)), 30, "the burst's first answer", 0.001)
            waiting = sum(1 for reader, _ in cut if not reader.at_eof())
            await asyncio.to_thread(stack.kill, "intake")
            killed_at = datetime.now(UTC)
            in_flight = [b for b in bodies if key_of(b) not in answered]
            notes["half_sent_when_killed"] = waiting
            notes["half_sent_cut_unanswered"] = sum(await asyncio.gather(*map(unanswered, cut)))
            notes["burst_unanswered_when_killed"] = len(in_flight)
            await asyncio.gather(*posts)
            notes["ready_after_restart_s"] = await restart(stack, "intake", down_seconds)
            everything = halves + bodies
            case_ids = await asyncio.gather(*(deliver(http, url, body) for body in everything))
        keys = [key_of(body) for body in everything]
        stored = await query(
            stack.settings,
            "SELECT delivery_id FROM intake.deliveries WHERE delivery_id = ANY($1) "
            "AND received_at < $2",
            [key_of(body) for body in in_flight],
            killed_at,
        )
        # Stored by the killed process, its answer never heard: the retry is a duplicate.
        notes["stored_unanswered_when_killed"] = len(stored)
        opened = await until(
            lambda: opened_all(stack.settings, keys), 180, "every delivery's case opened", 0.5
        )
        doubled = sum(1 for ids in opened.values() if len(ids) > 1)
        changed = sum(1 for key, first in answered.items() if opened[key] != [first])
        different = sum(
            1 for key, case_id in zip(keys, case_ids, strict=True) if opened[key] != [case_id]
        )
        notes.update(deliveries=len(keys), cases_doubled=doubled)
        assert doubled == changed == different == 0, (doubled, changed, different)

    moment.act = act
    return moment


async def ready(value: T) -> T:
    return value


async def unanswered(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> bool:
    """Whether a half-sent delivery's connection was closed without an answer."""
    reader, writer = connection
    try:
        return await asyncio.wait_for(reader.read(), timeout=5) == b""
    except (OSError, TimeoutError):
        return isinstance(reader.exception(), OSError)
    finally:
        writer.close()


async def half_sent(url: str, body: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection that sent a delivery's headers and half its body, and waits."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    headers = {**signed(body), "host": where.netloc, "content-length": str(len(body))}
    head = f"POST {where.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(head.encode() + b"\r\n" + body[: len(body) // 2])
    await writer.drain()
    return reader, writer


async def opened_all(settings: StackSettings, keys: list[str]) -> dict[str, list[str]] | None:
    opened = await cases_of(settings, keys)
    return opened if len(opened) == len(keys) else None


# --- a relay between publishing and recording ----------------------------------------------


def relay_between_publish_and_record(service: str = "intake", down_seconds: float = 1.0) -> Moment:
    """The service's relay killed after Kafka took its batch, before it recorded it."""
    moment = Moment(f"relay between publish and record: kill -9 {service}", None)  # type: ignore[arg-type]

    async def act(stack: Stack) -> None:
        notes = moment.notes
        settings = stack.settings
        lock = await asyncpg.connect(settings.database_url)
        try:
            held = lock.transaction()
            await held.start()
            await lock.execute(f"LOCK TABLE {service}.outbox_marks IN EXCLUSIVE MODE")
            nudge = asyncio.create_task(new_cases(stack, 3)) if service == "intake" else None
            relay = await until(
                lambda: blocked_by(lock), 60, f"{service}'s relay waiting to record a batch"
            )
            batch = await claimed(lock, service)
            if not batch:
                raise MomentMissed(f"{service}'s relay waits with no batch in hand")
            topic = batch[0]["topic"]
            event_ids = [row["event_id"] for row in batch]

            async def applied() -> int:
                rows = await lock.fetch(inbox_counts(), event_ids)
                return sum(row["applied"] for row in rows)

            notes["batch"] = len(batch)
            notes["applied_before_the_kill"] = await until(
                applied, 30, "a consumer applying the batch not yet recorded", 0.2
            )
            await asyncio.to_thread(stack.kill, service)
            notes["relay_blocked_when_killed"] = len(relay)
            await held.rollback()  # the killed relay's transaction then rolls back
            if nudge is not None:
                nudge.cancel()  # its events served their purpose, or the load's did
        finally:
            await lock.close()
        notes["ready_after_restart_s"] = await restart(stack, service, down_seconds)

        async def recorded() -> bool:
            rows = await query(
                settings,
                f"SELECT count(*) FROM {service}.outbox "  # noqa: S608 (a service name)
                "WHERE event_id = ANY($1) AND published_at IS NOT NULL",
                event_ids,
            )
            return rows[0][0] == len(event_ids)

        await until(recorded, 60, "the batch published again and recorded", 0.5)
        copies = await copies_on(settings, topic, set(event_ids))
        notes["published_twice"] = sum(1 for where in copies.values() if len(where) > 1)
        await until(
            lambda: consumed_past(settings, topic, copies),
            60,
            "the consumers past the batch's second copies",
            0.5,
        )
        rows = await query(settings, inbox_counts(), event_ids)
        doubled = [dict(row) for row in rows if row["most"] > 1]
        notes["applied_twice"] = len(doubled)
        assert notes["published_twice"] > 0 and not doubled, (notes, doubled)

    moment.act = act
    return moment


async def new_cases(stack: Stack, count: int) -> None:
    """A few deliveries: events for intake's relay to publish."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        await asyncio.gather(*(deliver(http, webhook_url(stack), delivery()) for _ in range(count)))


async def blocked_by(lock: asyncpg.Connection) -> list[int]:
    """The sessions waiting for the lock `lock` holds (the relay's record of its batch)."""
    rows = await lock.fetch(
        "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
    )
    return [row["pid"] for row in rows]


async def claimed(lock: asyncpg.Connection, service: str) -> list[asyncpg.Record]:
    """The unpublished events locked by another session: the relay's batch in hand."""
    outbox = f"{service}.outbox"
    return await lock.fetch(
        f"SELECT id, event_id, topic FROM {outbox} WHERE published_at IS NULL "  # noqa: S608
        f"AND id NOT IN (SELECT id FROM {outbox} WHERE published_at IS NULL "
        "FOR UPDATE SKIP LOCKED) ORDER BY id"
    )


def inbox_counts() -> str:
    """Per consumer, how many of the events ($1) its inbox holds, and the most of one."""
    return " UNION ALL ".join(
        f"SELECT '{name}' AS consumer, count(*) AS applied, "  # noqa: S608 (service names)
        f"coalesce(max(n), 0) AS most FROM (SELECT event_id, count(*) AS n FROM {name}.inbox "
        "WHERE event_id = ANY($1) GROUP BY event_id) AS each"
        for name in SERVICE_NAMES
    )


async def copies_on(
    settings: StackSettings, topic: str, event_ids: set[str]
) -> dict[str, list[tuple[int, int]]]:
    """Where Kafka holds each of `event_ids` on `topic`: (partition, offset) per copy."""
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False
    )
    await reader.start()
    copies: dict[str, list[tuple[int, int]]] = {}
    try:
        partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        # Up to the ends as they were (the load goes on writing): whole record batches come
        # back, so the embedded broker's end (its last batch's first offset + 1) is enough.
        deadline = time.monotonic() + 60
        while any([await reader.position(tp) < end for tp, end in ends.items()]):
            if time.monotonic() > deadline:
                raise MomentMissed(f"{topic} not read to its end within 60 s")
            batches = await reader.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    event_id = json.loads(record.value).get("id")
                    if event_id in event_ids:
                        copies.setdefault(event_id, []).append((record.partition, record.offset))
    finally:
        await reader.stop()
    return copies


async def consumed_past(
    settings: StackSettings, topic: str, copies: dict[str, list[tuple[int, int]]]
) -> bool:
    """Whether every consumer group reading `topic` has committed past each copy (read
    without joining the group)."""
    partitions = {partition for where in copies.values() for partition, _ in where}
    for group in SERVICE_NAMES:
        reader = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=group,
            enable_auto_commit=False,
        )
        await reader.start()
        try:
            offsets = {p: await reader.committed(TopicPartition(topic, p)) for p in partitions}
        finally:
            await reader.stop()
        if all(offset is None for offset in offsets.values()):
            continue  # the group reads other topics
        for where in copies.values():
            if any((offsets[partition] or 0) <= offset for partition, offset in where):
                return False
    return True


def risky_moments() -> list[Moment]:
    """The three moments, in the order the chaos run's sequences take them."""
    return [refund_in_flight(), webhook_mid_request(), relay_between_publish_and_record()]
