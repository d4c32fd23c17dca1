"""The analysis template a seller downloads: why listings are returned and where, as one
XLSX workbook (summary, listings × reasons, markets × reasons with a chart, the listing
audit's findings ranked by expected saving, and a Pareto sheet per top listing), plus the
flat rows as CSV. Pure: builds bytes in memory."""

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from services.analytics.domain.listing_audit import Finding, ranked
from services.analytics.domain.reports import ListingReport, MarketReport, Mix, phrases_text

SHARE_FORMAT = "0.0%"
SHEET_NAME_LIMIT = 31
TOP_LISTINGS = 10
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH, _NUMBER_WIDTH = 8, 50, 10


# -- cells ---------------------------------------------------------------------------------


def _put(ws: Worksheet, row: int, column: int, value: Any, share: bool = False) -> None:
    """One cell; text is always text (a title starting with '=' is not a formula), without
    the control characters a workbook cannot hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if share:
        cell.number_format = SHARE_FORMAT


def _put_row(
    ws: Worksheet, row: int, values: Sequence[Any], shares_from: int | None = None
) -> None:
    """A row from column A; columns from `shares_from` (1-based) on are shares."""
    for column, value in enumerate(values, start=1):
        share = shares_from is not None and column >= shares_from
        _put(ws, row, column, value, share=share)


def _put_header(ws: Worksheet, row: int, names: Sequence[str], column: int = 1) -> None:
    for offset, name in enumerate(names):
        _put(ws, row, column + offset, name)
        ws.cell(row=row, column=column + offset).font = BOLD


def _fit_columns(ws: Worksheet) -> None:
    """Widths from the longest text in each column, within sensible bounds."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            length = len(cell.value) if isinstance(cell.value, str) else _NUMBER_WIDTH
            widths[cell.column] = max(widths.get(cell.column, 0), length)
    for column, length in widths.items():
        width = min(max(length + 2, _MIN_WIDTH), _MAX_WIDTH)
        ws.column_dimensions[get_column_letter(column)].width = width


# -- reasons -------------------------------------------------------------------------------


def reason_order(mixes: Iterable[Mix]) -> list[str]:
    """Every reason seen in the mixes, the most counted first (ties by name)."""
    totals: Counter[str] = Counter()
    for mix in mixes:
        totals.update(mix.counts)
    return [reason for reason, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]


def _top_listings(listings: list[ListingReport], limit: int) -> list[ListingReport]:
    return sorted(listings, key=lambda listing: (-listing.cases, listing.sku))[: max(limit, 0)]


# -- sheet names ---------------------------------------------------------------------------


def sheet_name(sku: str, taken: set[str]) -> str:
    """An Excel sheet name from a SKU: no []:*?/\\ characters, at most 31 characters, no
    leading or trailing apostrophe, unique (case-insensitively) among `taken`, which it
    joins."""
    base = _NOT_IN_SHEET_NAMES.sub("_", sku or "").strip().strip("'") or "listing"
    name, copy = base[:SHEET_NAME_LIMIT], 1
    while name.casefold() in taken:
        copy += 1
        suffix = f" ({copy})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


# -- sheets --------------------------------------------------------------------------------


def _summary_sheet(ws: Worksheet, seller: str, period: str, listings: list[ListingReport]) -> None:
    ws.title = "Summary"
    _put(ws, 1, 1, f"Return reasons — {seller}, {period}")
    ws["A1"].font = TITLE
    _put_row(ws, 3, ["Total cases", sum(listing.cases for listing in listings)])
    _put_row(ws, 4, ["Listings", len(listings)])
    ws["A3"].font = ws["A4"].font = BOLD
    _put(ws, 6, 1, f"Top {TOP_LISTINGS} listings by cases")
    ws["A6"].font = BOLD
    _put_header(ws, 7, ["SKU", "ASIN", "Title", "Cases", "Top reason", "Top reason share"])
    for row, listing in enumerate(_top_listings(listings, TOP_LISTINGS), start=8):
        reason, _, share = (listing.reasons.ranked() or [("", 0, 0.0)])[0]
        values = [listing.sku, listing.asin or "", listing.title or "", listing.cases, reason]
        _put_row(ws, row, [*values, share], shares_from=6)
    _fit_columns(ws)
    ws.column_dimensions["A"].width = _MIN_WIDTH + 8  # the title spills over, not widens


