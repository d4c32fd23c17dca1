"""Amazon returns reports: the two tab-separated reports a seller uploads.

Amazon has no return webhook for every seller, so the reports are the cases' source
(tab-separated flat files, downloaded from Seller Central or the Reports API and uploaded
to intake; the upload itself is authenticated by intake's agent token, not here):
- GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE, seller-fulfilled returns: one row per
  returned item of a return request, keyed by "Amazon RMA ID"
  (https://developer-docs.amazon.com/sp-api/docs/report-type-values-returns);
- GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA, returns processed at an Amazon fulfilment
  centre: one row per returned unit, keyed by its "license-plate-number"
  (https://sellercentral.amazon.com/gp/help/external/200453320).
Neither has a market column, so the caller passes the account's marketplace: a report is
requested for one marketplace, and intake knows which account it uploads for. Pure.
"""

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ValidationError

from services.intake.domain.case import (
    CanonicalCase,
    Channel,
    Deadline,
    Delivery,
    Item,
    MarketplaceIds,
    OpenCase,
    Reason,
    malformed,
)
from shared.markets import CURRENCY_OF, Currency, Market

REPLY_WINDOW = timedelta(hours=24)  # Amazon expects the seller to answer within 24 hours

# Amazon's return reason codes, after `reason_key` drops the CR- / AMZ-PG- prefixes.
REASON_OF_CODE: dict[str, Reason] = {
    "DEFECTIVE": Reason.DEFECTIVE,
    "DAMAGED_BY_CARRIER": Reason.DAMAGED,
    "DAMAGED_BY_FC": Reason.DAMAGED,
    "MISSING_PARTS": Reason.MISSING_PARTS,
    "NOT_AS_DESCRIBED": Reason.NOT_AS_DESCRIBED,
    "INACCURATE_WEBSITE_DESCRIPTION": Reason.NOT_AS_DESCRIBED,
    "BAD_DESC": Reason.NOT_AS_DESCRIBED,
    "NOT_COMPATIBLE": Reason.NOT_AS_DESCRIBED,
    "PART_NOT_COMPATIBLE": Reason.NOT_AS_DESCRIBED,
    "QUALITY_UNACCEPTABLE": Reason.QUALITY,
    "SWITCHEROO": Reason.WRONG_ITEM,  # a different item than the one ordered was sent
    "EXTRA_ITEM": Reason.WRONG_ITEM,
    "UNWANTED_ITEM": Reason.CHANGED_MIND,
    "NO_LONGER_NEEDED": Reason.CHANGED_MIND,
    "FOUND_BETTER_PRICE": Reason.CHANGED_MIND,
    "ORDERED_WRONG_ITEM": Reason.CHANGED_MIND,  # the buyer's own mistake
    "MISORDERED": Reason.CHANGED_MIND,
    "UNAUTHORIZED_PURCHASE": Reason.CHANGED_MIND,
    "MISSED_ESTIMATED_DELIVERY": Reason.NOT_RECEIVED,
    "NEVER_ARRIVED": Reason.NOT_RECEIVED,
    "APPAREL_STYLE": Reason.STYLE,
    "DID_NOT_LIKE_FABRIC": Reason.STYLE,
    "DID_NOT_LIKE_COLOR": Reason.STYLE,
}


def reason_of(code: str) -> Reason:
    key = reason_key(code)
    if key in REASON_OF_CODE:
        return REASON_OF_CODE[key]
    if key.startswith("UNDELIVERABLE"):  # refused, unknown address, failed attempts...
        return Reason.NOT_RECEIVED
    if key.endswith("TOO_SMALL"):  # APPAREL_TOO_SMALL, AMZ-PG-WJ-TOO-SMALL...
        return Reason.SIZE_TOO_SMALL
    if key.endswith("TOO_LARGE"):
        return Reason.SIZE_TOO_LARGE
    return Reason.OTHER


def reason_key(code: str) -> str:
    key = code.strip().upper().replace("-", "_")
    return key.removeprefix("CR_").removeprefix("AMZ_PG_")


class ReportKind(StrEnum):
    SELLER_FULFILLED = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
    FBA = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"


