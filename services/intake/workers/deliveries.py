"""Deliveries: stored before the 2xx, turned into cases after it.

A webhook handler verifies a delivery and accepts it (`workflows/accepting.py`), then
answers. The `DeliveryWorker` claims accepted deliveries, completes them (reading what the
webhook lacks from the marketplace's API), and applies them to intake's cases with their
events, one lane per marketplace API (`channels/registry.py`) so that a slow marketplace
delays only its own. A delivery that cannot be completed yet is retried with a growing
pause (capped, with jitter, at least the marketplace's Retry-After) for DELIVERY_RETRY_HOURS
from its first receipt; one that still cannot, or never can, is marked failed with the
cause, counted (`deliveries.failed`), and listed at `GET /deliveries?state=failed`, from
where an operator retries it (`handlers/agents.py`); the marketplace delivering it again
revives it too (`workflows/accepting.py`).
"""

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import tuple_, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.case import Channel, ChannelError
from services.intake.domain.delivery import (
    DeliveryState,
    Retries,
    after_failure,
    applied,
    pause_before_next_try,
)
from services.intake.tables import DeliveryRecord
from services.intake.workflows import catalog
from services.intake.workflows.cases import CaseNotKnownYet, apply_delivery, listings_wanted
from services.intake.workflows.completing import Completion, StoredDelivery, complete
from services.intake.workflows.context import Intake
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.telemetry import context_from_headers

log = logging.getLogger(__name__)

CLAIM_BATCH = 200
# Completions that call a marketplace at the same time.
CONCURRENT_READS = 16
DELIVERIES_CHANNEL = "deliveries_intake"


class Failure(NamedTuple):
    cause: str
    may_retry: bool  # whether trying later may help
    retry_after: float | None = None  # seconds the marketplace asked to wait


