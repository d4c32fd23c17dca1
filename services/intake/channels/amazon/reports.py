"""Amazon returns reports: the two tab-separated reports the Reports API gives (polled by
`workers/amazon_reports.py`) or a seller uploads (`handlers/reports.py`).

Amazon has no return webhook for every seller, so the reports are the cases' source:
- GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE, seller-fulfilled returns: one row per
  returned item of a return request, keyed by "Amazon RMA ID"
  (https://developer-docs.amazon.com/sp-api/docs/report-type-values-returns);
- GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA, returns processed at an Amazon fulfilment
  centre: one row per returned unit, keyed by its "license-plate-number"
  (https://sellercentral.amazon.com/gp/help/external/200453320). Amazon took the unit
  back and refunds the buyer itself: the case carries that (`fulfilled_by_marketplace`),
  and what the fulfilment centre found (`FbaUnitFound`: its detailed-disposition and
  status, as written) comes with the opening, and again with every report that says
  something new of the unit (`unit_deliveries`).

A report is read in two steps. `read_report` checks the file is whole (a file cut short is
refused with the line and column it stops at) and reads every row alone, grouping the
good rows by return (`ReturnRows`: one RMA, one unit). `case_of` then makes a return's
case: its market comes from the row's marketplace, else from its order (`OrderFacts`,
read from the Orders API by the caller), else from the default the caller gives (the
upload's `?market=`, the account's); a price the row lacks comes from the order too. Rows
of one file may so be of several markets. A row Amazon marks outside its return policy
("In policy" = N) opens a case an agent decides. Pure.
"""

import csv
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, ValidationError

from services.intake.channels.amazon.marketplaces import market_of
from services.intake.domain.case import (
    BuyerContact,
    CanonicalCase,
    Channel,
    ChannelError,
    Deadline,
    Delivery,
    FbaUnitFound,
    Item,
    MarketplaceIds,
    MarketplaceStatus,
    OpenCase,
    Reason,
    UpdateCase,
    malformed,
)
from services.intake.domain.opening import to_minor_units
from shared.events import ClaimKind, ClaimNotice
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


class ReturnRows(BaseModel):
    """The rows of one return, as the report has them: kept until its case can be made."""

    model_config = ConfigDict(frozen=True)

    kind: ReportKind
    key: str  # amazon:rma:<Amazon RMA ID> or amazon:lpn:<license plate>: one case, ever
    order_id: str
    columns: list[str]  # the report's header, lower-cased
    rows: list[tuple[int, list[str]]]  # each row's line in the file, and its fields


class ReportRead(BaseModel):
    """A whole report, read row by row: its returns, and why each other row was left out."""

    kind: ReportKind
    returns: list[ReturnRows]
    rejected_rows: list[RejectedRow]


@dataclass(frozen=True)
class OrderFacts:
    """What the Orders API says of a return's order (`orders_api.order_facts` reads it)."""

    order_id: str
    market: Market
    currency: Currency | None
    fulfilled_by_amazon: bool  # FulfillmentChannel AFN
    unit_prices: Mapping[str, Decimal] = field(default_factory=dict)  # by seller SKU
    buyer: BuyerContact | None = None  # the ship-to, read for seller-fulfilled orders only


class BadField(Exception):
    def __init__(self, field: str, detail: str):
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


Row = dict[str, str]  # a data row by lower-cased column name


@dataclass(frozen=True)
class FbaUnit:
    """What the fulfilment centre found of a returned unit."""

    fulfillment_center: str
    disposition: str  # SELLABLE, DEFECTIVE, CUSTOMER_DAMAGED...; "" until graded
    status: str  # e.g. "Unit returned to inventory", "Reimbursed"
    fnsku: str | None = None


@dataclass(frozen=True)
class SafeTClaim:
    """A SAFE-T reimbursement claim the seller filed on the return, as the row lists it."""

    claim_id: str
    state: str  # "SafeT claim state", as written
    created_at: datetime
    reimbursed: Decimal | None


@dataclass(frozen=True)
class ReturnLine:
    """One row of a returns report, read: what the row alone says."""

    line: int
    key: str
    ids: MarketplaceIds
    marketplace_id: str | None  # when the row names its marketplace
    currency_code: str | None
    sku: str
    asin: str | None
    title: str | None
    quantity: int
    line_amount: Decimal | None  # the order line's amount; None: the row has no price
    ordered: int  # units of the order line the amount is for
    code: str  # Amazon's return reason
    words: str
    requested_at: datetime
    deadlines: tuple[Deadline, ...]
    outside_policy: bool
    unit: FbaUnit | None  # FBA rows only
    # The claims the row flags (seller-fulfilled rows only): "A-to-Z Claim" = Y, a SafeT
    # claim id. The report dates neither A-to-z claim: its clock starts when it is read.
    a_to_z: bool = False
    safe_t: SafeTClaim | None = None
    refunded: Decimal | None = None  # "Refunded Amount"