class RejectedRow(BaseModel):
    line: int  # in the file, counting from 1; the header is line 1
    field: str  # the column at fault, as Amazon names it
    detail: str


class ReportParse(BaseModel):
    """An upload's outcome: the cases of its good rows, and why each other row was left out."""

    kind: ReportKind
    deliveries: list[Delivery]
    rejected_rows: list[RejectedRow]


class BadField(Exception):
    def __init__(self, field: str, detail: str):
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


Row = dict[str, str]  # a data row by lower-cased column name
RowReader = Callable[[Row, str, Market], tuple[str, CanonicalCase]]


def parse_report(body: bytes, *, seller_account: str, market: Market) -> ReportParse:
    """Every row that makes a case makes one; a bad row is reported, never fatal."""
    reader = csv.reader(io.StringIO(decoded(body)), delimiter="\t", quoting=csv.QUOTE_NONE)
    columns = [name.strip().lower() for name in next(reader, [])]
    kind = kind_of(columns)
    read_row = ROW_READERS[kind]
    cases: dict[str, CanonicalCase] = {}
    rejected: list[RejectedRow] = []
    for fields in reader:
        if not any(field.strip() for field in fields):
            continue
        try:
            key, case = read_row(row_of(columns, fields), seller_account, market)
        except (BadField, ValidationError) as error:
            rejected.append(rejection(reader.line_num, error))
            continue
        cases[key] = merged(cases.get(key), case)
    return ReportParse(
        kind=kind,
        deliveries=[
            Delivery(
                channel=Channel.AMAZON,
                delivery_id=key,
                seller_account=seller_account,
                action=OpenCase(case=case),
            )
            for key, case in cases.items()
        ],
        rejected_rows=rejected,
    )


def rejection(line: int, error: BadField | ValidationError) -> RejectedRow:
    if isinstance(error, BadField):
        return RejectedRow(line=line, field=error.field, detail=error.detail)
    first = error.errors()[0]  # a value the canonical case itself refuses
    field = ".".join(str(part) for part in first["loc"])
    return RejectedRow(line=line, field=field, detail=first["msg"])


def decoded(body: bytes) -> str:
    # Seller Central writes UTF-8 on some marketplaces and Windows-1252 on others.
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def kind_of(columns: list[str]) -> ReportKind:
    if "amazon rma id" in columns:
        return ReportKind.SELLER_FULFILLED
    if "license-plate-number" in columns:
        return ReportKind.FBA
    raise malformed(
        "the header is neither Amazon returns report's: no 'Amazon RMA ID' "
        "nor 'license-plate-number' column",
        "header",
    )


def row_of(columns: list[str], fields: list[str]) -> Row:
    if len(fields) > len(columns):
        raise BadField("row", f"{len(fields)} fields, the header has {len(columns)}")
    # Amazon leaves out the trailing empty columns of a row (the SafeT ones, say).
    padded = fields + [""] * (len(columns) - len(fields))
    return {column: value.strip() for column, value in zip(columns, padded, strict=True)}


def merged(known: CanonicalCase | None, case: CanonicalCase) -> CanonicalCase:
    """Rows with one key are one return: a return of several items is one case."""
    if known is None:
        return case
    skus = {item.sku for item in known.items}
    extra = [item for item in case.items if item.sku not in skus]
    return known.model_copy(update={"items": [*known.items, *extra]})


def seller_fulfilled_case(
    row: Row, seller_account: str, market: Market
) -> tuple[str, CanonicalCase]:
    rma = text(row, "Amazon RMA ID")
    order_id = text(row, "Order ID")
    requested_at = moment(row, "Return request date")
    code = row.get("return reason", "")
    case = new_case(
        seller_account=seller_account,
        ids=MarketplaceIds(order_id=order_id, rma_id=rma),
        market=market,
        currency=report_currency(row, market),
        item=Item(
            sku=text(row, "Merchant SKU"),
            asin=row.get("asin") or None,
            title=row.get("item name") or None,
            quantity=count(row, "Return quantity"),
            unit_price=unit_price(row),
        ),
        code=code,
        # Not a documented column of this report; kept when an export carries it.
        words=row.get("customer comments", ""),
        requested_at=requested_at,
        deadlines=[Deadline(name="amazon_reply", due_at=requested_at + REPLY_WINDOW)],
    )
    return f"amazon:rma:{rma}", case


