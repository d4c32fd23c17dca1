import csv
import io

import openpyxl
import pytest

from services.analytics.domain.reports import by_listing, by_market, listing_rows, market_rows
from services.analytics.domain.workbook import csv_text, seller_workbook, sheet_name


def _case(sku, market, reason, remedy):
    return {
        "sku": sku,
        "asin": {"CRT-1": "B0CRT", "SPK-1": "B0SPK"}.get(sku),
        "title": {"CRT-1": "Cat tree", "SPK-1": "Speaker"}.get(sku),
        "market": market,
        "reason": reason,
        "reason_code": reason.upper(),
        "scenario": "return",
        "remedy": remedy,
    }


# CRT-1: 4 size_fit + 1 not_as_described; SPK-1: 3 defective + 2 size_fit.
# US: 4 cases (CRT size_fit ×3, SPK defective ×1) · DE: 3 (CRT size_fit, CRT
# not_as_described, SPK defective) · UK: 3 (SPK defective, SPK size_fit ×2).
ROWS = [
    _case("CRT-1", "US", "size_fit", "exchange"),
    _case("CRT-1", "US", "size_fit", "exchange"),
    _case("CRT-1", "US", "size_fit", "return_full_refund"),
    _case("CRT-1", "DE", "size_fit", "exchange"),
    _case("CRT-1", "DE", "not_as_described", "return_full_refund"),
    _case("SPK-1", "US", "defective", "replacement"),
    _case("SPK-1", "DE", "defective", "replacement"),
    _case("SPK-1", "UK", "defective", "return_full_refund"),
    _case("SPK-1", "UK", "size_fit", "exchange"),
    _case("SPK-1", "UK", "size_fit", "exchange"),
]


PHRASES = {("SPK-1", "defective"): [("stopped charging", 2), ("no sound", 2)]}


def _open(rows, **options):
    listings = by_listing(rows, phrases=PHRASES)
    data = seller_workbook("Acme Pets", "2024-05", listings, by_market(rows), **options)
    return openpyxl.load_workbook(io.BytesIO(data))


RATES = ["Units sold", "Return rate", "Category return rate", "Far above category"]


def test_with_a_sales_feed_the_listings_sheet_shows_each_return_rate():
    # Both in one category: 10 cases over 120 units sold, 8.33%; CRT-1's 25% is three
    # times that, on 5 cases: flagged.
    rows = [{**row, "category": "home"} for row in ROWS]
    listings = by_listing(rows, {"CRT-1": 20, "SPK-1": 100})
    ws = openpyxl.load_workbook(io.BytesIO(seller_workbook("s", "p", listings, [])))["Listings"]
    rates = {row[0]: row[-4:] for row in _table(ws)[1:]}
    assert rates["CRT-1"] == [20, 0.25, 0.0833, "yes"]
    assert rates["SPK-1"] == [100, 0.05, 0.0833, None]
    assert ws.cell(row=2, column=9).number_format.endswith("%")


