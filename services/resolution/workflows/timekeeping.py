"""Service-level clocks of each case, kept in the database: started, stopped, alerted.

Clocks alert when the sweeper (`workers/sweeper.py`) passes their warning or due time.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain import clocks
from services.resolution.domain.clocks import (
    TICKING,
    Clock,
    ClockState,
    follow_up_clock,
    refund_clock,
)
from services.resolution.tables import CaseClock, CaseDecision
from services.resolution.workflows.moves import moved
from shared.batch_writes import insert_later, write_pending
from shared.markets import Market

SWEEP_BATCH = 200


def row_of(case_id: str, clock: Clock) -> dict:
    return {
        "case_id": case_id,
        "name": clock.name,
        "started_at": clock.started_at,
        "warn_at": clock.warn_at,
        "due_at": clock.due_at,
        "state": ClockState.RUNNING,
    }


async def start_clocks(session: AsyncSession, case_id: str, started: Iterable[Clock]) -> None:
    for clock in started:
        await insert_later(session, CaseClock.__table__, row_of(case_id, clock), skip_existing=True)


def add_new_case_clocks(session: AsyncSession, case_id: str, started: Iterable[Clock]) -> None:
    """The clocks of a case opened in this transaction, written with the batch at commit.
    A case answered as it opens starts none: its reply was on time by construction."""
    session.add_all(CaseClock(**row_of(case_id, clock)) for clock in started)


async def breach_overdue(
    session: AsyncSession, case_id: str, deadlines: Iterable[Clock], now: datetime
) -> list[Clock]:
    """The marketplace deadlines already past when the case is imported, stored breached
    with their alert in this transaction, answered or not: no later reply can meet them.
    Returns the others, still to run."""
    running = []
    for clock in deadlines:
        if clocks.state_of(clock, now) is not ClockState.BREACHED:
            running.append(clock)
            continue
        row = CaseClock(**row_of(case_id, clock))
        await moved(session, row, clocks.alert(ClockState.RUNNING, clock, case_id, now))
    return running


async def stop_clocks(
    session: AsyncSession, case_id: str, names: Iterable[str], now: datetime
) -> None:
    # The clocks started earlier in this batch are written first, to be stopped too.
    await write_pending(session)
    await session.flush()
    table = CaseClock.__table__
    await session.execute(
        update(table)
        .where(
            table.c.case_id == case_id,
            table.c.name.in_(list(names)),
            table.c.state.in_(TICKING),
        )
        .values(state=ClockState.STOPPED, stopped_at=now)
    )


async def start_refund_clock(
    session: AsyncSession, record: CaseDecision, received_at: datetime
) -> None:
    clock = refund_clock(record.marketplace, Market(record.market), received_at)
    await start_clocks(session, record.case_id, [clock])


async def start_follow_up(
    session: AsyncSession, record: CaseDecision, refunded_at: datetime
) -> None:
    await start_clocks(
        session, record.case_id, [follow_up_clock(refunded_at, Market(record.market))]
    )


async def clocks_to_alert(session: AsyncSession, now: datetime) -> list[CaseClock]:
    rows = await session.scalars(
        select(CaseClock)
        .where(CaseClock.state.in_(TICKING), CaseClock.warn_at <= now)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


async def next_alert(session: AsyncSession) -> datetime | None:
    """When the next clock warns (a running one) or breaches (one near breach)."""
    warning = select(func.min(CaseClock.warn_at)).where(CaseClock.state == ClockState.RUNNING)
    breach = select(func.min(CaseClock.due_at)).where(CaseClock.state == ClockState.NEAR_BREACH)
    first = func.least(warning.scalar_subquery(), breach.scalar_subquery())
    return await session.scalar(select(first))


async def alert(session: AsyncSession, row: CaseClock, now: datetime) -> int:
    """One alert per level: near breach once, breached once."""
    clock = Clock(row.name, row.started_at, row.due_at, row.warn_at)
    transition = clocks.alert(ClockState(row.state), clock, row.case_id, now)
    if transition.repeated:
        return 0
    await moved(session, row, transition)
    return 1