def parse_report(
    body: bytes, *, seller_account: str, market: Market, seen_at: datetime | None = None
) -> ReportParse:
    """Every row that makes a case makes one, in `market` unless the row says otherwise;
    a bad row is reported, never fatal. `seen_at`: when the report was read (now)."""
    report = read_report(body)
    seen_at = seen_at or datetime.now(UTC)
    deliveries, refused = deliveries_of(report.returns, seller_account, market, seen_at)
    rejected = sorted([*report.rejected_rows, *refused], key=lambda row: row.line)
    return ReportParse(kind=report.kind, deliveries=deliveries, rejected_rows=rejected)


def deliveries_of(
    returns: list[ReturnRows], seller_account: str, market: Market | None, seen_at: datetime
) -> tuple[list[Delivery], list[RejectedRow]]:
    """The deliveries of returns whose cases need no order, in `market` unless a row says
    otherwise, and the rows that cannot be part of one; the report was read at `seen_at`."""
    deliveries: list[Delivery] = []
    rejected: list[RejectedRow] = []
    for rows in returns:
        case, refused = case_of(rows, seller_account=seller_account, market=market)
        rejected += refused
        if case is not None:
            deliveries.append(delivery_of(rows, case, seen_at))
    return deliveries, rejected


def read_report(body: bytes) -> ReportRead:
    """The report's returns, each row read alone; raises ChannelError (422) for a file that
    is not a whole returns report, naming the line and column where it goes wrong."""
    text = decoded(unzipped(body))
    ensure_whole(text)
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        columns = [name.strip().lower() for name in next(reader, [])]
        kind = kind_of(columns)
        returns: dict[str, ReturnRows] = {}
        rejected: list[RejectedRow] = []
        for fields in reader:
            if not any(value.strip() for value in fields):
                continue
            try:
                line = read_line(kind, reader.line_num, row_of(columns, fields))
            except (BadField, ValidationError) as error:
                rejected.append(rejection(reader.line_num, error))
                continue
            known = returns.get(line.key)
            found = (reader.line_num, fields)
            returns[line.key] = (
                ReturnRows(
                    kind=kind,
                    key=line.key,
                    order_id=line.ids.order_id,
                    columns=columns,
                    rows=[found],
                )
                if known is None
                else known.model_copy(update={"rows": [*known.rows, found]})
            )
    except csv.Error as error:
        where = f"line {reader.line_num}"
        raise ChannelError(422, "unreadable_report", f"{where}: {error}", where) from error
    return ReportRead(kind=kind, returns=list(returns.values()), rejected_rows=rejected)


