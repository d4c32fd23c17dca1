"""Accepting deliveries: each verified webhook stored before it is answered.

The hot path of intake. Requests that arrive while a write is in flight are stored
together by the next one (a group commit): one INSERT of many rows, deduplicated on the
channel, the seller account and the channel's delivery id, so a burst costs one round trip
per batch, not per webhook. The same statement revives a delivery that had failed: the
marketplace delivering it again makes it due at once, with a fresh budget of tries (a
duplicate of any other delivery changes nothing).

Back-pressure: a delivery that waits longer than WEBHOOK_STORE_WAIT_SECONDS for its write,
or arrives while WEBHOOK_STORE_QUEUE deliveries wait already, or whose write cannot reach the
database, is refused with `StoreSaturated` (answered 503 with Retry-After): the sender
delivers it again, and one whose write went through meanwhile is then a duplicate.

What is stored, sealed: a webhook as received (`WEBHOOK`: the channel's headers and the
body), completed and parsed later; or a delivery parsed on arrival (`PARSED`: report rows,
agents' cases, eBay account deletions).
"""

import asyncio
import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import asyncpg

from services.intake.adapters.vault import Vault
from services.intake.domain.case import Channel, Delivery
from services.intake.domain.delivery import DeliveryState, revivable
from services.intake.domain.opening import case_id_of
from shared.telemetry import current_trace_headers

WEBHOOK = "webhook"  # content: the request's headers and body, as received
PARSED = "parsed"  # content: one Delivery, parsed when it was accepted
# What completing a delivery reads of its request's headers: the channels' own.
KEPT_HEADERS = ("x-", "wm_", "content-type")

REVIVED_STATES = ", ".join(f"'{state.value}'" for state in revivable())
# New deliveries are inserted; the others are looked at only when their row is failed, and
# only that row is then locked and written. A batch of duplicates of deliveries applied or
# still being tried writes nothing at all (no lock, no commit to flush), and a new delivery
# costs what it cost before revivals (`make bench-webhooks`).
STORE = f"""
    WITH incoming AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[],
                             $6::jsonb[])
               AS incoming(channel, account, delivery_id, kind, content, trace_headers)
    ), inserted AS (
        INSERT INTO intake.deliveries (channel, account, delivery_id, kind, content,
                                       trace_headers, state, attempts, next_attempt_at,
                                       received_at)
        SELECT channel, account, delivery_id, kind, content, trace_headers,
               '{DeliveryState.ACCEPTED.value}', 0, now(), now()
        FROM incoming
        ON CONFLICT DO NOTHING
        RETURNING channel, account, delivery_id
    ), revived AS (
        UPDATE intake.deliveries AS stored
        SET state = '{DeliveryState.ACCEPTED.value}', attempts = 0, next_attempt_at = now(),
            revived_at = now(), trace_headers = again.trace_headers
        FROM (SELECT * FROM incoming
              WHERE (channel, account, delivery_id) NOT IN (SELECT * FROM inserted)) AS again
        WHERE stored.channel = again.channel AND stored.account = again.account
          AND stored.delivery_id = again.delivery_id AND stored.state IN ({REVIVED_STATES})
        RETURNING stored.channel, stored.account, stored.delivery_id
    )
    SELECT channel, account, delivery_id, true AS inserted FROM inserted
    UNION ALL
    SELECT channel, account, delivery_id, false AS inserted FROM revived
"""
LEGACY_CASE_ID = """
    SELECT legacy_case_id FROM intake.deliveries
    WHERE channel = $1 AND account = $2 AND delivery_id = $3
"""


class Outcome(StrEnum):
    """What accepting a delivery did."""

    NEW = "new"
    REVIVED = "revived"  # it had failed; delivered again, it is tried anew
    DUPLICATE = "duplicate"  # stored before, and applied or still being tried: nothing to do

    @property
    def to_apply(self) -> bool:
        return self is not Outcome.DUPLICATE


