"""eBay's Post-Order return resource: fetched for a new return, merged into its case.

A ReturnCreated notification names the return only. `PostOrderClient.get_return`
fetches GET /post-order/v2/return/{returnId}
(https://developer.ebay.com/Devzone/post-order/post-order_v2_return-returnId__get.html):
`summary` holds the buyer's request (creationInfo: item, reason, reasonType SNAD or
REMORSE, comments, creationDate) and the seller's clock (sellerResponseDue.respondByDate);
`detail` holds the line item (itemDetail: title, price, listing site). eBay documents
that the default `fieldgroups=FULL` leaves `summary` out, so the client asks for it
separately when the first answer lacks it.

Calls carry the seller's OAuth user token as `Authorization: IAF <token>`, the form the
traditional APIs (Post-Order among them) take OAuth tokens in, and the return's site as
X-EBAY-C-MARKETPLACE-ID. `case_from_return` is pure: it builds the canonical case.
"""

from datetime import datetime
from decimal import Decimal
from types import TracebackType

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError
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

PRODUCTION = "https://api.ebay.com"
SANDBOX = "https://api.sandbox.ebay.com"
TIMEOUT_SECONDS = 10.0


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


class PostOrderError(Exception):
    """eBay could not give the return; `retry` says whether trying later may help."""

    def __init__(self, detail: str, *, retry: bool, status: int | None = None):
        super().__init__(detail)
        self.retry = retry
        self.status = status


class ReturnNotFound(PostOrderError):
    def __init__(self, return_id: str):
        super().__init__(f"eBay has no return {return_id} for this seller", retry=False, status=404)


class PostOrderClient:
    """`async with PostOrderClient(token) as ebay: await ebay.get_return("5212345678")`."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = PRODUCTION,
        timeout: float = TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"IAF {token}", "Accept": "application/json"},
        )

    async def __aenter__(self) -> "PostOrderClient":
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def get_return(self, return_id: str, marketplace_id: str = "EBAY_US") -> EbayReturn:
        found = await self._get(return_id, marketplace_id, "FULL")
        if found.summary is None:
            summary = await self._get(return_id, marketplace_id, "SUMMARY")
            found = found.model_copy(update={"summary": summary.summary})
        return found

    async def _get(self, return_id: str, marketplace_id: str, fieldgroups: str) -> EbayReturn:
        try:
            response = await self._http.get(
                f"/post-order/v2/return/{return_id}",
                params={"fieldgroups": fieldgroups},
                headers={"X-EBAY-C-MARKETPLACE-ID": marketplace_id},
            )
        except httpx.TimeoutException as error:
            raise PostOrderError(
                f"eBay did not answer for return {return_id} in time", retry=True
            ) from error
        except httpx.TransportError as error:
            raise PostOrderError(
                f"eBay could not be reached for return {return_id}: {error}", retry=True
            ) from error
        return resource_of(response, return_id)


def resource_of(response: httpx.Response, return_id: str) -> EbayReturn:
    if response.status_code == 404:
        raise ReturnNotFound(return_id)
    if response.status_code in (401, 403):
        raise PostOrderError(
            f"eBay refused the seller's token ({response.status_code}) for return {return_id}",
            retry=False,
            status=response.status_code,
        )
    if response.status_code >= 500 or response.status_code == 429:
        raise PostOrderError(
            f"eBay answered {response.status_code} for return {return_id}; try again later",
            retry=True,
            status=response.status_code,
        )
    if response.status_code != 200:
        raise PostOrderError(
            f"eBay answered {response.status_code} for return {return_id}",
            retry=False,
            status=response.status_code,
        )
    try:
        return EbayReturn.model_validate_json(response.content)
    except ValidationError as error:
        raise PostOrderError(
            f"eBay's return {return_id} is not the documented resource: {error}", retry=False
        ) from error


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