def unzipped(body: bytes) -> bytes:
    """The Reports API gives documents gzipped; a seller may upload one as downloaded."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        return gzip.decompress(body)
    except (EOFError, OSError, zlib.error) as error:
        raise ChannelError(
            422, "truncated_report", f"the gzipped report is cut short or damaged: {error}", "body"
        ) from error


def ensure_whole(text: str) -> None:
    """Amazon ends every row of its flat files with a line break: a last line without one
    was cut short (an upload or a download broken off)."""
    if not text or text.endswith(("\n", "\r")):
        return
    lines = text.splitlines()
    columns = lines[0].split("\t")
    fields = lines[-1].split("\t")
    number, column = len(lines), len(fields)
    name = columns[column - 1].strip() if column <= len(columns) else "beyond the header"
    where = f"line {number}, column {column}"
    raise ChannelError(
        422,
        "truncated_report",
        f"the report is cut short: its last line ({where}, {name}) ends without a line break",
        where,
    )


def case_of(
    rows: ReturnRows,
    *,
    seller_account: str,
    market: Market | None = None,
    order: OrderFacts | None = None,
) -> tuple[CanonicalCase | None, list[RejectedRow]]:
    """The return's case, its market from its rows, else `order`, else `market`; rows
    that cannot be part of it are reported (None: no row can)."""
    lines = lines_of(rows)
    first = lines[0]
    try:
        case_market = market_of_return(first, order, market)
    except BadField as error:
        return None, [rejection(line.line, error) for line in lines]
    items: list[Item] = []
    rejected: list[RejectedRow] = []
    for line in lines:
        try:
            ensure_currency(line, case_market, order)
            item = item_of(line, order)
        except (BadField, ValidationError) as error:
            rejected.append(rejection(line.line, error))
            continue
        if all(known.sku != item.sku for known in items):
            items.append(item)
    if not items:
        return None, rejected
    good = next(line for line in lines if line.sku == items[0].sku)
    try:
        case = CanonicalCase(
            channel=Channel.AMAZON,
            seller_account=seller_account,
            ids=good.ids,
            market=case_market,
            currency=CURRENCY_OF[case_market],
            items=items,
            marketplace_reason=good.code,
            reason=reason_of(good.code),
            buyer_words=good.words,
            # The reports name no buyer; within Amazon the order stands for its buyer.
            buyer_ref=f"order:{good.ids.order_id}",
            buyer=order.buyer if order is not None else None,
            requested_at=good.requested_at,
            deadlines=list(good.deadlines),
            fulfilled_by_marketplace=rows.kind is ReportKind.FBA
            or (order is not None and order.fulfilled_by_amazon),
            agent_decides_because=OUTSIDE_POLICY if good.outside_policy else None,
        )
    except ValidationError as error:
        return None, [*rejected, rejection(good.line, error)]
    return case, rejected


def delivery_of(rows: ReturnRows, case: CanonicalCase, seen_at: datetime) -> Delivery:
    """The delivery that opens a return's case, keyed as every route keys it (an upload, a
    polled report), so that one return opens one case; an FBA unit's grading (as the report
    read at `seen_at` says) is recorded with it."""
    found = unit_found(rows, seen_at, case.seller_account)
    return Delivery(
        channel=Channel.AMAZON,
        delivery_id=rows.key,
        seller_account=case.seller_account,
        action=OpenCase(case=case, then=[] if found is None else [found]),
    )


def unit_deliveries(
    returns: list[ReturnRows], seller_account: str, seen_at: datetime
) -> list[Delivery]:
    """What a report says of each FBA unit, as a delivery of its own keyed by what it says
    (`<key>/unit/<digest>`): a report saying it again is a duplicate, one saying something
    new (a unit first ungraded, later DEFECTIVE) moves the unit's case on. Waits for the
    case when it is not open yet."""
    deliveries = []
    for rows in returns:
        found = unit_found(rows, seen_at, seller_account)
        if found is not None:
            said = hashlib.sha256(f"{found.disposition}|{found.amazon_status}".encode())
            deliveries.append(
                Delivery(
                    channel=Channel.AMAZON,
                    delivery_id=f"{rows.key}/unit/{said.hexdigest()[:16]}",
                    seller_account=seller_account,
                    action=found,
                )
            )
    return deliveries


def claim_deliveries(
    returns: list[ReturnRows], seller_account: str, seen_at: datetime
) -> list[Delivery]:
    """The claims a report flags on each return, each a delivery of its own
    (`<key>/claim/<kind>/<id>`): a report flagging it again is a duplicate. An A-to-z claim
    ("A-to-Z Claim" = Y) is Amazon's notice: its clock starts when the report is read
    (`seen_at`). A SAFE-T claim the report lists was filed by the seller at its creation
    time. Each waits for its case when the case is not open yet."""
    deliveries = []
    for rows in returns:
        if rows.kind is not ReportKind.SELLER_FULFILLED:
            continue
        for claim in claims_of(lines_of(rows), seen_at):
            named = f"{claim.kind.value} {claim.marketplace_claim_id}"
            noticed = UpdateCase(
                seller_account=seller_account,
                order_id=rows.order_id,
                # An A-to-z claim escalates the return to Amazon; a SAFE-T claim says
                # nothing new of the return itself.
                status=MarketplaceStatus.ESCALATED
                if claim.kind is ClaimKind.AMAZON_A_TO_Z
                else None,
                note=f"{named} {claim.state}".strip(),
                at=claim.notice_at,
                claim=claim,
            )
            deliveries.append(
                Delivery(
                    channel=Channel.AMAZON,
                    delivery_id=f"{rows.key}/claim/{named.replace(' ', '/')}",
                    seller_account=seller_account,
                    action=noticed,
                )
            )
    return deliveries


def claims_of(lines: list[ReturnLine], seen_at: datetime) -> list[ClaimNotice]:
    """The return's claims, once each, whatever number of its rows flag them."""
    first = lines[0]
    currency = first.currency_code
    total = [line.refunded or line.line_amount for line in lines]
    asked = (
        minor(sum(a for a in total if a is not None), currency)
        if any(a is not None for a in total)
        else None
    )
    claims: dict[str, ClaimNotice] = {}
    if any(line.a_to_z for line in lines):
        claims["a-to-z"] = ClaimNotice(
            kind=ClaimKind.AMAZON_A_TO_Z,
            marketplace_claim_id=f"order:{first.ids.order_id}",
            notice_at=seen_at,
            amount_minor=asked,
            state="A-to-Z Claim = Y",
        )
    for line in lines:
        if line.safe_t is not None and line.safe_t.claim_id not in claims:
            claims[line.safe_t.claim_id] = ClaimNotice(
                kind=ClaimKind.AMAZON_SAFE_T,
                marketplace_claim_id=line.safe_t.claim_id,
                notice_at=line.safe_t.created_at,
                filed_at=line.safe_t.created_at,
                amount_minor=minor(line.safe_t.reimbursed, currency)
                if line.safe_t.reimbursed is not None
                else asked,
                state=line.safe_t.state,
            )
    return list(claims.values())