class DeliveryWorker(LeasedWork[DeliveryRecord]):
    """Completes and applies the stored deliveries of some channels (one lane)."""

    def __init__(self, intake: Intake, channels: Sequence[Channel]) -> None:
        self.intake = intake
        names = [channel.value for channel in channels]
        super().__init__(
            f"intake delivery worker ({', '.join(names)})",
            DELIVERIES_CHANNEL,
            intake.service,
            DeliveryRecord,
            pending=DeliveryState.ACCEPTED.value,
            due=(DeliveryRecord.__table__.c.channel.in_(names),),
            order_by="received_at",
            batch=CLAIM_BATCH,
            payloads=frozenset(names),
        )
        self._reads = asyncio.Semaphore(CONCURRENT_READS)
        settings = intake.service.settings
        self.retries = Retries(
            budget=timedelta(hours=settings.delivery_retry_hours),
            longest_pause=timedelta(seconds=settings.delivery_retry_longest_pause_seconds),
        )
        self.jitter: Callable[[], float] = random.random

    async def handle_batch(self, rows: list[DeliveryRecord]) -> None:
        """Complete the claimed deliveries side by side, then apply them together."""
        stored = [self._opened(row) for row in rows]
        completions = await asyncio.gather(*(self._complete(delivery) for delivery in stored))
        await self._apply(completions)

    def _opened(self, row: DeliveryRecord) -> StoredDelivery:
        return StoredDelivery(
            channel=Channel(row.channel),
            delivery_id=row.delivery_id,
            account=row.account,
            kind=row.kind,
            content=self.intake.vault.open(row.content),
            trace_headers=row.trace_headers,
            attempts=row.attempts,
            state=DeliveryState(row.state),
            trying_since=row.revived_at or row.received_at,
            legacy_case_id=row.legacy_case_id,
        )

    async def _complete(self, stored: StoredDelivery) -> Completion:
        async with self._reads:
            return await complete(stored, self.intake)

    async def _apply(self, completions: list[Completion]) -> None:
        """One transaction for the batch; after an unexpected failure, one savepoint each,
        so that only the delivery at fault waits for a retry."""
        try:
            async with self.service.transaction() as session:
                with session.no_autoflush:  # the batch's outbox rows go in one insert
                    await self._apply_batch(session, completions, savepoints=False)
        except Exception:
            log.exception("a batch of deliveries failed; applying them one at a time")
            async with self.service.transaction() as session:
                await self._apply_batch(session, completions, savepoints=True)

    async def _apply_batch(
        self, session: AsyncSession, completions: list[Completion], savepoints: bool
    ) -> None:
        done: list[StoredDelivery] = []
        wanted = listings_wanted(d for c in completions if not c.failure for d in c.deliveries)
        listings = await catalog.Listings.read(session, wanted)
        for completion in completions:
            failure = (
                Failure(*completion.failure, completion.retry_after)
                if completion.failure
                else await self._try(session, completion, listings, savepoints)
            )
            if failure is None:
                done.append(completion.stored)
            else:
                await self._settle_failure(session, completion.stored, failure)
        await self._settle_applied(session, done)

    async def _try(
        self,
        session: AsyncSession,
        completion: Completion,
        listings: catalog.Listings,
        savepoint: bool,
    ) -> Failure | None:
        """Apply one completed delivery; the failure if it cannot be. The expected
        refusals come before anything is written, so need no savepoint."""
        try:
            if savepoint:
                async with session.begin_nested():
                    await self._apply_one(session, completion, listings)
            else:
                await self._apply_one(session, completion, listings)
        except CaseNotKnownYet as error:
            return Failure(str(error), True)
        except ChannelError as error:
            return Failure(error.detail, False)
        except Exception as error:
            if not savepoint:
                raise
            return Failure(f"{error.__class__.__name__}: {error}", True)
        return None

    async def _apply_one(
        self, session: AsyncSession, completion: Completion, listings: catalog.Listings
    ) -> None:
        stored = completion.stored
        with self.service.telemetry.tracer.start_as_current_span(
            f"apply {stored.channel.value} delivery",
            context=context_from_headers(stored.trace_headers),
            attributes={
                "intake.channel": stored.channel.value,
                "intake.delivery_id": stored.delivery_id,
            },
        ):
            for delivery in completion.deliveries:
                await apply_delivery(
                    session, self.intake, delivery, utc_now(), stored.legacy_case_id, listings
                )

    async def _settle_applied(self, session: AsyncSession, done: list[StoredDelivery]) -> None:
        """Each applied delivery moves on; they all land in one state, in one UPDATE."""
        keys_by_state: dict[DeliveryState, list[tuple[str, str, str]]] = {}
        for stored in done:
            state = applied(stored.state).state
            keys_by_state.setdefault(state, []).append(
                (stored.channel.value, stored.account, stored.delivery_id)
            )
        table = DeliveryRecord.__table__
        for state, keys in keys_by_state.items():
            await session.execute(
                update(table)
                .where(tuple_(table.c.channel, table.c.account, table.c.delivery_id).in_(keys))
                .values(state=state.value, applied_at=utc_now(), error=None)
            )

    async def _settle_failure(
        self, session: AsyncSession, stored: StoredDelivery, failure: Failure
    ) -> None:
        """Due again later, or failed with its cause once its tries' budget is spent."""
        now = utc_now()
        state = after_failure(
            stored.state,
            may_retry=failure.may_retry,
            trying_since=stored.trying_since,
            now=now,
            retries=self.retries,
        ).state
        values: dict[str, Any] = {"state": state.value, "error": failure.cause}
        if state is DeliveryState.FAILED:
            self.service.counter("deliveries.failed", "deliveries given up").add(
                1, {"channel": stored.channel.value}
            )
            log.warning(
                "delivery %s/%s/%s failed: %s",
                stored.channel,
                stored.account,
                stored.delivery_id,
                failure.cause,
            )
        else:
            pause = pause_before_next_try(
                stored.attempts, self.retries, self.jitter(), failure.retry_after
            )
            values["next_attempt_at"] = now + pause
        table = DeliveryRecord.__table__
        await session.execute(
            update(table)
            .where(
                table.c.channel == stored.channel.value,
                table.c.account == stored.account,
                table.c.delivery_id == stored.delivery_id,
            )
            .values(**values)
        )
