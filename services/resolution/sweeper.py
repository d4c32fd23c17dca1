"""Time moves here: lapsed offers go to the next step, clocks near or past due alert.

`sweep(service, now)` is the one place: the background `Sweeper` calls it with the wall
clock, tests call it with any moment they like, so nothing ever waits.
"""

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution import offering, timekeeping
from services.resolution.tables import CaseDecision, Offer
from shared.messaging_tables import utc_now
from shared.service import Service

log = logging.getLogger(__name__)

SWEEP_BATCH = timekeeping.SWEEP_BATCH


async def sweep(service: Service, now: datetime) -> int:
    """Lapse the offers past their expiry and alert on clocks near or past due.
    Returns how many offers and clocks moved."""
    moved = 0
    async with service.transaction() as session:
        for offer in await lapsed_offers(session, now):
            record = await session.get(CaseDecision, offer.case_id, with_for_update=True)
            if record is None:
                continue
            async with service.case_span(session, offer.case_id, "offer.expired"):
                await offering.give_up(session, record, offer, "expired", "", now)
            moved += 1
        for clock in await timekeeping.clocks_to_alert(session, now):
            moved += await timekeeping.alert(session, clock, now)
    return moved


async def lapsed_offers(session: AsyncSession, now: datetime) -> list[Offer]:
    rows = await session.scalars(
        select(Offer)
        .where(Offer.state == "open", Offer.expires_at <= now)
        .order_by(Offer.expires_at)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


class Sweeper:
    """Calls `sweep` with the wall clock every `resolution_sweep_seconds`."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        period = self.service.settings.resolution_sweep_seconds
        while not self._stopping.is_set():
            try:
                await sweep(self.service, utc_now())
            except Exception:
                log.exception("resolution sweep failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=period)

    def stop(self) -> None:
        self._stopping.set()
