"""Reports out: the summary, why listings are returned and where, what steering achieved
and saved (JSON, CSV, and the seller's XLSX analysis workbook).

Every report counts the caller's sellers' cases only. A report asked for one seller
(`seller=`) the caller does not serve answers 404, as a seller unknown: it names whose
report it is, as a path would, rather than narrowing a list."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import Row, RowMapping, func, select, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain import reports
from services.analytics.domain.outcomes import outcomes, savings_by_month
from services.analytics.domain.phrases import BuyerComment, Counted, Ranked, phrases_in
from services.analytics.domain.tallies import Days, days_of
from services.analytics.domain.taxonomy import Labeller
from services.analytics.domain.workbook import csv_text, seller_workbook
from services.analytics.handlers.what_if import credentials_of
from services.analytics.tables import CaseView, UnitsSold
from services.analytics.workflows.buyer_texts import buyer_texts
from services.analytics.workflows.context import CurrentAnalytics
from services.analytics.workflows.listing_audit import audit_or_why_not
from services.analytics.workflows.phrase_tallies import count_tallied
from services.analytics.workflows.tallies import PeriodCases, period_cases
from services.analytics.workflows.taxonomies import labeller_of
from shared.identity import Principal, SellerReader
from shared.routes import attachment
from shared.service import CurrentService

router = APIRouter(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


SUMMED = ("scenario", "remedy", "market", "marketplace", "status")


@router.get("/reports/summary", summary="Cases by scenario, remedy, market and marketplace")
async def summary(caller: SellerReader, service: CurrentService) -> dict:
    """The caller's cases and their kept events (each case row counts its own, so an event
    whose case's seller is not known yet counts for a caller serving every seller only),
    then the cases by each fact: one pass over the cases, counted per combination of the
    facts (one hash per case, and in parallel), whose few rows the grouping sets add up."""
    facts = [getattr(CaseView, name) for name in SUMMED]
    combinations = (
        select(*facts, func.count().label("cases"), func.sum(CaseView.events_kept).label("events"))
        .where(caller.sellers_in(CaseView.seller_account))
        .group_by(*facts)
        .subquery()
    )
    columns = [combinations.c[name] for name in SUMMED]
    query = (
        select(
            *columns,
            *(func.grouping(column) for column in columns),
            func.coalesce(func.sum(combinations.c.cases), 0),
            func.coalesce(func.sum(combinations.c.events), 0),
        )
        .group_by(func.grouping_sets(tuple_(), *columns))
        .order_by(*columns)
    )
    async with service.sessions() as session:
        rows = (await session.execute(query)).all()
    return _summary_of(rows)


def _summary_of(rows: list[Row]) -> dict:
    """The grouping sets' rows as the summary: the totals, then `by_<fact>` for each fact
    (its known values only, in the database's order)."""
    answer: dict[str, Any] = {"cases": 0, "events": 0}
    answer |= {f"by_{name}": {} for name in SUMMED}
    for row in rows:
        values, grouped = row[: len(SUMMED)], row[len(SUMMED) : 2 * len(SUMMED)]
        cases, events = (int(total) for total in row[-2:])  # sums of counts: numeric
        if all(grouped):  # grouped by none of them: every case
            answer["cases"], answer["events"] = cases, events
            continue
        fact = list(grouped).index(0)
        if values[fact] is not None:
            answer[f"by_{SUMMED[fact]}"][values[fact]] = cases
    return answer


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


class Period:
    """Which cases a report covers: the caller's sellers' (or the one seller asked for, if
    the caller's), a market, and when they opened. The report's route names its policy too
    (`SellerReader`, for the route walk); FastAPI checks the token once for both."""

    def __init__(
        self,
        caller: SellerReader,
        seller: str | None = None,
        market: str | None = None,
        since: Annotated[datetime | None, Query(description="opened at or after")] = None,
        until: Annotated[datetime | None, Query(description="opened before")] = None,
    ) -> None:
        if since and until and since >= until:
            raise HTTPException(422, "since must be before until")
        if seller is not None:
            caller.seller_or_404(seller, "seller")
        self.caller: Principal = caller
        self.seller, self.market, self.since, self.until = seller, market, since, until

    def conditions(self) -> list:
        """The period's cases: opened ones (a listing known), of the seller and market."""
        conditions = [CaseView.sku.is_not(None), self.caller.sellers_in(CaseView.seller_account)]
        if self.seller is not None:
            conditions.append(CaseView.seller_account == self.seller)
        if self.market is not None:
            conditions.append(CaseView.market == self.market)
        if self.since is not None:
            conditions.append(CaseView.opened_at >= self.since)
        if self.until is not None:
            conditions.append(CaseView.opened_at < self.until)
        return conditions

    def narrowing(self, seller_column, market_column) -> list:
        """What narrows a tally of the cases to the period's sellers and market."""
        conditions = [self.caller.sellers_in(seller_column)]
        if self.seller is not None:
            conditions.append(seller_column == self.seller)
        if self.market is not None:
            conditions.append(market_column == self.market)
        return conditions

    def days(self) -> Days:
        return days_of(self.since, self.until)

    def label(self) -> str:
        start = self.since.date().isoformat() if self.since else "the start"
        end = self.until.date().isoformat() if self.until else "now"
        return f"{start} to {end}"


async def cases_in(session: AsyncSession, period: Period) -> PeriodCases:
    """The period's cases tallied: the tallies of its whole UTC days, the case rows of its
    partial days (a report would read a million case rows: `make bench-scale`)."""
    return await period_cases(session, period.narrowing, period.conditions(), period.days())


def _csv(rows: list[dict[str, Any]], name: str) -> Response:
    return Response(
        csv_text(rows),
        media_type="text/csv; charset=utf-8",
        headers=attachment(f"{name}.csv"),
    )


@router.get(
    "/reports/listings", summary="Why each listing is returned: reason, scenario and remedy mix"
)
async def listings_report(
    _: SellerReader,
    service: CurrentService,
    period: Annotated[Period, Depends()],
    format: Format = Format.JSON,
) -> Any:
    async with service.sessions() as session:
        listed = reports.by_listing(*await listing_facts_in(session, period))
    if format is Format.CSV:
        return _csv(reports.listing_rows(listed), "listings")
    return {"period": period.label(), "listings": [reports.as_json(r) for r in listed]}


@router.get("/reports/markets", summary="Why cases are returned, market by market")
async def markets_report(
    _: SellerReader,
    service: CurrentService,
    period: Annotated[Period, Depends()],
    format: Format = Format.JSON,
) -> Any:
    async with service.sessions() as session:
        rows = (await cases_in(session, period)).rows
        labeller = await labeller_of(session, period.seller)
        said = await phrases_said_in(session, period, per="market")
        sold = await units_sold_in(session, period, per="market")
    markets = reports.by_market(rows, labeller, said, sold)
    if format is Format.CSV:
        return _csv(reports.market_rows(markets), "markets")
    return {"period": period.label(), "markets": [reports.as_json(r) for r in markets]}


class ListingFacts(NamedTuple):
    """What `reports.by_listing` folds for a period, in its order of arguments."""

    rows: list[RowMapping]  # tallied (`cases_in`)
    units_sold: dict[str, int]
    phrases: dict[tuple[str, str], Ranked]
    labeller: Labeller | None


async def listing_facts_in(session: AsyncSession, period: Period) -> ListingFacts:
    return ListingFacts(
        (await cases_in(session, period)).rows,
        await units_sold_in(session, period),
        await phrases_said_in(session, period),
        await labeller_of(session, period.seller),
    )


async def phrases_said_in(
    session: AsyncSession, period: Period, per: str = "sku"
) -> dict[tuple[str, str], Ranked]:
    """The phrases the period's buyers kept writing, per listing (`per="sku"`) or market and
    reason: counted when written for the period's whole UTC days (`workflows/
    phrase_tallies.py`), read from the texts for a day it covers in part."""
    days = period.days()
    counted = Counted()
    if days.whole:
        await count_tallied(session, counted, per, lambda c: _tallied_in(period, days, c))
    for start, end in days.partial:
        within = (CaseView.opened_at >= start, CaseView.opened_at < end)
        for comment in await buyer_comments_in(session, period, per, *within):
            counted.add(
                (comment.subject, comment.reason), phrases_in(comment.text, comment.language)
            )
    return counted.ranked()


def _tallied_in(period: Period, days: Days, tallied) -> list:
    """The period's conditions on a tally's columns, for its whole days."""
    conditions = period.narrowing(tallied.seller_account, tallied.market)
    if days.first is not None:
        conditions.append(tallied.day >= days.first)
    if days.end is not None:
        conditions.append(tallied.day < days.end)
    return conditions


async def buyer_comments_in(
    session: AsyncSession, period: Period, per: str = "sku", *more
) -> list[BuyerComment]:
    """What the period's buyers wrote, counted per listing (`per="sku"`) or market; `more`
    narrows the cases further."""
    return [
        BuyerComment(
            row[per] or reports.UNKNOWN,
            row.reason or reports.UNKNOWN,
            row.language or "en",
            row.text,
        )
        for row in await buyer_texts(session, *period.conditions(), *more)
    ]


async def units_sold_in(session: AsyncSession, period: Period, per: str = "sku") -> dict[str, int]:
    """Units sold over the period, from the seller's feed, per SKU (`per="sku"`) or per
    market. A listing counts its figures for every market together where the seller gave
    them so, else the sum of its markets'; a report narrowed to a market, or per market,
    counts the figures given for markets. None for a report across sellers."""
    if period.seller is None:
        return {}
    sold = UnitsSold.__table__.c
    query = select(sold.sku, sold.market, func.sum(sold.units)).where(
        sold.seller_account == period.seller
    )
    if period.since is not None:
        query = query.where(sold.day >= period.since.date())
    if period.until is not None:
        query = query.where(sold.day < period.until.date())
    if period.market is not None:
        query = query.where(sold.market == period.market)
    rows = (await session.execute(query.group_by(sold.sku, sold.market))).all()
    return reports.units_per(per, [(sku, market, int(units)) for sku, market, units in rows])


@router.get(
    "/reports/outcomes",
    summary="What steering achieved: returns avoided, satisfaction, first replies, savings",
)
async def outcomes_report(
    _: SellerReader, service: CurrentService, period: Annotated[Period, Depends()]
) -> dict:
    async with service.sessions() as session:
        cases = await cases_in(session, period)
    return {"period": period.label(), **outcomes(cases.rows, cases.breaches, cases.replies)}


class SavingsPer(StrEnum):
    MONTH = "month"
    LISTING = "listing"


@router.get(
    "/reports/savings",
    summary="What the chosen remedies saved against returning everything, month by month",
)
async def savings_report(
    _: SellerReader,
    service: CurrentService,
    period: Annotated[Period, Depends()],
    per: SavingsPer = SavingsPer.MONTH,
    format: Format = Format.JSON,
) -> Any:
    async with service.sessions() as session:
        rows = (await cases_in(session, period)).rows
    months = savings_by_month(rows, per_listing=per is SavingsPer.LISTING)
    if format is Format.CSV:
        return _csv(months, f"savings-per-{per.value}")
    return {"period": period.label(), "months": months}


@router.get(
    "/reports/workbook",
    summary="The seller's analysis workbook: listings, markets, the listing audit ranked by "
    "expected saving, a reason Pareto per listing",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def analysis_workbook(
    request: Request,
    caller: SellerReader,
    service: CurrentService,
    analytics: CurrentAnalytics,
    seller: str,
    period: Annotated[Period, Depends()],
) -> Response:
    """The listing audit's sheet reads the listings from intake with the caller's token;
    intake down or refusing leaves the sheet saying why, the rest of the workbook whole."""
    caller.seller_or_404(seller, "seller")
    period.seller = seller
    async with service.sessions() as session:
        facts = await listing_facts_in(session, period)
        findings, unread = await audit_or_why_not(
            session,
            analytics.service_apis.get("intake") if analytics else None,  # None: not started
            seller,
            period.conditions(),
            credentials_of(request),
            period.market,
        )
    listings = reports.by_listing(*facts)
    data = seller_workbook(
        seller,
        period.label(),
        listings,
        reports.by_market(facts.rows),
        findings=findings,
        audit_unread=unread,
    )
    filename = f"returns-analysis-{seller}.xlsx"
    return Response(data, media_type=XLSX, headers=attachment(filename))