def webhook_content(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    kept = {k: v for k, v in headers.items() if k.lower().startswith(KEPT_HEADERS)}
    return {"headers": kept, "body": base64.b64encode(body).decode()}


def webhook_of(content: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """The headers and body of a stored `WEBHOOK`."""
    return content["headers"], base64.b64decode(content["body"])


def parsed_content(delivery: Delivery) -> dict[str, Any]:
    return {"delivery": delivery.model_dump(mode="json")}


def parsed_delivery(content: dict[str, Any]) -> Delivery:
    """The delivery of a stored `PARSED`."""
    return Delivery.model_validate(content["delivery"])


Key = tuple[str, str, str]  # channel, seller account, delivery id


class StoreSaturated(Exception):
    """The store cannot take a delivery now: answered 503 with Retry-After."""


# Write failures that say the database is out of reach or out of connections, not that the
# delivery is wrong.
UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
)


@dataclass(frozen=True)
class Waiting:
    row: tuple[str, str, str, str, bytes, str]
    answer: asyncio.Future[Outcome]

    @property
    def key(self) -> Key:
        return self.row[0], self.row[1], self.row[2]


class Acceptance:
    def __init__(
        self, pool: asyncpg.Pool, vault: Vault, wait_seconds: float = 3.0, queue: int = 5000
    ) -> None:
        self.pool = pool
        self.vault = vault
        self.wait_seconds = wait_seconds  # for its write, at most, before StoreSaturated
        self.queue = queue  # deliveries waiting for a write, at most
        self._waiting: list[Waiting] = []
        self._writer: asyncio.Task | None = None  # drains `_waiting` while it runs

    async def accept(
        self, channel: Channel, delivery_id: str, account: str, kind: str, content: dict[str, Any]
    ) -> Outcome:
        """Store a verified delivery, or revive it if it had failed; `StoreSaturated` when
        the store cannot take it in time."""
        if len(self._waiting) >= self.queue:
            raise StoreSaturated(f"{len(self._waiting)} deliveries wait for the store")
        row = (
            channel.value,
            account,
            delivery_id,
            kind,
            self.vault.seal(content),  # it may hold personal data
            json.dumps(current_trace_headers()),
        )
        answer = asyncio.get_running_loop().create_future()
        self._waiting.append(Waiting(row, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        try:
            # Shielded: a write under way stores the delivery even when its sender is told
            # to come back (it is a duplicate then).
            return await asyncio.wait_for(asyncio.shield(answer), self.wait_seconds)
        except TimeoutError:
            raise StoreSaturated(f"no write within {self.wait_seconds} s") from None

    async def accept_parsed(self, deliveries: list[Delivery]) -> int:
        """Store deliveries parsed on arrival (report rows, agents' cases); how many are new
        (or revived)."""
        outcomes = await asyncio.gather(
            *(
                self.accept(d.channel, d.delivery_id, d.seller_account, PARSED, parsed_content(d))
                for d in deliveries
            )
        )
        return sum(outcome.to_apply for outcome in outcomes)

    async def case_named(
        self, channel: Channel, account: str, delivery_id: str, outcome: Outcome
    ) -> str:
        """The id of the case a delivery that opens one case opens (for its answer). One
        stored before may have been accepted before case ids named the seller account."""
        legacy = False
        if outcome is not Outcome.NEW:
            async with self.pool.acquire() as connection:
                legacy = bool(
                    await connection.fetchval(LEGACY_CASE_ID, channel.value, account, delivery_id)
                )
        return case_id_of(channel.value, delivery_id, account=account, legacy=legacy)

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            await self._write(batch)

    async def _write(self, batch: list[Waiting]) -> None:
        # One row per key: the first request of a key is answered for it, any other is a
        # duplicate.
        first: dict[Key, Waiting] = {}
        for waiting in batch:
            first.setdefault(waiting.key, waiting)
        try:
            async with self.pool.acquire() as connection:
                rows = [w.row for w in first.values()]
                stored = await connection.fetch(STORE, *map(list, zip(*rows, strict=True)))
        except Exception as error:
            if isinstance(error, UNREACHABLE):
                error = StoreSaturated(f"the store is out of reach: {error!r}")
            for waiting in batch:
                if not waiting.answer.done():
                    waiting.answer.set_exception(error)
            return
        outcomes = {
            (row["channel"], row["account"], row["delivery_id"]): (
                Outcome.NEW if row["inserted"] else Outcome.REVIVED
            )
            for row in stored
        }
        for waiting in batch:
            outcome = outcomes.get(waiting.key, Outcome.DUPLICATE)
            if waiting.answer.done():
                continue
            waiting.answer.set_result(
                outcome if first[waiting.key] is waiting else Outcome.DUPLICATE
            )
