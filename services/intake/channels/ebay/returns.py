"""eBay's Post-Order return resource, and the case a new return opens from it. Pure.

A ReturnCreated notification names the return only; the Post-Order API's return
(`post_order_api.read_return`,
https://developer.ebay.com/Devzone/post-order/post-order_v2_return-returnId__get.html)
says the rest: `summary` holds the buyer's request (creationInfo: item, reason,
reasonType SNAD or REMORSE, comments, creationDate) and the seller's clock
(sellerResponseDue.respondByDate); `detail` holds the line item (itemDetail: title,
price, listing site). `case_from_return` merges the notification and the return into the
canonical case.
"""

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.intake.channels.ebay.notifications import (
    ReturnNotification,
    market_of_site,
    reason_of,
    seller_response_due,
)
from services.intake.domain.case import (
    CanonicalCase,
    Channel,
    Deadline,
    Item,
    MarketplaceIds,
    malformed,
)
from shared.markets import Currency, Market


class Resource(BaseModel):
    """eBay's JSON is camelCase; unknown fields are ignored, eBay adds them over time."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Amount(Resource):
    value: Decimal
    currency: str


class DateValue(Resource):
    value: AwareDatetime


class Text(Resource):
    content: str = ""


class ReturnItem(Resource):
    item_id: str | None = None
    transaction_id: str | None = None
    return_quantity: int = 1


class CreationInfo(Resource):
    item: ReturnItem | None = None
    reason: str = "OTHER"
    reason_type: str | None = None
    comments: Text | None = None
    creation_date: DateValue


class ResponseDue(Resource):
    activity_due: str | None = None
    respond_by_date: DateValue | None = None


class ReturnSummary(Resource):
    return_id: str
    order_id: str | None = None
    buyer_login_name: str | None = None
    seller_login_name: str | None = None
    state: str | None = None
    status: str | None = None
    creation_info: CreationInfo
    seller_response_due: ResponseDue | None = None


class ItemDetail(Resource):
    item_id: str | None = None
    transaction_id: str | None = None
    item_title: str | None = None
    item_price: Amount | None = None
    return_quantity: int | None = None
    listing_site_id: int | None = None


class ReturnDetail(Resource):
    item_detail: ItemDetail | None = None
    marketplace_id: str | None = None


class EbayReturn(Resource):
    """The Post-Order return resource, both halves."""

    summary: ReturnSummary | None = None
    detail: ReturnDetail | None = None


def marketplace_id_of(notification: ReturnNotification) -> str:
    """The X-EBAY-C-MARKETPLACE-ID for the return's site: EBAY-GB is EBAY_GB."""
    return (notification.site or "EBAY-US").strip().upper().replace("-", "_")


def case_from_return(notification: ReturnNotification, found: EbayReturn) -> CanonicalCase:
    """The case a ReturnCreated opens, from the notification and the Post-Order resource."""
    if found.summary is None:
        raise malformed("the return has no summary", "summary")
    summary = found.summary
    detail = (found.detail or ReturnDetail()).item_detail or ItemDetail()
    request = summary.creation_info
    words = request.comments.content.strip() if request.comments else ""
    market = market_of(notification, found)
    opened_at = request.creation_date.value
    return CanonicalCase(
        channel=Channel.EBAY,
        seller_account=notification.recipient,
        ids=MarketplaceIds(order_id=order_id_of(summary, detail), return_id=summary.return_id),
        market=market,
        currency=currency_of(detail),
        items=[item_of(request, detail)],
        marketplace_reason=request.reason,
        reason=reason_of(request.reason, request.reason_type, words),
        buyer_words=words,
        buyer_ref=summary.buyer_login_name or notification.buyer or "unknown",
        requested_at=opened_at,
        deadlines=[Deadline(name="seller_response", due_at=seller_due(summary, opened_at, market))],
    )


def market_of(notification: ReturnNotification, found: EbayReturn) -> Market:
    """The listing's site, else the marketplace of the return, else the notification's."""
    detail = found.detail or ReturnDetail()
    item = detail.item_detail or ItemDetail()
    sites = (item.listing_site_id, detail.marketplace_id, notification.site)
    market = next((m for m in map(market_of_site, sites) if m is not None), None)
    if market is None:
        raise malformed(f"eBay site {notification.site!r} is not a market we serve", "site")
    return market


def order_id_of(summary: ReturnSummary, detail: ItemDetail) -> str:
    if summary.order_id:
        return summary.order_id
    item = summary.creation_info.item or ReturnItem()
    item_id = detail.item_id or item.item_id
    transaction_id = detail.transaction_id or item.transaction_id
    if not (item_id and transaction_id):
        raise malformed("the return names no order nor line item", "orderId")
    # eBay's order line item id, the order id of a single-item order.
    return f"{item_id}-{transaction_id}"


def currency_of(detail: ItemDetail) -> Currency:
    if detail.item_price is None:
        raise malformed("the return has no item price", "itemDetail.itemPrice")
    try:
        return Currency(detail.item_price.currency)
    except ValueError as error:
        raise malformed(
            f"currency {detail.item_price.currency!r} is not one we serve", "itemPrice.currency"
        ) from error


def item_of(request: CreationInfo, detail: ItemDetail) -> Item:
    returned = request.item or ReturnItem()
    listing = detail.item_id or returned.item_id
    if not listing:
        raise malformed("the return names no item", "itemDetail.itemId")
    return Item(
        # ItemDetailType documents no SKU: the listing id is what identifies the product.
        sku=listing,
        title=detail.item_title,
        quantity=returned.return_quantity or detail.return_quantity or 1,
        unit_price=detail.item_price.value if detail.item_price else Decimal(0),
    )


def seller_due(summary: ReturnSummary, opened_at: datetime, market: Market) -> datetime:
    """eBay's own due date when it gives one, else its documented 2 business days."""
    due = summary.seller_response_due
    if due and due.respond_by_date:
        return due.respond_by_date.value
    return seller_response_due(opened_at, market)
