"""A parcel the buyer says never arrived is traced with the carrier before any remedy.

The trace worker (`workers/parcel_traces.py`) asks the carrier and settles the trace
here (`domain/tracing.read`): delivered → an agent checks with the buyer first; still
moving → look again later; returned, failed, or in transit for too long → the plan goes
on (reship, then refund). A buyer who says the tracking shows it delivered goes to an
agent at once with their words (`domain/delivery_claims.py`), as does a case whose
marketplace says the order's parcel was delivered (Amazon's package status, which intake
reads with the parcel). Without a tracking API
configured, or when it keeps failing, the plan goes on untraced: a buyer never waits on our
own configuration.
"""

from datetime import datetime

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain import cases, tracing
from services.resolution.domain.cases import CaseState
from services.resolution.domain.clocks import ANSWER_CLOCKS
from services.resolution.domain.delivery_claims import (
    delivered_per_marketplace,
    delivered_per_tracking,
    evidence,
    marketplace_evidence,
)
from services.resolution.domain.policy import SellerPolicy
from services.resolution.domain.tracing import (
    UNTRACED,
    ParcelStatus,
    Reading,
    Trace,
    TraceState,
    Verdict,
    needs_trace,
    read,
)
from services.resolution.tables import CaseDecision, ParcelTrace
from services.resolution.workflows import offering, timekeeping
from services.resolution.workflows.cases import hold
from services.resolution.workflows.moves import moved
from shared.events import Scenario
from shared.outbox import emit_all

NOT_RECEIVED = Scenario.NOT_RECEIVED.value


async def trace_or_resolve(
    session: AsyncSession,
    record: CaseDecision,
    why: str,
    now: datetime,
    in_force: tuple[SellerPolicy, int] | None = None,
    buyer_words: str = "",
) -> bool:
    """The case's first step once its scenario is known: its parcel to the carrier when
    the buyer says it never arrived, else its plan (`offering.resolve`). True when a
    message went to the buyer. A buyer whose own words (`buyer_words`) say the tracking
    shows it delivered waits for an agent, with those words: nothing is sent again at once;
    so does one whose marketplace says the parcel was delivered (`record.parcel_status`)."""
    lost = record.scenario == NOT_RECEIVED
    status = record.parcel_status
    if lost and status and delivered_per_marketplace(status):
        record.rule = f"{record.marketplace} says the parcel was delivered"
        said = marketplace_evidence(
            record.marketplace, status, record.carrier, record.tracking_number
        )
        await hold(session, record, said, now)
        return False
    claim = delivered_per_tracking(buyer_words) if lost else None
    if claim is not None:
        record.rule = "the buyer says the tracking shows the parcel delivered"
        await hold(session, record, evidence(claim, record.carrier, record.tracking_number), now)
        return False
    if not needs_trace(record.scenario, record.tracking_number):
        return await offering.resolve(session, record, why, now, in_force)
    record.rule = f"tracing parcel {record.tracking_number} with {record.carrier}"
    await moved(session, record, cases.trace(CaseState(record.state)))
    session.add(
        ParcelTrace(
            case_id=record.case_id,
            carrier=record.carrier or "",
            tracking_number=record.tracking_number or "",
            state=TraceState.PENDING,
        )
    )
    return False


async def settle(
    session: AsyncSession, trace: ParcelTrace, found: ParcelStatus | Reading, now: datetime
) -> None:
    """`found`: the carrier's answer, read here against the case; or, untraced, the
    reading to act on."""
    record = await session.get(CaseDecision, trace.case_id, with_for_update=True)
    if isinstance(found, ParcelStatus):
        opened = (record.opened_at if record else None) or now
        carrier_status, reading = found.status, read(found, opened, now)
    else:
        carrier_status, reading = UNTRACED, found
    parcel = Trace(trace.case_id, trace.carrier, trace.tracking_number)
    transition = tracing.traced(TraceState(trace.state), parcel, carrier_status, reading, now)
    await emit_all(session, transition.events)
    checked = {"last_status": carrier_status, "checked_at": now}
    if transition.state is TraceState.PENDING:
        await set_trace(
            session, trace.case_id, next_attempt_at=reading.look_again_at, error=None, **checked
        )
        return
    await set_trace(session, trace.case_id, state=transition.state, **checked)
    if record is not None and cases.takes_carriers_word(CaseState(record.state)):
        await go_on(session, record, reading, now)


async def go_on(
    session: AsyncSession, record: CaseDecision, reading: Reading, now: datetime
) -> None:
    """Delivered: an agent checks with the buyer. Otherwise: the plan, reship first."""
    if reading.verdict is Verdict.DELIVERED:
        await hold(session, record, [reading.why], now)
        return
    if await offering.resolve(session, record, f"carrier trace: {reading.why}", now):
        await timekeeping.stop_clocks(session, record.case_id, ANSWER_CLOCKS, now)


async def retry_later(session: AsyncSession, trace: ParcelTrace, at: datetime, why: str) -> None:
    await set_trace(session, trace.case_id, next_attempt_at=at, error=why)


async def set_trace(session: AsyncSession, case_id: str, **values: object) -> None:
    table = ParcelTrace.__table__
    await session.execute(update(table).where(table.c.case_id == case_id).values(**values))
