"""Removal orders of FBA units: sent through the Feeds API, read back from the Reports API.

A removal order is a POST_FLAT_FILE_FBA_CREATE_REMOVAL feed ("FBA Removal Order",
https://developer-docs.amazon.com/sp-api/docs/fba-feeds-attributes): a tab-separated file
whose columns are those of Seller Central's Removal Request template (`COLUMNS`), one
record per SKU: MerchantRemovalOrderID (the seller's id of the order), RemovalDisposition
`Return` (shipped to the address; `Disposal` would destroy it), the address (AddressName,
AddressFieldOne to Three, AddressCity, AddressCountryCode as ISO 3166, AddressStateOrRegion,
AddressPostalCode, ContactPhoneNumber), ShippingNotes, MerchantSKU, SellableQuantity and
UnsellableQuantity. Amazon removes by SKU and condition, not by license plate: the order
asks for the case's unsellable units of the SKU. The feed's processing report says whether
the record was taken.

A feed takes no idempotency key, so a try whose answer was lost is read back from the
removal order detail report (GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA,
https://developer-docs.amazon.com/sp-api/docs/fba-removals-reports-attributes): one row per
order and SKU, its `order-id` the MerchantRemovalOrderID the seller gave, its
`order-status` (Pending, In Process, Completed, Cancelled). The report is asked for only
once no removal feed of the account is still in process (`in_process`), so that it cannot
miss an order a feed is still making.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.intake.channels.amazon import feeds_api, reports_api
from services.intake.channels.amazon.reports_api import ProcessingStatus
from services.intake.channels.amazon.sp_api import SP_API, SellingPartner
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.removal_orders import RemovalAddress
from shared.outbound import Refused

FEED_TYPE = "POST_FLAT_FILE_FBA_CREATE_REMOVAL"
DETAIL_REPORT = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
CONTENT_TYPE = "text/tab-separated-values; charset=UTF-8"
COLUMNS = (
    "MerchantRemovalOrderID", "RemovalDisposition", "AddressName", "AddressFieldOne",
    "AddressFieldTwo", "AddressFieldThree", "AddressCity", "AddressCountryCode",
    "AddressStateOrRegion", "AddressPostalCode", "ContactPhoneNumber", "ShippingNotes",
    "MerchantSKU", "SellableQuantity", "UnsellableQuantity",
)  # fmt: skip
# A read-back report reaches this far before the first try was sent.
READ_BACK_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class RemovalRequest:
    """One removal order: the case's unsellable units of a SKU, to a local warehouse."""

    removal_order_id: str  # MerchantRemovalOrderID
    marketplace_id: str
    sku: str
    unsellable_quantity: int
    address: RemovalAddress
    notes: str  # ShippingNotes: which case and unit it is for


def feed_content(request: RemovalRequest) -> bytes:
    address = request.address
    record = (
        request.removal_order_id, "Return", address.name, address.line1, address.line2,
        address.line3, address.city, address.country_code, address.state_or_region,
        address.postal_code, address.phone, request.notes[:250], request.sku, "0",
        str(request.unsellable_quantity),
    )  # fmt: skip
    fields = [" ".join(str(value).replace("\t", " ").split()) for value in record]
    return ("\t".join(COLUMNS) + "\n" + "\t".join(fields) + "\n").encode()


async def submit(apis: MarketplaceApis, partner: SellingPartner, request: RemovalRequest) -> str:
    """The removal order's feed, created; its feed id."""
    return await feeds_api.submit_feed(
        apis, partner, FEED_TYPE, [request.marketplace_id], feed_content(request), CONTENT_TYPE
    )


class FeedOutcome(StrEnum):
    IN_PROCESS = "in_process"  # look again later
    ACCEPTED = "accepted"  # Amazon made the removal order
    NOT_APPLIED = "not_applied"  # FATAL or CANCELLED: nothing of it was made; send again


async def feed_outcome(
    apis: MarketplaceApis, partner: SellingPartner, feed_id: str, removal_order_id: str
) -> FeedOutcome:
    """What Amazon did with the removal order's feed; Refused with Amazon's words when it
    refused the record (nothing was made)."""
    feed = await feeds_api.get_feed(apis, partner, feed_id)
    status = feed.processing_status
    if status in feeds_api.IN_PROCESS:
        return FeedOutcome.IN_PROCESS
    if status is not ProcessingStatus.DONE or not feed.result_feed_document_id:
        return FeedOutcome.NOT_APPLIED
    report = await feeds_api.feed_result(apis, partner, feed.result_feed_document_id)
    errors = feeds_api.record_errors(report)
    if errors or not feeds_api.records_successful(report):
        said = errors.get(1) or "no record was taken"
        raise Refused(SP_API, f"removal order {removal_order_id} (feed {feed_id}): {said}")
    return FeedOutcome.ACCEPTED


async def in_process(
    apis: MarketplaceApis, partner: SellingPartner, since: datetime
) -> list[feeds_api.Feed]:
    """The account's removal feeds created since `since` that Amazon is still processing."""
    return await feeds_api.feeds_since(
        apis, partner, FEED_TYPE, since - READ_BACK_MARGIN, feeds_api.IN_PROCESS
    )


async def ask_for_detail_report(
    apis: MarketplaceApis, partner: SellingPartner, since: datetime, now: datetime
) -> str:
    """The removal order detail report of the orders requested since `since`; its id."""
    return await reports_api.create_report(
        apis, partner, DETAIL_REPORT, since - READ_BACK_MARGIN, now
    )


@dataclass(frozen=True)
class ReadBack:
    """What the detail report says: not `done` while Amazon makes it (or could not:
    FATAL, CANCELLED, its `status`); once done, whether it holds the order (`found`) and
    the order's status at Amazon."""

    done: bool
    status: ProcessingStatus
    found: bool = False
    order_status: str | None = None


async def read_back(
    apis: MarketplaceApis, partner: SellingPartner, report_id: str, removal_order_id: str
) -> ReadBack:
    report = await reports_api.get_report(apis, partner, report_id)
    status = report.processing_status
    if status is not ProcessingStatus.DONE or not report.report_document_id:
        return ReadBack(done=False, status=status)
    content = await reports_api.report_document(apis, partner, report.report_document_id)
    for row in detail_rows(content):
        if row.get("order-id") == removal_order_id:
            return ReadBack(True, status, found=True, order_status=row.get("order-status"))
    return ReadBack(True, status)


def detail_rows(content: bytes) -> list[dict[str, str]]:
    """The detail report's rows by lower-cased column name."""
    text = content.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    columns = [name.strip().lower() for name in next(reader, [])]
    return [
        dict(zip(columns, (value.strip() for value in fields), strict=False))
        for fields in reader
        if any(value.strip() for value in fields)
    ]