def minor(amount: Decimal, currency: str | None) -> int | None:
    if currency is None:
        return None
    return to_minor_units(amount, Currency(currency))


def needs_order(rows: ReturnRows) -> bool:
    """Whether the return's case wants its order read: a market or a price the rows lack,
    or an FBA unit (whose report carries no price)."""
    lines = lines_of(rows)
    return (
        rows.kind is ReportKind.FBA
        or any(line.line_amount is None for line in lines)
        or market_of(lines[0].marketplace_id) is None
    )


OUTSIDE_POLICY = (
    "Amazon says the return is outside its return policy (In policy = N): it is not refunded "
    "as owed; an agent decides whether anything is"
)


def market_of_return(line: ReturnLine, order: OrderFacts | None, default: Market | None) -> Market:
    market = market_of(line.marketplace_id) or (order.market if order else None) or default
    if market is None:
        raise BadField(
            "marketplace",
            "unknown: the row names none, its order could not be read, and no default market "
            "was given",
        )
    return market


def ensure_currency(line: ReturnLine, market: Market, order: OrderFacts | None) -> None:
    code = line.currency_code
    if code is not None and code != CURRENCY_OF[market]:
        whose = "the order's" if order is not None else "a report for the"
        raise BadField("Currency code", f"{code} in {whose} {market} marketplace")


def item_of(line: ReturnLine, order: OrderFacts | None) -> Item:
    return Item(
        sku=line.sku,
        asin=line.asin,
        title=line.title,
        quantity=line.quantity,
        unit_price=unit_price_of(line, order),
    )


def unit_price_of(line: ReturnLine, order: OrderFacts | None) -> Decimal:
    if line.line_amount is not None:
        # The report gives the order line's amount; the case wants the price of one unit.
        return (line.line_amount / line.ordered).quantize(Decimal("0.01"))
    if order is not None and line.sku in order.unit_prices:
        return order.unit_prices[line.sku]
    if line.unit is not None:
        return Decimal(0)  # an FBA unit whose order could not be read: the price is unknown
    raise BadField("Order Amount", "missing, and the order could not be read for its price")


def unit_found(
    rows: ReturnRows, seen_at: datetime, seller_account: str | None = None
) -> FbaUnitFound | None:
    """What the fulfilment centre found of the return's unit (None: not an FBA return), as
    Amazon wrote it: `domain/fba_units.py` says what it calls for."""
    first = lines_of(rows)[0]
    unit = first.unit
    if unit is None:
        return None
    return FbaUnitFound(
        seller_account=seller_account or "",
        order_id=first.ids.order_id,
        license_plate=first.ids.license_plate or "",
        sku=first.sku,
        fnsku=unit.fnsku,
        asin=first.asin,
        quantity=first.quantity,
        fulfillment_center=unit.fulfillment_center,
        disposition=unit.disposition,
        amazon_status=unit.status,
        returned_at=first.requested_at,
        seen_at=seen_at,
    )


def lines_of(rows: ReturnRows) -> list[ReturnLine]:
    """The return's rows read again (they were read without fault before)."""
    return [read_line(rows.kind, line, row_of(rows.columns, fields)) for line, fields in rows.rows]


def read_line(kind: ReportKind, line: int, row: Row) -> ReturnLine:
    return LINE_READERS[kind](line, row)


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


