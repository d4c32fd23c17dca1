"""Amazon's Orders API (v0): what a returns report's row lacks, read from its order.

Follows the Orders API v0 reference
(https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference):
- getOrder: `GET /orders/v0/orders/{orderId}`, answered `{"payload": Order}`: the order's
  `MarketplaceId` (hence its market and currency), `FulfillmentChannel` (AFN: fulfilled by
  Amazon; MFN: by the seller) and `OrderStatus`;
- getOrderItems: `GET /orders/v0/orders/{orderId}/orderItems`, answered `{"payload":
  {"OrderItems": [...], "NextToken"?}}`, paged with `NextToken`: each item's `SellerSKU`,
  `OrderItemId`, `QuantityOrdered` and `ItemPrice` (`{"CurrencyCode", "Amount"}`, the
  line's price for all its units).
- getOrderAddress: `GET /orders/v0/orders/{orderId}/address`, a restricted operation
  (called with a Restricted Data Token), answered `{"payload": {"AmazonOrderId",
  "ShippingAddress": {"Name", "AddressLine1", "AddressLine2", "City", "StateOrRegion",
  "PostalCode", "CountryCode", "Phone"}}}`: where a replacement or a spare part goes. Read
  only for orders the seller fulfils: Amazon ships to the buyers of FBA orders.
- getOrderBuyerInfo: `GET /orders/v0/orders/{orderId}/buyerInfo`, restricted too, answered
  `{"payload": {"AmazonOrderId", "BuyerEmail", "BuyerName", "BuyerCounty", "BuyerTaxInfo",
  "PurchaseOrderNumber"}}`: `BuyerEmail` is the buyer's anonymised address
  (`…@marketplace.amazon.<tld>`), through which Amazon relays the seller's e-mail to the
  buyer (Buyer-Seller Messaging); read each time a message goes, never stored.
- getOrder of the Orders API v2026-01-01 (https://developer-docs.amazon.com/sp-api/docs/
  orders-api-v2026-01-01-reference): `GET /orders/2026-01-01/orders/{orderId}
  ?includedData=PACKAGES`, answered `{"order": {"orderId", ..., "packages": [{
  "packageReferenceId", "carrier", "trackingNumber", "shippingService", "shipTime",
  "packageStatus": {"status", "detailedStatus"}}]}}`: the parcels of an order the seller
  shipped (FBM only), which a buyer who says it never came is traced by, and what Amazon
  says of them (DELIVERED: an agent looks before anything is sent again) (`order_packages`).
An order of a marketplace intake does not serve is refused.
"""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.intake.channels.amazon.marketplaces import market_of
from services.intake.channels.amazon.reports import OrderFacts
from services.intake.channels.amazon.sp_api import (
    SP_API,
    SellingPartner,
    call,
    restricted_call,
)
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.case import Address, BuyerContact
from shared.markets import Currency
from shared.outbound import Refused, resource_of

ORDERS = "/orders/v0/orders"
MAX_PAGES = 20


class Pascal(BaseModel):
    model_config = ConfigDict(frozen=True)


class Money(Pascal):
    CurrencyCode: str | None = None
    Amount: Decimal | None = None


class Order(Pascal):
    AmazonOrderId: str
    OrderStatus: str
    MarketplaceId: str | None = None
    FulfillmentChannel: str | None = None  # AFN or MFN
    OrderTotal: Money | None = None


class OrderItem(Pascal):
    OrderItemId: str
    ASIN: str | None = None
    SellerSKU: str | None = None
    Title: str | None = None
    QuantityOrdered: int = Field(ge=0)
    ItemPrice: Money | None = None


class OrderItems(Pascal):
    AmazonOrderId: str | None = None
    OrderItems: list[OrderItem]
    NextToken: str | None = None


class PostalAddress(Pascal):
    Name: str | None = None
    AddressLine1: str | None = None
    AddressLine2: str | None = None
    City: str | None = None
    StateOrRegion: str | None = None
    PostalCode: str | None = None
    CountryCode: str | None = None
    Phone: str | None = None


class OrderAddress(Pascal):
    AmazonOrderId: str | None = None
    ShippingAddress: PostalAddress | None = None


class BuyerInfo(Pascal):
    AmazonOrderId: str | None = None
    BuyerEmail: str | None = None
    BuyerName: str | None = None


class GetOrderBuyerInfoResponse(Pascal):
    payload: BuyerInfo


class GetOrderAddressResponse(Pascal):
    payload: OrderAddress


class GetOrderResponse(Pascal):
    payload: Order


class GetOrderItemsResponse(Pascal):
    payload: OrderItems


async def get_order(apis: MarketplaceApis, partner: SellingPartner, order_id: str) -> Order:
    what = f"order {order_id}"
    response = await call(apis, partner, "GET", f"{ORDERS}/{order_id}", what)
    return resource_of(GetOrderResponse, response, SP_API, what).payload


