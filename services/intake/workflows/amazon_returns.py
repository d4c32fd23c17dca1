"""Amazon's returns, from their reports to their cases.

A report (polled by `workers/amazon_reports.py` or uploaded to `POST /reports/amazon/...`)
is read whole, then each of its returns (one RMA, one FBA unit) either:
- opens its case at once, through a delivery: for an account intake cannot read orders
  for (no SP-API authorisation), in the upload's or the account's market, as the rows say;
- or waits here (`amazon_return_rows`) until its order has been read from the Orders API
  (its market, its currency, a price the report lacks, who fulfilled it), then opens its
  case through the same delivery. An Orders API that is down or throttling delays the
  return, with its cause kept; an order Amazon refuses to show fails it, listed.
Either way the delivery is keyed by the return (`amazon:rma:<id>`, `amazon:lpn:<plate>`),
so a return polled and uploaded opens one case. What each report says of an FBA unit (its
disposition, Amazon's status) is a delivery of its own too, keyed by what it says: the same
word again is a duplicate, a new one (a unit graded since) moves the unit's case on
(`workflows/fba_units.py`).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects.postgresql import insert

from services.intake.channels.amazon.orders_api import order_facts
from services.intake.channels.amazon.reports import (
    RejectedRow,
    ReportRead,
    ReturnRows,
    case_of,
    claim_deliveries,
    deliveries_of,
    delivery_of,
    needs_order,
    unit_deliveries,
)
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.domain.case import Channel
from services.intake.tables import AmazonReturnRows
from services.intake.workflows.context import Intake
from shared.markets import Market
from shared.messaging_tables import utc_now

WAITING = "waiting"
OPENED = "opened"
FAILED = "failed"
RETURNS_CHANNEL = "amazon_returns_intake"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of a report's returns: how many opened or wait (new), how many were
    known already, and the rows left out."""

    returns: int
    new: int
    rejected_rows: list[RejectedRow]

    @property
    def duplicates(self) -> int:
        return self.returns - self.new


async def take_report(
    intake: Intake, account: str, report: ReportRead, default_market: Market | None, source: str
) -> Outcome:
    """Every return of the report on its way to its case: at once when no order needs
    reading (or none can be read: the account has no SP-API authorisation), else waiting
    for it. Returns known already are left as they are."""
    known = await intake.accounts.find(Channel.AMAZON, account)
    partner = selling_partner(known) if known else None
    waiting = [rows for rows in report.returns if partner and needs_order(rows)]
    ready = [rows for rows in report.returns if rows not in waiting]
    now = utc_now()
    deliveries, refused = deliveries_of(ready, account, default_market, now)
    new = await intake.acceptance.accept_parsed(deliveries)
    new += await wait_for_orders(intake, account, waiting, default_market, source, now)
    # What the report says of each FBA unit, its case open or not: a new word moves it on.
    await intake.acceptance.accept_parsed(unit_deliveries(report.returns, account, now))
    # The claims it flags (an A-to-z claim, a SAFE-T claim): analytics opens each, clock running.
    await intake.acceptance.accept_parsed(claim_deliveries(report.returns, account, now))
    rejected = sorted([*report.rejected_rows, *refused], key=lambda row: row.line)
    return Outcome(len(deliveries) + len(waiting), new, rejected)


async def wait_for_orders(
    intake: Intake,
    account: str,
    returns: list[ReturnRows],
    default_market: Market | None,
    source: str,
    now: datetime,
) -> int:
    """Keep the returns (read at `now`) until their orders are read; how many were not kept
    before."""
    if not returns:
        return 0
    table = AmazonReturnRows.__table__
    statement = (
        insert(table)
        .values(
            [
                {
                    "account": account,
                    "return_key": rows.key,
                    "rows": intake.vault.seal(rows.model_dump(mode="json")),
                    "default_market": default_market.value if default_market else None,
                    "source": source,
                    "state": WAITING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "received_at": now,
                }
                for rows in returns
            ]
        )
        .on_conflict_do_nothing()
        .returning(table.c.return_key)
    )
    async with intake.service.engine.begin() as connection:
        kept = (await connection.execute(statement)).all()
    return len(kept)


class ReturnRefused(Exception):
    """The return's case cannot be made: every row is at fault, or its order refused."""


async def open_return(intake: Intake, row: AmazonReturnRows) -> bool:
    """Read the return's order and store the delivery that opens its case; False when it
    was opened before. Raises Unavailable (try later) or ReturnRefused/Refused (never)."""
    account = await intake.accounts.find(Channel.AMAZON, row.account)
    partner = selling_partner(account) if account else None
    rows = ReturnRows.model_validate(intake.vault.open(row.rows))
    default = Market(row.default_market) if row.default_market else None
    order = await order_facts(intake.marketplaces, partner, rows.order_id) if partner else None
    case, rejected = case_of(rows, seller_account=row.account, market=default, order=order)
    if case is None:
        raise ReturnRefused("; ".join(described(refused) for refused in rejected))
    if rejected:  # the case opens with the rows that can be part of it
        log.warning(
            "amazon return %s of %s: rows left out: %s",
            row.return_key,
            row.account,
            "; ".join(described(refused) for refused in rejected),
        )
    delivery = delivery_of(rows, case, seen_at=row.received_at)
    return await intake.acceptance.accept_parsed([delivery]) == 1


def described(row: RejectedRow) -> str:
    return f"line {row.line}, {row.field}: {row.detail}"


async def returns_in(
    intake: Intake,
    state: str,
    scope: ColumnElement[bool],
    account: str | None = None,
    limit: int = 100,
) -> list[dict]:
    """The returns in `state` within `scope` (a condition on `account`: the reader's
    sellers; failed ones carry their cause), newest first; no rows."""
    table = AmazonReturnRows.__table__
    shown = (c for c in table.c if c.name != "rows")
    query = select(*shown).where(table.c.state == state, scope)
    if account is not None:
        query = query.where(table.c.account == account)
    async with intake.service.engine.connect() as connection:
        found = await connection.execute(query.order_by(table.c.received_at.desc()).limit(limit))
        return [dict(row._mapping) for row in found]


def pause_after(attempts: int, retry_after: float | None, now: datetime) -> datetime:
    """When a return whose order could not be read is tried again: at least what Amazon
    asked for, growing with the tries up to an hour."""
    grown = min(2 ** max(attempts - 1, 0) * 5, 3600)
    return now + timedelta(seconds=max(grown, retry_after or 0))


async def retry_failed(
    intake: Intake, scope: ColumnElement[bool], account: str | None = None
) -> int:
    """The failed returns within `scope` (of `account`) waiting again, their orders read
    anew; how many."""
    table = AmazonReturnRows.__table__
    statement = (
        update(table)
        .where(table.c.state == FAILED, scope, *([table.c.account == account] if account else []))
        .values(state=WAITING, next_attempt_at=utc_now(), attempts=0)
        .returning(table.c.return_key)
    )
    async with intake.service.engine.begin() as connection:
        return len((await connection.execute(statement)).all())
