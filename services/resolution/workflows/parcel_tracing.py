"""A parcel the buyer says never arrived is traced with the carrier before any remedy.

The trace worker asks the carrier (through EasyPost's Tracker API) and reads the answer
(`domain/tracing.read`): delivered → an agent checks with the buyer first; still moving →
look again later; returned, failed, or in transit for too long → the plan goes on (reship,
then refund). Without a tracking API configured, or when it keeps failing, the plan goes
on untraced: a buyer never waits on our own configuration.
"""

import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution import offering, timekeeping
from services.resolution.carrier_tracking import (
    CarrierTracking,
    ParcelStatus,
    TrackingNotYetKnown,
    TrackingRefused,
)
from services.resolution.domain.tracing import Reading, Verdict, read
from services.resolution.tables import CaseDecision, ParcelTrace
from shared.events import ParcelTraced, Scenario
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.outbox import emit
from shared.service import Service
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

TRACES_CHANNEL = "parcel_traces_due"
MAX_ATTEMPTS = 6  # tracking API failures before the plan goes on untraced


def needs_trace(record: CaseDecision) -> bool:
    return record.scenario == Scenario.NOT_RECEIVED.value and bool(record.tracking_number)


def start_trace(session: AsyncSession, record: CaseDecision) -> None:
    record.state = "tracing"
    record.rule = f"tracing parcel {record.tracking_number} with {record.carrier}"
    session.add(
        ParcelTrace(
            case_id=record.case_id,
            carrier=record.carrier or "",
            tracking_number=record.tracking_number or "",
        )
    )


class TraceWorker(LeasedWork[ParcelTrace]):
    """Asks the carrier about pending traces; `tracking` None means none is configured."""

    def __init__(self, service: Service, tracking: CarrierTracking | None) -> None:
        self.tracking = tracking
        super().__init__("parcel trace worker", TRACES_CHANNEL, service, ParcelTrace, self._trace)

    async def _trace(self, trace: ParcelTrace) -> None:
        if self.tracking is None:
            await self._settle(trace, untraced("no carrier tracking is configured"))
            return
        try:
            status = await self.tracking.track(trace.carrier, trace.tracking_number)
        except TrackingRefused as refusal:
            await self._settle(trace, untraced(f"the tracking API refused: {refusal}"))
        except TrackingNotYetKnown as failure:
            if trace.attempts >= MAX_ATTEMPTS:
                await self._settle(trace, untraced(f"tracking unavailable: {failure}"))
            else:
                await self._retry_later(trace, failure)
        else:
            await self._settle(trace, status)

    async def _retry_later(self, trace: ParcelTrace, failure: TrackingNotYetKnown) -> None:
        pause = retry_pause(trace.attempts)
        if failure.retry_after is not None:
            pause = max(pause, timedelta(seconds=failure.retry_after))
        async with self.service.transaction() as session:
            await set_trace(
                session, trace.case_id, next_attempt_at=utc_now() + pause, error=str(failure)
            )

    async def _settle(self, trace: ParcelTrace, found: ParcelStatus | Reading) -> None:
        """`found`: the carrier's answer, read here against the case; or, untraced, the
        reading to act on."""
        now = utc_now()
        async with (
            self.service.transaction() as session,
            self.service.case_span(session, trace.case_id, "parcel.traced"),
        ):
            record = await session.get(CaseDecision, trace.case_id, with_for_update=True)
            if isinstance(found, ParcelStatus):
                opened = (record.opened_at if record else None) or now
                carrier_status, reading = found.status, read(found, opened, now)
            else:
                carrier_status, reading = "untraced", found
            await emit(session, traced_event(trace, carrier_status, reading, now))
            if reading.verdict is Verdict.WAIT and reading.look_again_at is not None:
                await set_trace(
                    session,
                    trace.case_id,
                    next_attempt_at=reading.look_again_at,
                    last_status=carrier_status,
                    checked_at=now,
                    error=None,
                )
                return
            await set_trace(
                session, trace.case_id, state="done", last_status=carrier_status, checked_at=now
            )
            if record is None or record.state != "tracing":
                return  # an agent took the case meanwhile
            await go_on(session, record, reading, now)


async def go_on(
    session: AsyncSession, record: CaseDecision, reading: Reading, now: datetime
) -> None:
    """Delivered: an agent checks with the buyer. Otherwise: the plan, reship first."""
    if reading.verdict is Verdict.DELIVERED:
        await offering.hold(session, record, [reading.why], now)
        return
    if await offering.resolve(session, record, f"carrier trace: {reading.why}", now):
        await timekeeping.stop_clocks(session, record.case_id, offering.ANSWER_CLOCKS, now)


def untraced(why: str) -> Reading:
    """The plan goes on without the carrier's word: treated like a lost parcel."""
    return Reading(Verdict.LOST, None, why)


def traced_event(
    trace: ParcelTrace, carrier_status: str, reading: Reading, now: datetime
) -> ParcelTraced:
    verdict = "untraced" if carrier_status == "untraced" else reading.verdict.value
    return ParcelTraced(
        case_id=trace.case_id,
        carrier=trace.carrier,
        tracking_number=trace.tracking_number,
        status=carrier_status,
        verdict=verdict,
        why=reading.why,
        at=now,
    )


async def set_trace(session: AsyncSession, case_id: str, **values: object) -> None:
    table = ParcelTrace.__table__
    await session.execute(update(table).where(table.c.case_id == case_id).values(**values))


def tracking_client(service: Service, http: httpx.AsyncClient) -> CarrierTracking | None:
    settings = service.settings
    if not settings.tracking_api_base_url or settings.tracking_api_key is None:
        return None
    return CarrierTracking(http, settings.tracking_api_key.get_secret_value())