def fba_case(row: Row, seller_account: str, market: Market) -> tuple[str, CanonicalCase]:
    plate = text(row, "license-plate-number")
    # US and JP name the column order-id, the other marketplaces amazon-order-id.
    order_column = "order-id" if "order-id" in row else "amazon-order-id"
    case = new_case(
        seller_account=seller_account,
        ids=MarketplaceIds(order_id=text(row, order_column), license_plate=plate),
        market=market,
        currency=CURRENCY_OF[market],
        item=Item(
            sku=text(row, "sku"),
            asin=row.get("asin") or None,
            title=row.get("product-name") or None,
            quantity=count(row, "quantity"),
            unit_price=Decimal(0),  # the FBA report carries no price
        ),
        code=row.get("reason", ""),
        words=row.get("customer-comments", ""),
        # The day the fulfilment centre processed the return, the nearest to a request
        # date this report has. Amazon answers FBA buyers itself: no reply clock.
        requested_at=moment(row, "return-date"),
        deadlines=[],
    )
    return f"amazon:lpn:{plate}", case


ROW_READERS: dict[ReportKind, RowReader] = {
    ReportKind.SELLER_FULFILLED: seller_fulfilled_case,
    ReportKind.FBA: fba_case,
}


def new_case(
    *,
    seller_account: str,
    ids: MarketplaceIds,
    market: Market,
    currency: Currency,
    item: Item,
    code: str,
    words: str,
    requested_at: datetime,
    deadlines: list[Deadline],
) -> CanonicalCase:
    return CanonicalCase(
        channel=Channel.AMAZON,
        seller_account=seller_account,
        ids=ids,
        market=market,
        currency=currency,
        items=[item],
        marketplace_reason=code,
        reason=reason_of(code),
        buyer_words=words,
        # The reports name no buyer; within Amazon the order stands for its buyer.
        buyer_ref=f"order:{ids.order_id}",
        requested_at=requested_at,
        deadlines=deadlines,
    )


def text(row: Row, column: str) -> str:
    value = row.get(column.lower(), "")
    if not value:
        raise BadField(column, "missing")
    return value


def count(row: Row, column: str) -> int:
    value = text(row, column)
    if not value.isdigit() or int(value) < 1:
        raise BadField(column, f"{value!r} is not a quantity of at least 1")
    return int(value)


MONEY = re.compile(r"^\d+(?:[.,]\d{1,2})?$")  # 21.38, or 21,38 as EU reports write it


def unit_price(row: Row) -> Decimal:
    amount = text(row, "Order Amount")
    if not MONEY.match(amount):
        raise BadField("Order Amount", f"{amount!r} is not an amount like 21.38")
    ordered = count(row, "Order quantity") if row.get("order quantity") else 1
    # The report gives the order line's amount; the case wants the price of one unit.
    return (Decimal(amount.replace(",", ".")) / ordered).quantize(Decimal("0.01"))


def report_currency(row: Row, market: Market) -> Currency:
    code = row.get("currency code") or CURRENCY_OF[market]
    if code != CURRENCY_OF[market]:
        raise BadField("Currency code", f"{code} in a report for the {market} marketplace")
    return CURRENCY_OF[market]


DATE_FORMATS = ("%d-%b-%Y", "%d-%m-%Y", "%d.%m.%Y")  # 14-Jul-2025, 14-07-2025, 14.07.2025


def moment(row: Row, column: str) -> datetime:
    """A report date or time; a bare date is taken at 00:00 UTC, the early side of the day."""
    value = text(row, column)
    for read in (datetime.fromisoformat, *(date_reader(f) for f in DATE_FORMATS)):
        try:
            parsed = read(value)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise BadField(column, f"{value!r} is not a date")


def date_reader(pattern: str) -> Callable[[str], datetime]:
    return lambda value: datetime.strptime(value, pattern)
