"""Amazon's returns reports, polled from the Reports API per account and report type.

Each authorised Amazon account (`sp_api.selling_partner`) has one poll per returns report
(`amazon_report_polls`), whose state survives a restart:

    scheduled ─ createReport(window) ─▶ waiting for report ─ getReport ─┬─ DONE: document read,
        ▲                                                               │  its returns taken,
        └───────── next report after AMAZON_REPORT_INTERVAL_SECONDS ◀───┘  window covered
    FATAL, CANCELLED, a call that failed: the cause is kept (`last_failure`, listed at
    `GET /amazon/report-polls`) and the same window is asked for again after a pause.

A window runs from where the last report done stopped (a day earlier, since Amazon adds a
return to its report some time after its date: returns seen twice are one return) to the
time of the request; a new account's first reaches AMAZON_REPORT_FIRST_DAYS back. The
returns go on as uploads do (`workflows/amazon_returns.take_report`).
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects.postgresql import insert

from services.intake.channels.amazon import reports_api
from services.intake.channels.amazon.reports import ReportKind, read_report
from services.intake.channels.amazon.reports_api import ProcessingStatus
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.domain.case import Channel, ChannelError
from services.intake.tables import AmazonReportPoll
from services.intake.workflows.amazon_returns import described, take_report
from services.intake.workflows.context import Intake
from shared.markets import Market
from shared.outbound import OutboundError, Unavailable
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

SCHEDULED = "scheduled"
PAUSED = "paused"  # the account has no SP-API authorisation (any more)
REPORT_KINDS = (ReportKind.SELLER_FULFILLED, ReportKind.FBA)
# Amazon adds a return to its report after the return's date: each window reaches back.
OVERLAP = timedelta(days=1)
POLLS_CHANNEL = "amazon_report_polls_intake"

Values = dict[str, Any]


async def authorised_accounts(intake: Intake) -> list[str]:
    """The Amazon accounts intake may call the SP-API for."""
    authorised = []
    for name in await intake.accounts.names(Channel.AMAZON):
        account = await intake.accounts.find(Channel.AMAZON, name)
        if account is not None and selling_partner(account) is not None:
            authorised.append(name)
    return authorised


async def schedule_accounts(intake: Intake, now: datetime) -> None:
    """A poll of each returns report for every authorised Amazon account; the polls of an
    account authorised again resume."""
    authorised = await authorised_accounts(intake)
    if not authorised:
        return
    first = now - timedelta(days=intake.service.settings.amazon_report_first_days)
    table = AmazonReportPoll.__table__
    new = [
        {
            "account": name,
            "report_type": kind.value,
            "state": SCHEDULED,
            "covered_until": first,
            "attempts": 0,
            "next_attempt_at": now,
            "reports_done": 0,
            "failures": 0,
        }
        for name in authorised
        for kind in REPORT_KINDS
    ]
    async with intake.service.engine.begin() as connection:
        await connection.execute(insert(table).values(new).on_conflict_do_nothing())
        await connection.execute(
            update(table)
            .where(table.c.state == PAUSED, table.c.account.in_(authorised))
            .values(state=SCHEDULED, next_attempt_at=now)
        )


async def poll(intake: Intake, polled: AmazonReportPoll, now: datetime) -> Values:
    """One step of the poll; the values it moves to."""
    account = await intake.accounts.find(Channel.AMAZON, polled.account)
    partner = selling_partner(account) if account else None
    if partner is None:
        return {"state": PAUSED, "last_failure": "the account has no SP-API authorisation"}
    settings = intake.service.settings
    apis = intake.marketplaces
    try:
        if polled.report_id is None:
            start = polled.covered_until - OVERLAP if polled.reports_done else polled.covered_until
            report_id = await reports_api.create_report(
                apis, partner, polled.report_type, start, now
            )
            return {
                "report_id": report_id,
                "requested_until": now,
                "next_attempt_at": now + timedelta(seconds=settings.amazon_report_check_seconds),
            }
        report = await reports_api.get_report(apis, partner, polled.report_id)
        status = report.processing_status
        if status in (ProcessingStatus.IN_QUEUE, ProcessingStatus.IN_PROGRESS):
            return {
                "next_attempt_at": now + timedelta(seconds=settings.amazon_report_check_seconds)
            }
        if status is ProcessingStatus.DONE:
            content = await reports_api.report_document(
                apis, partner, report.report_document_id or ""
            )
            default = Market(account.default_market) if account.default_market else None
            outcome = await take_report(
                intake, polled.account, read_report(content), default, f"report {report.report_id}"
            )
            return done(polled, now, settings.amazon_report_interval_seconds, outcome)
        cause = await why_not_done(intake, partner, report)
        pause = (
            settings.amazon_report_interval_seconds
            if status is ProcessingStatus.CANCELLED
            else None
        )
        return failure(polled, now, cause, pause, keep_report=False)
    except Unavailable as error:
        pause = max(error.retry_after or 0, retry_pause(polled.failures + 1).total_seconds())
        return failure(polled, now, str(error), pause, keep_report=True)
    except (OutboundError, ChannelError) as error:
        cause = error.detail if isinstance(error, ChannelError) else str(error)
        return failure(
            polled, now, cause, settings.amazon_report_interval_seconds, keep_report=False
        )


def done(polled: AmazonReportPoll, now: datetime, interval: float, outcome) -> Values:
    refused = "; ".join(described(row) for row in outcome.rejected_rows[:20])
    summary = (
        f"report {polled.report_id} done at {now.isoformat(timespec='seconds')}: "
        f"{outcome.returns} returns, {outcome.new} new"
        + (f"; rows left out: {refused}" if refused else "")
    )
    if outcome.rejected_rows:
        log.warning("amazon %s %s: %s", polled.account, polled.report_type, summary)
    return {
        "covered_until": polled.requested_until or now,
        "report_id": None,
        "requested_until": None,
        "reports_done": polled.reports_done + 1,
        "last_outcome": summary,
        "failures": 0,
        "next_attempt_at": now + timedelta(seconds=interval),
    }


def failure(
    polled: AmazonReportPoll, now: datetime, cause: str, pause: float | None, *, keep_report: bool
) -> Values:
    """The cause kept, the window kept; tried again after `pause` seconds (a growing one when
    None)."""
    failures = polled.failures + 1
    seconds = pause if pause is not None else retry_pause(failures).total_seconds()
    log.warning("amazon %s %s: %s", polled.account, polled.report_type, cause)
    values: Values = {
        "failures": failures,
        "last_failure": cause,
        "failed_at": now,
        "next_attempt_at": now + timedelta(seconds=seconds),
    }
    if not keep_report:
        values |= {"report_id": None, "requested_until": None}
    return values


async def why_not_done(intake: Intake, partner, report: reports_api.Report) -> str:
    """FATAL or CANCELLED, with what Amazon's error document says when there is one."""
    said = ""
    if report.processing_status is ProcessingStatus.FATAL and report.report_document_id:
        try:
            content = await reports_api.report_document(
                intake.marketplaces, partner, report.report_document_id
            )
            said = ": " + content.decode("utf-8", errors="replace").strip()[:300]
        except OutboundError as error:
            said = f" (its error document could not be read: {error})"
    if report.processing_status is ProcessingStatus.CANCELLED:
        said = ": cancelled by Amazon (no data in the window, or cancelled by hand)"
    return f"report {report.report_id} {report.processing_status.value}{said}"


async def polls(
    intake: Intake, scope: ColumnElement[bool], account: str | None = None
) -> list[dict]:
    """The polls of the accounts within `scope` (a condition on `account`)."""
    table = AmazonReportPoll.__table__
    query = select(table).where(scope).order_by(table.c.account, table.c.report_type)
    if account is not None:
        query = query.where(table.c.account == account)
    async with intake.service.engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(query)]


async def settle(intake: Intake, polled: AmazonReportPoll, values: Values) -> None:
    table = AmazonReportPoll.__table__
    async with intake.service.engine.begin() as connection:
        await connection.execute(
            update(table)
            .where(table.c.account == polled.account, table.c.report_type == polled.report_type)
            .values(**values)
        )