RATE_HEADER = ["Units sold", "Return rate", "Category return rate", "Far above category"]


def _listings_sheet(ws: Worksheet, listings: list[ListingReport], reasons: list[str]) -> None:
    """Reason shares per listing, then its return rate where the sales feed gives one."""
    _put_header(ws, 1, ["SKU", "ASIN", "Title", "Cases", *reasons, *RATE_HEADER])
    rates_from = 5 + len(reasons)
    for row, listing in enumerate(listings, start=2):
        values = [listing.sku, listing.asin or "", listing.title or "", listing.cases]
        shares = [listing.reasons.share(reason) for reason in reasons]
        _put_row(ws, row, [*values, *shares], shares_from=5)
        _put_rates(ws, row, rates_from, listing)
    ws.freeze_panes = "A2"
    _fit_columns(ws)


def _put_rates(ws: Worksheet, row: int, column: int, listing: ListingReport) -> None:
    _put(ws, row, column, listing.units_sold)
    _put(ws, row, column + 1, listing.return_rate, share=True)
    _put(ws, row, column + 2, listing.category_return_rate, share=True)
    _put(ws, row, column + 3, "yes" if listing.far_above_category else None)


def _markets_sheet(ws: Worksheet, markets: list[MarketReport], reasons: list[str]) -> None:
    _put_header(ws, 1, ["Market", "Cases", *reasons])
    for row, market in enumerate(markets, start=2):
        shares = [market.reasons.share(reason) for reason in reasons]
        _put_row(ws, row, [market.market, market.cases, *shares], shares_from=3)
    ws.freeze_panes = "A2"
    _fit_columns(ws)
    if markets and reasons:
        ws.add_chart(_market_chart(ws, len(markets), len(reasons)), _beside(2 + len(reasons)))


def _market_chart(ws: Worksheet, markets: int, reasons: int) -> BarChart:
    """Clustered bars: the reasons along the axis, one series (colour) per market."""
    chart = _bar_chart("Reason share by market", "Share of cases")
    chart.y_axis.number_format = SHARE_FORMAT
    first, last = 3, 2 + reasons
    for row in range(2, 2 + markets):
        shares = Reference(ws, min_col=first, max_col=last, min_row=row, max_row=row)
        series = Series(shares)
        series.tx = SeriesLabel(strRef=StrRef(f"{quote_sheetname(ws.title)}!$A${row}"))
        chart.append(series)
    chart.set_categories(Reference(ws, min_col=first, max_col=last, min_row=1, max_row=1))
    return chart


def _listing_sheet(ws: Worksheet, listing: ListingReport) -> None:
    _put(ws, 1, 1, f"{listing.sku} — {listing.title or ''}".rstrip(" —"))
    ws["A1"].font = TITLE
    _put_row(ws, 2, ["ASIN", listing.asin or "", "Cases", listing.cases])
    pareto_end = _pareto_table(ws, 4, listing)
    _remedy_table(ws, pareto_end + 2, listing.remedies)
    _fit_columns(ws)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 24)
    if listing.reasons.counts:
        ws.add_chart(_reason_chart(ws, 4, pareto_end), _beside(5, row=4))


def _pareto_table(ws: Worksheet, top: int, listing: ListingReport) -> int:
    """Reason, cases, share, cumulative share and what buyers wrote, the most counted
    first; returns the last row. The cumulative share is a running count over the total,
    so it ends at exactly 1."""
    reasons = listing.reasons
    _put_header(ws, top, ["Reason", "Cases", "Share", "Cumulative share", "What buyers wrote"])
    running, row = 0, top
    for row, (reason, count, share) in enumerate(reasons.ranked(), start=top + 1):
        running += count
        said = phrases_text(listing.phrases.get(reason, []))
        _put_row(ws, row, [reason, count, share, running / reasons.total], shares_from=3)
        _put(ws, row, 5, said or None)
    return row


def _remedy_table(ws: Worksheet, top: int, remedies: Mix) -> int:
    _put_header(ws, top, ["Remedy", "Cases", "Share"])
    row = top
    for row, (remedy, count, share) in enumerate(remedies.ranked(), start=top + 1):
        _put_row(ws, row, [remedy, count, share], shares_from=3)
    return row


def _reason_chart(ws: Worksheet, header: int, last: int) -> BarChart:
    chart = _bar_chart("Cases by reason", "Cases")
    chart.legend = None
    counts = Reference(ws, min_col=2, max_col=2, min_row=header, max_row=last)
    chart.add_data(counts, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, max_col=1, min_row=header + 1, max_row=last))
    return chart


