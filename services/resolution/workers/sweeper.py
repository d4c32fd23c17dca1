"""Time moves here: lapsed offers go to the next step, clocks near or past due alert.

`sweep(service, now)` is the one place: the background sweeper calls it with the wall
clock, tests call it with any moment they like, so nothing ever waits.

The sweeper sleeps until the next offer lapses or clock alerts (`next_due`), woken sooner
when a new offer or clock comes due before that (a trigger notifies `DUE_CHANNEL` with
its due time, migration 0012); it polls only every `resolution_poll_seconds`, as a safety net.
"""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.offers import OfferState
from services.resolution.tables import CaseDecision
from services.resolution.workflows import offering, timekeeping
from shared.messaging_tables import utc_now
from shared.service import Service
from shared.wakeup import NotifiedLoop

DUE_CHANNEL = "resolution_due"
# Work still due after a sweep (a case busy with an answer, skipped) waits this long.
BUSY_PAUSE = timedelta(seconds=1)


async def sweep(service: Service, now: datetime) -> int:
    """Lapse the offers past their expiry and alert on clocks near or past due.
    Returns how many offers and clocks moved."""
    moved = 0
    async with service.transaction() as session:
        for case_id in await offering.cases_with_lapsed_offers(session, now):
            moved += await lapse(service, session, case_id, now)
        for clock in await timekeeping.clocks_to_alert(session, now):
            moved += await timekeeping.alert(session, clock, now)
    return moved


async def lapse(service: Service, session: AsyncSession, case_id: str, now: datetime) -> int:
    """Locks like the event handlers do, the case before its offer, so the two never wait on
    each other in a circle; a case busy with an answer right now is left for the next sweep."""
    record = await session.get(CaseDecision, case_id, with_for_update={"skip_locked": True})
    if record is None:
        return 0
    offer = await offering.open_offer(session, case_id)
    if offer is None or offer.expires_at > now:
        return 0  # answered meanwhile
    async with service.case_span(session, case_id, "offer.expired"):
        await offering.give_up(session, record, offer, OfferState.EXPIRED, "", now)
    return 1


async def next_due(service: Service) -> datetime | None:
    """When the next offer lapses or clock alerts; not before `BUSY_PAUSE` from now."""
    async with service.sessions() as session:
        lapse_at = await offering.next_lapse(session)
        alert_at = await timekeeping.next_alert(session)
    due = min((at for at in (lapse_at, alert_at) if at is not None), default=None)
    return None if due is None else max(due, utc_now() + BUSY_PAUSE)


def sweeper(service: Service) -> NotifiedLoop:
    """`sweep` with the wall clock whenever an offer or a clock comes due."""

    async def drain() -> bool:
        await sweep(service, utc_now())
        return False  # what is still due comes back through `next_due`

    return NotifiedLoop(
        "resolution sweep",
        DUE_CHANNEL,
        drain,
        service.settings,
        poll_seconds=service.settings.resolution_poll_seconds,
        next_due=lambda: next_due(service),
    )
