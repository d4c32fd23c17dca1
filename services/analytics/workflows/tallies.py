"""The period reports' cases, already folded: the tallies of the period's whole UTC days
and the case rows of the partial days at its edges (`domain/tallies.py`), so a report
reads thousands of rows where it read a million.

A trigger on the cases keeps the tallies in the writing transaction (migration 0019): each
statement takes the replaced rows' contribution out and puts the new rows' in. A rebuild
or a bulk load defers it (`deferred_tallies`) and folds every tally again at its end
(`refold`, one set-based pass over the cases)."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Table, func, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.tallies import Days, breaches_of, replies_of
from services.analytics.tables import BreachTally, CaseTally, CaseView, FirstReplyTally

REFOLD = "SELECT analytics.refold_tallies()"
DEFER = "SET LOCAL analytics.tallies = 'deferred'"

# What narrows a tally or the case rows to the period's sellers and market, given the
# table's seller and market columns.
Narrowing = Callable[[Any, Any], list[ColumnElement]]


@dataclass
class PeriodCases:
    """The period's cases as the folds take them: tally rows (the edges' case rows among
    them, each a tally of one), first replies (microseconds → cases) and breached clocks
    (clock → alerts)."""

    rows: list[Any] = field(default_factory=list)
    replies: Counter[int] = field(default_factory=Counter)
    breaches: Counter[str] = field(default_factory=Counter)


async def deferred_tallies(session: AsyncSession) -> None:
    """The trigger leaves the tallies alone until the transaction ends: `refold` before."""
    await session.execute(text(DEFER))


async def refold(session: AsyncSession) -> None:
    await session.execute(text(REFOLD))


async def period_cases(
    session: AsyncSession, narrowing: Narrowing, case_conditions: list, days: Days
) -> PeriodCases:
    """The period's tallied cases: `narrowing` picks the sellers and market of a tally,
    `case_conditions` the period's case rows (the edges are added to them)."""
    found = PeriodCases()
    # Oldest first: the partial day before the whole days, the whole days, the one after.
    await _add_case_rows(found, session, case_conditions, days.before)
    if days.whole:
        found.rows += await _tallies(session, narrowing, days)
        found.replies.update(await _counted(session, FirstReplyTally, narrowing, days))
        found.breaches.update(await _counted(session, BreachTally, narrowing, days))
    await _add_case_rows(found, session, case_conditions, days.after)
    return found


async def _add_case_rows(
    found: PeriodCases, session: AsyncSession, case_conditions: list, edge: tuple | None
) -> None:
    if edge is None:
        return
    rows = await _case_rows(session, case_conditions, *edge)
    found.rows += rows
    found.replies.update(replies_of(rows))
    found.breaches.update(breaches_of(rows))


def _within(table: Table, narrowing: Narrowing, first: date | None, end: date | None) -> list:
    conditions = narrowing(table.c.seller_account, table.c.market)
    if first is not None:
        conditions.append(table.c.day >= first)
    if end is not None:
        conditions.append(table.c.day < end)
    return conditions


async def _tallies(session: AsyncSession, narrowing: Narrowing, days: Days) -> list[RowMapping]:
    """Tally rows of the whole days, oldest first (a listing's ASIN and title are its
    earliest rows' that have one)."""
    tally = CaseTally
    query = (
        select(tally)
        .where(tally.c.cases > 0, *_within(tally, narrowing, days.first, days.end))
        .order_by(tally.c.day, tally.c.sku, tally.c.market)
    )
    return list((await session.execute(query)).mappings())


async def _counted(
    session: AsyncSession, tally: Table, narrowing: Narrowing, days: Days
) -> dict[Any, int]:
    """A tally of first replies or breaches over the whole days: duration or clock → count."""
    by, measure = (
        (tally.c.reply_us, tally.c.cases)
        if "cases" in tally.c
        else (
            tally.c.clock,
            tally.c.breaches,
        )
    )
    query = (
        select(by, func.sum(measure))
        .where(*_within(tally, narrowing, days.first, days.end))
        .group_by(by)
        .having(func.sum(measure) != 0)
    )
    return {key: int(total) for key, total in (await session.execute(query)).all()}


async def _case_rows(
    session: AsyncSession, case_conditions: list, start: Any, end: Any
) -> list[RowMapping]:
    query = select(CaseView.__table__).where(*case_conditions)
    if start is not None:
        query = query.where(CaseView.opened_at >= start)
    if end is not None:
        query = query.where(CaseView.opened_at < end)
    return list((await session.execute(query.order_by(CaseView.opened_at))).mappings())