def _table(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def book():
    return _open(ROWS)


def test_the_workbook_has_summary_listings_markets_then_one_sheet_per_listing(book):
    assert book.sheetnames == ["Summary", "Listings", "Markets", "CRT-1", "SPK-1"]


def test_the_summary_counts_cases_and_lists_the_top_listings_with_their_top_reason(book):
    ws = book["Summary"]
    assert "Acme Pets" in ws["A1"].value and "2024-05" in ws["A1"].value
    assert (ws["A3"].value, ws["B3"].value) == ("Total cases", 10)
    assert (ws["A4"].value, ws["B4"].value) == ("Listings", 2)
    assert [c.value for c in ws[7]] == [
        "SKU", "ASIN", "Title", "Cases", "Top reason", "Top reason share"
    ]  # fmt: skip
    assert [c.value for c in ws[8]] == ["CRT-1", "B0CRT", "Cat tree", 5, "size_fit", 0.8]
    assert [c.value for c in ws[9]] == ["SPK-1", "B0SPK", "Speaker", 5, "defective", 0.6]
    assert ws["F8"].number_format.endswith("%")


def test_the_listings_sheet_has_a_share_column_per_reason_most_counted_first(book):
    ws = book["Listings"]
    assert _table(ws) == [
        ["SKU", "ASIN", "Title", "Cases", "size_fit", "defective", "not_as_described", *RATES],
        ["CRT-1", "B0CRT", "Cat tree", 5, 0.8, 0.0, 0.2, None, None, None, None],
        ["SPK-1", "B0SPK", "Speaker", 5, 0.4, 0.6, 0.0, None, None, None, None],
    ]
    assert all(cell.number_format.endswith("%") for row in ws["E2:G3"] for cell in row)
    assert ws["D2"].number_format == "General"
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["C"].width >= len("Cat tree")
    assert ws.column_dimensions["G"].width >= len("not_as_described")


def test_the_markets_sheet_has_reason_shares_per_market_and_one_clustered_chart(book):
    ws = book["Markets"]
    assert _table(ws) == [
        ["Market", "Cases", "size_fit", "defective", "not_as_described"],
        ["DE", 3, pytest.approx(1 / 3), pytest.approx(1 / 3), pytest.approx(1 / 3)],
        ["UK", 3, pytest.approx(2 / 3), pytest.approx(1 / 3), 0.0],
        ["US", 4, 0.75, 0.25, 0.0],
    ]
    assert all(cell.number_format.endswith("%") for row in ws["C2:E4"] for cell in row)
    assert ws.freeze_panes == "A2"
    [chart] = ws._charts
    assert (chart.type, chart.grouping) == ("col", "clustered")
    assert len(chart.series) == 3  # one per market
    assert chart.series[0].tx.strRef.f == "'Markets'!$A$2"
    assert chart.series[0].cat.numRef.f == "'Markets'!$C$1:$E$1"  # the reasons
    assert chart.anchor._from.col >= 5  # beside the table (0-based column index)


def test_each_listing_sheet_has_a_pareto_the_remedy_mix_and_a_reason_chart(book):
    ws = book["SPK-1"]
    assert _table(ws)[3:9] == [
        ["Reason", "Cases", "Share", "Cumulative share", "What buyers wrote"],
        ["defective", 3, 0.6, 0.6, "stopped charging (2); no sound (2)"],
        ["size_fit", 2, 0.4, 1.0, None],
        [None, None, None, None, None],
        ["Remedy", "Cases", "Share", None, None],
        ["exchange", 2, 0.4, None, None],
    ]
    assert ws["D6"].value == 1.0 and ws["D6"].number_format.endswith("%")
    assert book["CRT-1"]["D6"].value == 1.0  # 0.8 then 1.0
    for sku in ("CRT-1", "SPK-1"):
        [chart] = book[sku]._charts
        assert chart.series[0].val.numRef.f == f"'{sku}'!$B$5:$B$6"


def test_the_number_of_listing_sheets_is_limited():
    assert _open(ROWS, listing_sheets=1).sheetnames == ["Summary", "Listings", "Markets", "CRT-1"]
    assert _open(ROWS, listing_sheets=0).sheetnames == ["Summary", "Listings", "Markets"]


def test_sheet_names_are_sanitised_truncated_and_unique():
    taken = {"summary", "listings", "markets"}
    assert sheet_name("A/B:C", taken) == "A_B_C"
    assert sheet_name("A:B/C", taken) == "A_B_C (2)"
    assert sheet_name("X" * 40, taken) == "X" * 31
    assert sheet_name("X" * 40, taken) == "X" * 27 + " (2)"
    assert sheet_name("summary", taken) == "summary (2)"
    assert sheet_name("[*?]", taken) == "____"
    assert sheet_name("", taken) == "listing"


def test_listing_sheets_get_sanitised_unique_names_in_the_workbook():
    rows = [
        _case("A/B:C", "US", "size_fit", "exchange"),
        _case("A/B:C", "US", "size_fit", "exchange"),
        _case("A?B*C", "US", "defective", "replacement"),
        _case("L" * 40, "US", "defective", "replacement"),
    ]
    assert _open(rows).sheetnames[3:] == ["A_B_C", "A_B_C (2)", "L" * 31]


def test_text_that_looks_like_a_formula_stays_text():
    rows = [{**_case("=1+1", "US", "size_fit", "exchange"), "title": "=HYPERLINK(1)"}]
    ws = _open(rows)["Listings"]
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")
    assert (ws["C2"].value, ws["C2"].data_type) == ("=HYPERLINK(1)", "s")


def test_an_empty_report_is_a_valid_workbook_with_zero_cases():
    book = _open([])
    assert book.sheetnames == ["Summary", "Listings", "Markets"]
    assert (book["Summary"]["B3"].value, book["Summary"]["B4"].value) == (0, 0)
    assert _table(book["Listings"]) == [["SKU", "ASIN", "Title", "Cases", *RATES]]
    assert _table(book["Markets"]) == [["Market", "Cases"]]
    assert book["Markets"]._charts == []


@pytest.mark.parametrize("flatten, build", [(listing_rows, by_listing), (market_rows, by_market)])
def test_csv_round_trips_the_flat_rows_as_strings(flatten, build):
    rows = flatten(build(ROWS))
    text = csv_text(rows)
    assert text.splitlines()[0] == ",".join(rows[0])
    assert "\r" not in text
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed == [{key: str(value) for key, value in row.items()} for row in rows]


def test_csv_of_no_rows_is_empty():
    assert csv_text([]) == ""


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx"])
def test_csv_writes_a_formula_as_text(text):
    text_read = io.StringIO(csv_text([{"title": text, "cases": 3}]), newline="")
    parsed = list(csv.DictReader(text_read))
    assert parsed == [{"title": "'" + text, "cases": "3"}]


def test_csv_keeps_a_line_break_inside_its_cell():
    text = csv_text([{"title": "one\rtwo\r\nthree", "cases": 3}])
    assert list(csv.DictReader(io.StringIO(text, newline=""))) == [
        {"title": "one\ntwo\nthree", "cases": "3"}
    ]


def test_csv_keeps_plain_text_and_numbers_as_they_are():
    parsed = list(csv.DictReader(io.StringIO(csv_text([{"title": "Kettle 1.7 l", "net": -2}]))))
    assert parsed == [{"title": "Kettle 1.7 l", "net": "-2"}]


def test_a_workbook_drops_the_control_characters_a_cell_cannot_hold():
    book = openpyxl.load_workbook(io.BytesIO(seller_workbook("acme\x00\x1b", "2026", [], [])))
    assert "acme" in str(book["Summary"]["A1"].value)
    assert not any(c in str(book["Summary"]["A1"].value) for c in "\x00\x1b")
