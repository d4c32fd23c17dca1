"""Amazon's Feeds API (2021-06-30) and Finances API (v0): what a seller-fulfilled refund
is paid and read back with.

Follows "Feeds API v2021-06-30 use case guide"
(https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide):
- createFeedDocument: `POST /feeds/2021-06-30/documents` `{"contentType"}`, answered 201
  `{"feedDocumentId", "url"}`; the content is PUT to that presigned URL with the same
  Content-Type, within five minutes (no SP-API token goes there);
- createFeed: `POST /feeds/2021-06-30/feeds` `{"feedType", "marketplaceIds",
  "inputFeedDocumentId"}`, answered 202 `{"feedId"}`;
- getFeed: `GET /feeds/2021-06-30/feeds/{feedId}`: IN_QUEUE, IN_PROGRESS, then DONE with
  `resultFeedDocumentId` (or FATAL, CANCELLED);
- getFeeds: `GET /feeds/2021-06-30/feeds?feedTypes=...&processingStatuses=...&createdSince=`;
- getFeedDocument: `GET /feeds/2021-06-30/documents/{id}`, `{"feedDocumentId", "url",
  "compressionAlgorithm"?}`: the processing report, at its URL.
And the Finances API v0 listFinancialEventsByOrderId
(https://developer-docs.amazon.com/sp-api/docs/finances-api-reference):
`GET /finances/v0/orders/{orderId}/financialEvents`, whose `RefundEventList` holds the
refunds Amazon made on the order (each item's `ItemChargeAdjustmentList`, the Principal
charged back as a negative `CurrencyAmount`).
"""

import re
from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.amazon.reports_api import ProcessingStatus, iso
from services.intake.channels.amazon.sp_api import (
    SP_API,
    SellingPartner,
    call,
    download,
    sent,
)
from services.intake.channels.marketplace import MarketplaceApis
from shared.outbound import Unavailable, resource_of

FEEDS = "/feeds/2021-06-30"
DOCUMENTS = "Amazon documents"
IN_PROCESS = (ProcessingStatus.IN_QUEUE, ProcessingStatus.IN_PROGRESS)
SUCCESSFUL = re.compile(r"Number of records successful\s+(\d+)")


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class FeedDocumentCreated(Camel):
    feed_document_id: str
    url: str


class FeedCreated(Camel):
    feed_id: str


class Feed(Camel):
    feed_id: str
    feed_type: str
    processing_status: ProcessingStatus
    created_time: AwareDatetime
    marketplace_ids: list[str] = []
    result_feed_document_id: str | None = None


class Feeds(Camel):
    feeds: list[Feed]
    next_token: str | None = None


class FeedDocument(Camel):
    feed_document_id: str
    url: str
    compression_algorithm: str | None = None


async def submit_feed(
    apis: MarketplaceApis,
    partner: SellingPartner,
    feed_type: str,
    marketplace_ids: list[str],
    content: bytes,
    content_type: str,
) -> str:
    """The feed's content uploaded and the feed created; its feed id."""
    what = f"a {feed_type} feed document"
    body = {"contentType": content_type}
    response = await call(apis, partner, "POST", f"{FEEDS}/documents", what, json=body)
    document = resource_of(FeedDocumentCreated, response, SP_API, what)
    upload = apis.http.build_request(
        "PUT", document.url, content=content, headers={"content-type": content_type}
    )
    uploaded = await sent(apis.http, upload, DOCUMENTS, f"uploading {what}")
    if not uploaded.is_success:
        # Not yet a feed: nothing can have been applied, and a new document is made next time.
        raise Unavailable(DOCUMENTS, f"answered {uploaded.status_code} for uploading {what}")
    spec = {
        "feedType": feed_type,
        "marketplaceIds": marketplace_ids,
        "inputFeedDocumentId": document.feed_document_id,
    }
    response = await call(apis, partner, "POST", f"{FEEDS}/feeds", f"a {feed_type} feed", json=spec)
    return resource_of(FeedCreated, response, SP_API, f"a {feed_type} feed").feed_id


async def get_feed(apis: MarketplaceApis, partner: SellingPartner, feed_id: str) -> Feed:
    what = f"feed {feed_id}"
    response = await call(apis, partner, "GET", f"{FEEDS}/feeds/{feed_id}", what)
    return resource_of(Feed, response, SP_API, what)


async def feeds_since(
    apis: MarketplaceApis,
    partner: SellingPartner,
    feed_type: str,
    since: datetime,
    statuses: tuple[ProcessingStatus, ...] = (),
) -> list[Feed]:
    params = {"feedTypes": feed_type, "createdSince": iso(since), "pageSize": "100"}
    if statuses:
        params["processingStatuses"] = ",".join(status.value for status in statuses)
    what = f"the {feed_type} feeds of seller {partner.account}"
    response = await call(apis, partner, "GET", f"{FEEDS}/feeds", what, params=params)
    return resource_of(Feeds, response, SP_API, what).feeds


async def feed_result(apis: MarketplaceApis, partner: SellingPartner, document_id: str) -> str:
    """The feed's processing report, as text."""
    what = f"feed result {document_id}"
    response = await call(apis, partner, "GET", f"{FEEDS}/documents/{document_id}", what)
    document = resource_of(FeedDocument, response, SP_API, what)
    content = await download(apis, document.url, document.compression_algorithm, what)
    return content.decode("utf-8", errors="replace")


def record_errors(report: str) -> dict[int, str]:
    """A processing report's errors, by record number (counting from 1): its
    `original-record-number`, then the error code and message."""
    found: dict[int, str] = {}
    for line in report.splitlines():
        fields = line.split("\t")
        if len(fields) >= 6 and fields[0].strip().isdigit():
            found[int(fields[0])] = f"{fields[3]} {fields[5]}".strip()
    return found


def records_successful(report: str) -> int:
    """The processing report's "Number of records successful"."""
    match = SUCCESSFUL.search(report)
    return int(match.group(1)) if match else 0


class Amount(BaseModel):
    model_config = ConfigDict(frozen=True)

    CurrencyCode: str | None = None
    CurrencyAmount: Decimal = Decimal(0)


class ChargeComponent(BaseModel):
    model_config = ConfigDict(frozen=True)

    ChargeType: str | None = None
    ChargeAmount: Amount = Amount()


class AdjustedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    SellerSKU: str | None = None
    OrderAdjustmentItemId: str | None = None
    ItemChargeAdjustmentList: list[ChargeComponent] = Field(default_factory=list)


class RefundEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    AmazonOrderId: str | None = None
    PostedDate: AwareDatetime | None = None
    ShipmentItemAdjustmentList: list[AdjustedItem] = Field(default_factory=list)


class Events(BaseModel):
    model_config = ConfigDict(frozen=True)

    RefundEventList: list[RefundEvent] = Field(default_factory=list)


class FinancialEventsPayload(BaseModel):
    FinancialEvents: Events = Events()


class ListFinancialEventsResponse(BaseModel):
    payload: FinancialEventsPayload = FinancialEventsPayload()


async def refund_events(
    apis: MarketplaceApis, partner: SellingPartner, order_id: str
) -> list[RefundEvent]:
    what = f"the financial events of order {order_id}"
    path = f"/finances/v0/orders/{order_id}/financialEvents"
    response = await call(apis, partner, "GET", path, what)
    return resource_of(
        ListFinancialEventsResponse, response, SP_API, what
    ).payload.FinancialEvents.RefundEventList