# Not documented columns of either report; read when an export or a report carries them.
MARKETPLACE_COLUMNS = ("marketplace-id", "marketplace id", "marketplaceid", "marketplace")


def seller_fulfilled_line(line: int, row: Row) -> ReturnLine:
    rma = text(row, "Amazon RMA ID")
    order_id = text(row, "Order ID")
    requested_at = moment(row, "Return request date")
    currency = currency_of(row)
    sku = text(row, "Merchant SKU")
    quantity = count(row, "Return quantity")
    amount = money(row, "Order Amount")
    return ReturnLine(
        line=line,
        key=f"amazon:rma:{rma}",
        ids=MarketplaceIds(order_id=order_id, rma_id=rma),
        marketplace_id=marketplace_id_of(row),
        currency_code=currency,
        sku=sku,
        asin=row.get("asin") or None,
        title=row.get("item name") or None,
        quantity=quantity,
        line_amount=amount,
        ordered=count(row, "Order quantity") if row.get("order quantity") else 1,
        code=row.get("return reason", ""),
        # Not a documented column of this report; kept when an export carries it.
        words=row.get("customer comments", ""),
        requested_at=requested_at,
        deadlines=(Deadline(name="amazon_reply", due_at=requested_at + REPLY_WINDOW),),
        outside_policy=row.get("in policy", "").upper() == "N",
        unit=None,
        a_to_z=row.get("a-to-z claim", "").upper() == "Y",
        safe_t=safe_t_claim(row),
        refunded=money(row, "Refunded Amount"),
    )


def safe_t_claim(row: Row) -> SafeTClaim | None:
    claim_id = row.get("safet claim id", "")
    if not claim_id:
        return None
    return SafeTClaim(
        claim_id=claim_id,
        state=row.get("safet claim state", ""),
        created_at=moment(row, "SafeT claim creation time"),
        reimbursed=money(row, "SafeT claim reimbursement amount"),
    )


def fba_line(line: int, row: Row) -> ReturnLine:
    plate = text(row, "license-plate-number")
    # US and JP name the column order-id, the other marketplaces amazon-order-id.
    order_column = "order-id" if "order-id" in row else "amazon-order-id"
    order_id = text(row, order_column)
    sku = text(row, "sku")
    quantity = count(row, "quantity")
    # The day the fulfilment centre processed the return, the nearest to a request date
    # this report has. Amazon answers FBA buyers itself: no reply clock.
    returned_at = moment(row, "return-date")
    return ReturnLine(
        line=line,
        key=f"amazon:lpn:{plate}",
        # The license plate is Amazon's id of the returned unit: the case's return.
        ids=MarketplaceIds(order_id=order_id, return_id=plate, license_plate=plate),
        marketplace_id=marketplace_id_of(row),
        currency_code=None,
        sku=sku,
        asin=row.get("asin") or None,
        title=row.get("product-name") or None,
        quantity=quantity,
        line_amount=None,  # the FBA report carries no price
        ordered=quantity,
        code=row.get("reason", ""),
        words=row.get("customer-comments", ""),
        requested_at=returned_at,
        deadlines=(),
        outside_policy=False,
        unit=FbaUnit(
            fulfillment_center=row.get("fulfillment-center-id", "") or "?",
            disposition=row.get("detailed-disposition", ""),  # "": not graded yet
            status=row.get("status", ""),
            fnsku=row.get("fnsku") or None,
        ),
    )


LINE_READERS: dict[ReportKind, Callable[[int, Row], ReturnLine]] = {
    ReportKind.SELLER_FULFILLED: seller_fulfilled_line,
    ReportKind.FBA: fba_line,
}


def marketplace_id_of(row: Row) -> str | None:
    return next((row[column] for column in MARKETPLACE_COLUMNS if row.get(column)), None)


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


def money(row: Row, column: str) -> Decimal | None:
    """An amount of the row; None when the row leaves it empty."""
    amount = row.get(column.lower(), "")
    if not amount:
        return None
    if not MONEY.match(amount):
        raise BadField(column, f"{amount!r} is not an amount like 21.38")
    try:
        return Decimal(amount.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern allows none
        raise BadField(column, f"{amount!r} is not an amount") from error


def currency_of(row: Row) -> str | None:
    code = row.get("currency code", "").upper()
    if not code:
        return None
    if code not in Currency.__members__:
        raise BadField("Currency code", f"{code!r} is not a currency intake serves")
    return code


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