async def get_order_items(
    apis: MarketplaceApis, partner: SellingPartner, order_id: str
) -> list[OrderItem]:
    items: list[OrderItem] = []
    params: dict[str, str] = {}
    for _ in range(MAX_PAGES):
        what = f"the items of order {order_id}"
        path = f"{ORDERS}/{order_id}/orderItems"
        response = await call(apis, partner, "GET", path, what, params=params)
        page = resource_of(GetOrderItemsResponse, response, SP_API, what).payload
        items += page.OrderItems
        if not page.NextToken:
            return items
        params = {"NextToken": page.NextToken}
    raise Refused(SP_API, f"order {order_id} has more than {MAX_PAGES} pages of items")


async def order_facts(apis: MarketplaceApis, partner: SellingPartner, order_id: str) -> OrderFacts:
    """The order's market, currency, fulfilment and each SKU's unit price."""
    order = await get_order(apis, partner, order_id)
    market = market_of(order.MarketplaceId)
    if market is None:
        raise Refused(
            SP_API, f"order {order_id} is of marketplace {order.MarketplaceId}, not served"
        )
    items = await get_order_items(apis, partner, order_id)
    by_amazon = order.FulfillmentChannel == "AFN"
    return OrderFacts(
        order_id=order_id,
        market=market,
        currency=currency_of(order, items),
        fulfilled_by_amazon=by_amazon,
        unit_prices=unit_prices(items),
        buyer=None if by_amazon else await get_order_address(apis, partner, order_id),
    )


async def get_order_address(
    apis: MarketplaceApis, partner: SellingPartner, order_id: str
) -> BuyerContact | None:
    what = f"the shipping address of order {order_id}"
    response = await restricted_call(apis, partner, f"{ORDERS}/{order_id}/address", what)
    found = resource_of(GetOrderAddressResponse, response, SP_API, what).payload
    return contact_of(found.ShippingAddress)


async def get_buyer_email(apis: MarketplaceApis, partner: SellingPartner, order_id: str) -> str:
    """The buyer's Amazon relay address for the order; refused when Amazon gives none."""
    what = f"the buyer of order {order_id}"
    response = await restricted_call(apis, partner, f"{ORDERS}/{order_id}/buyerInfo", what)
    found = resource_of(GetOrderBuyerInfoResponse, response, SP_API, what).payload
    if not found.BuyerEmail or "@" not in found.BuyerEmail:
        raise Refused(SP_API, f"gives no buyer e-mail address for order {order_id}")
    return found.BuyerEmail


def contact_of(given: PostalAddress | None) -> BuyerContact | None:
    """The buyer's name, phone and address; None when Amazon gives neither a name nor a
    whole address (street, city, postal code, country)."""
    if given is None:
        return None
    whole = given.AddressLine1 and given.City and given.PostalCode and given.CountryCode
    address = (
        Address(
            line1=given.AddressLine1,
            line2=given.AddressLine2,
            city=given.City,
            region=given.StateOrRegion,
            postal_code=given.PostalCode,
            country=given.CountryCode.upper(),
        )
        if whole
        else None
    )
    if address is None and not given.Name:
        return None
    return BuyerContact(name=given.Name, phone=given.Phone, address=address)


def currency_of(order: Order, items: list[OrderItem]) -> Currency | None:
    codes = [order.OrderTotal.CurrencyCode if order.OrderTotal else None]
    codes += [item.ItemPrice.CurrencyCode for item in items if item.ItemPrice]
    code = next((c for c in codes if c), None)
    return Currency(code) if code in Currency.__members__ else None


def unit_prices(items: list[OrderItem]) -> dict[str, Decimal]:
    """Each SKU's price of one unit: ItemPrice is the line's, for all its units."""
    prices: dict[str, Decimal] = {}
    for item in items:
        price = item.ItemPrice.Amount if item.ItemPrice else None
        if item.SellerSKU and price is not None and item.QuantityOrdered > 0:
            prices[item.SellerSKU] = (price / item.QuantityOrdered).quantize(Decimal("0.01"))
    return prices


ORDERS_2026 = "/orders/2026-01-01/orders"


class PackageStatus(BaseModel):
    status: str | None = None  # e.g. SHIPPED, IN_TRANSIT, DELIVERED
    detailedStatus: str | None = None


class OrderPackage(BaseModel):
    carrier: str | None = None
    trackingNumber: str | None = None
    packageStatus: PackageStatus | None = None


class OrderWithPackages(BaseModel):
    packages: list[OrderPackage] = Field(default_factory=list)


class OrderAnswer(BaseModel):  # getOrder v2026-01-01's GetOrderResponse
    order: OrderWithPackages


async def order_packages(
    apis: MarketplaceApis, partner: SellingPartner, order_id: str
) -> list[tuple[str | None, str | None, str | None]]:
    """Each package's (carrier, tracking number, status), as Amazon lists them; none for
    FBA. The status (`packageStatus.status`, e.g. DELIVERED) is evidence for an agent."""
    what = f"the packages of order {order_id}"
    response = await call(
        apis, partner, "GET", f"{ORDERS_2026}/{order_id}", what, params={"includedData": "PACKAGES"}
    )
    found = resource_of(OrderAnswer, response, SP_API, what).order
    return [
        (p.carrier, p.trackingNumber, p.packageStatus.status if p.packageStatus else None)
        for p in found.packages
    ]