def _bar_chart(title: str, values_title: str) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = values_title
    chart.x_axis.title = "Reason"
    chart.width, chart.height = 18, 9
    return chart


def _beside(last_column: int, row: int = 1) -> str:
    """The anchor one empty column to the right of a table."""
    return f"{get_column_letter(last_column + 2)}{row}"


# -- the workbook --------------------------------------------------------------------------


def seller_workbook(
    seller: str,
    period: str,
    listings: list[ListingReport],
    markets: list[MarketReport],
    *,
    listing_sheets: int = TOP_LISTINGS,
    findings: Sequence[Finding] | None = None,
    audit_unread: str | None = None,
) -> bytes:
    """The seller's analysis workbook as XLSX bytes: Summary, Listings, Markets, the
    listing audit (`findings`, ranked by expected saving; else why they could not be read,
    `audit_unread`), then one sheet per listing for the `listing_sheets` most returned
    listings."""
    book = Workbook()
    _summary_sheet(book.active, seller, period, listings)
    listing_reasons = reason_order(listing.reasons for listing in listings)
    market_reasons = reason_order(market.reasons for market in markets)
    _listings_sheet(book.create_sheet("Listings"), listings, listing_reasons)
    _markets_sheet(book.create_sheet("Markets"), markets, market_reasons)
    if findings is not None:
        listing_audit_sheet(book.create_sheet(AUDIT_SHEET), seller, ranked(findings))
    elif audit_unread is not None:
        _unread_audit_sheet(book.create_sheet(AUDIT_SHEET), seller, audit_unread)
    taken = {name.casefold() for name in book.sheetnames}
    for listing in _top_listings(listings, listing_sheets):
        _listing_sheet(book.create_sheet(sheet_name(listing.sku, taken)), listing)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


AUDIT_SHEET = "Listing audit"
AUDIT_COLUMNS = (
    "SKU",
    "Market",
    "Rule",
    "What it asks",
    "Evidence",
    "Reasons",
    "Share of returns",
    "Returns",
    "Returns avoided",
    "Cost per return",
    "Currency",
    "Expected saving",
    "Source",
    "Source address",
)


def listing_audit_sheet(ws: Worksheet, seller: str, findings: list[Finding]) -> None:
    """The listing audit's findings, the largest expected saving first (money in major
    units of the listing's currency)."""
    ws.title = AUDIT_SHEET
    _put(ws, 1, 1, f"Listing audit: {seller}")
    ws.cell(row=1, column=1).font = TITLE
    _put_header(ws, 3, AUDIT_COLUMNS)
    for row, finding in enumerate(findings, start=4):
        cost = finding.cost_per_return_minor
        _put_row(
            ws,
            row,
            (
                finding.sku,
                finding.market,
                finding.rule_id,
                finding.says,
                finding.evidence,
                "; ".join(f"{r} ({n})" for r, n in sorted(finding.reasons.items())),
                finding.reason_share,
                finding.returns,
                round(finding.returns_avoided, 2),
                cost / 100 if cost is not None else None,
                finding.currency or "",
                finding.saving_minor / 100,
                finding.source,
                finding.source_url,
            ),
        )
        ws.cell(row=row, column=7).number_format = SHARE_FORMAT
    _fit_columns(ws)


def _unread_audit_sheet(ws: Worksheet, seller: str, why: str) -> None:
    _put(ws, 1, 1, f"Listing audit: {seller}")
    ws.cell(row=1, column=1).font = TITLE
    _put(ws, 3, 1, f"The listings could not be read: {why}")
    _fit_columns(ws)


def listing_audit_workbook(seller: str, findings: list[Finding]) -> bytes:
    """The seller's listing audit as an XLSX workbook of one sheet."""
    book = Workbook()
    listing_audit_sheet(book.active, seller, findings)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The flat rows (reports.listing_rows / market_rows) as CSV with '\\n' line endings;
    the header is the first row's keys. No rows, no text. A text cell a spreadsheet would
    run as a formula is written as text (OWASP's CSV injection advice: a leading ')."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: inert(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t")


def inert(value: Any) -> Any:
    """Text as text: line breaks as "\\n" (which the writer quotes; a lone CR it would not),
    and a leading formula character behind a '."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_START) else value
