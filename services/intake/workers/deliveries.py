"""Deliveries: stored before the 2xx, turned into cases after it.

A webhook handler verifies a delivery and accepts it (`acceptance.py`), then answers. The
`DeliveryWorker` claims accepted deliveries, completes them (reading what the webhook
lacks from the marketplace's API), and applies them to intake's cases with their events,
one lane per marketplace API so that a slow marketplace delays only its own. A delivery
that cannot be completed yet is retried with a growing pause; one that never can is
marked failed with the cause, counted, and listed at `GET /deliveries?state=failed`.
"""

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select, tuple_, update

from services.intake.domain.case import Channel, ChannelError
from services.intake.tables import DeliveryRecord
from services.intake.workflows.cases import CaseNotKnownYet, apply_delivery
from services.intake.workflows.completing import Completion, StoredDelivery, complete
from shared.messaging_tables import utc_now
from shared.telemetry import context_from_headers
from shared.wakeup import NotifiedLoop, retry_pause

if TYPE_CHECKING:
    from services.intake.workflows.context import Intake

log = logging.getLogger(__name__)

CLAIM_BATCH = 200
# One lane per marketplace whose API completes a delivery, one for all the rest: a
# marketplace that is slow or down delays only its own deliveries.
LANES: tuple[tuple[Channel, ...], ...] = (
    (Channel.SHOPIFY,),
    (Channel.WALMART,),
    (Channel.EBAY,),
    (Channel.GENERIC, Channel.AMAZON, Channel.AGENT),
)
# A claimed delivery is left alone this long; a worker that died holding it is replaced.
LEASE = timedelta(seconds=60)
# Completions that call a marketplace at the same time.
CONCURRENT_READS = 16
DELIVERIES_CHANNEL = "deliveries_intake"


class DeliveryWorker:
    """Completes and applies the stored deliveries of some channels (one lane)."""

    def __init__(self, intake: "Intake", channels: tuple[Channel, ...]) -> None:
        self.intake = intake
        self.service = intake.service
        self.channels = [channel.value for channel in channels]
        self.loop = NotifiedLoop(
            f"intake delivery worker ({', '.join(self.channels)})",
            DELIVERIES_CHANNEL,
            self.work_once,
            self.service.settings,
            payloads=frozenset(self.channels),
        )
        self._reads = asyncio.Semaphore(CONCURRENT_READS)

    async def run(self) -> None:
        await self.loop.run()

    def stop(self) -> None:
        self.loop.stop()

    async def work_once(self) -> bool:
        """Claim, complete and apply one batch; True when a full batch was claimed."""
        claimed = await self._claim()
        if claimed:
            completions = await asyncio.gather(*(self._complete(d) for d in claimed))
            await self._apply(completions)
        return len(claimed) == CLAIM_BATCH

    async def _claim(self) -> list[StoredDelivery]:
        table = DeliveryRecord.__table__
        due = (
            select(table.c.channel, table.c.delivery_id)
            .where(
                table.c.state == "accepted",
                table.c.channel.in_(self.channels),
                table.c.next_attempt_at <= func.now(),
            )
            .order_by(table.c.received_at)
            .limit(CLAIM_BATCH)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(table)
            .where(tuple_(table.c.channel, table.c.delivery_id).in_(due))
            .values(attempts=table.c.attempts + 1, next_attempt_at=func.now() + LEASE)
            .returning(table)
        )
        async with self.service.engine.begin() as connection:
            rows = (await connection.execute(claim)).all()
        rows.sort(key=lambda row: row.received_at)
        return [
            StoredDelivery(
                channel=Channel(row.channel),
                delivery_id=row.delivery_id,
                account=row.account,
                kind=row.kind,
                content=self.intake.vault.open(row.content),
                trace_headers=row.trace_headers,
                attempts=row.attempts,
            )
            for row in rows
        ]

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

    async def _apply_batch(self, session, completions: list[Completion], savepoints: bool) -> None:
        applied: list[StoredDelivery] = []
        for completion in completions:
            failure = completion.failure or await self._try(session, completion, savepoints)
            if failure is None:
                applied.append(completion.stored)
            else:
                await self._settle_failure(session, completion.stored, failure)
        await self._settle_applied(session, applied)

    async def _try(
        self, session, completion: Completion, savepoint: bool
    ) -> tuple[str, bool] | None:
        """Apply one completed delivery; the failure (cause, may retry) if it cannot be.
        The expected refusals come before anything is written, so need no savepoint."""
        try:
            if savepoint:
                async with session.begin_nested():
                    await self._apply_one(session, completion)
            else:
                await self._apply_one(session, completion)
        except CaseNotKnownYet as error:
            return str(error), True
        except ChannelError as error:
            return error.detail, False
        except Exception as error:
            if not savepoint:
                raise
            return f"{error.__class__.__name__}: {error}", True
        return None

    async def _apply_one(self, session, completion: Completion) -> None:
        tracer = self.service.telemetry.tracer
        stored = completion.stored
        with tracer.start_as_current_span(
            f"apply {stored.channel.value} delivery",
            context=context_from_headers(stored.trace_headers),
            attributes={
                "intake.channel": stored.channel.value,
                "intake.delivery_id": stored.delivery_id,
            },
        ):
            for delivery in completion.deliveries:
                await apply_delivery(session, self.intake, delivery, utc_now())

    async def _settle_applied(self, session, applied: list[StoredDelivery]) -> None:
        if not applied:
            return
        table = DeliveryRecord.__table__
        keys = [(stored.channel.value, stored.delivery_id) for stored in applied]
        await session.execute(
            update(table)
            .where(tuple_(table.c.channel, table.c.delivery_id).in_(keys))
            .values(state="applied", applied_at=utc_now(), error=None)
        )

    async def _settle_failure(
        self, session, stored: StoredDelivery, failure: tuple[str, bool]
    ) -> None:
        """Due again later, or failed for good with its cause."""
        cause, may_retry = failure
        values: dict[str, Any]
        if may_retry and stored.attempts < self.service.settings.delivery_max_attempts:
            values = {"next_attempt_at": utc_now() + retry_pause(stored.attempts), "error": cause}
        else:
            values = {"state": "failed", "error": cause}
            self.service.counter("deliveries.failed", "deliveries given up").add(
                1, {"channel": stored.channel.value}
            )
            log.warning("delivery %s/%s failed: %s", stored.channel, stored.delivery_id, cause)
        table = DeliveryRecord.__table__
        await session.execute(
            update(table)
            .where(
                and_(
                    table.c.channel == stored.channel.value,
                    table.c.delivery_id == stored.delivery_id,
                )
            )
            .values(**values)
        )
