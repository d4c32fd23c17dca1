"""Shopify Admin GraphQL API: the order a returns/request names, as a `ShopifyOrder`.

A returns/request webhook names its order and line items by id only. `read_order` asks
the Admin GraphQL API (https://shopify.dev/docs/api/admin-graphql/latest/queries/order)
for what `shopify.parse` needs:
- the order's `presentmentCurrencyCode`, the currency the buyer paid in;
- the country of its `shippingAddress` (else `billingAddress`), `countryCodeV2`, as market;
- its `customer` id, the one customers/redact names, as buyer ref (the order id without one);
- the buyer's contact, as `ShopifyOrder.buyer`: the order's `email` (else the customer's
  `defaultEmailAddress.emailAddress`), its `phone` (else the customer's
  `defaultPhoneNumber.phoneNumber`, else the ship-to phone), and its `shippingAddress`:
  `name`, `address1`, `address2`, `city`, `provinceCode` (else `province`), `zip`,
  `countryCodeV2` (https://shopify.dev/docs/api/admin-graphql/latest/objects/Order,
  .../objects/Customer, .../objects/MailingAddress). Customer `email` and `phone` are
  deprecated since 2025-04 in favour of `defaultEmailAddress` and `defaultPhoneNumber`
  (https://shopify.dev/changelog/adding-defaultemailaddress-field-to-customer);
- each line item's id, sku (else its variant's id), name, quantity and
  `discountedUnitPriceAfterAllDiscountsSet.presentmentMoney`: the unit price the buyer
  paid, which partial refunds are a share of
  (https://shopify.dev/docs/api/admin-graphql/latest/objects/LineItem).

The call: POST {https://<shop> | base_url}/admin/api/<version>/graphql.json with the
app's token in `X-Shopify-Access-Token` (https://shopify.dev/docs/api/admin-graphql).
Line items come 100 a page, a page cost well under the 1,000-point ceiling of one query.
Errors (https://shopify.dev/docs/api/usage/response-codes): HTTP statuses as
`shared.outbound` reads them; a GraphQL `errors` array is refused, except THROTTLED and
INTERNAL_SERVER_ERROR, transient; a THROTTLED answer's `retry_after` is the time the cost
bucket takes to refill (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
The app needs the read_orders scope, read_all_orders for orders older than 60 days, and
access to protected customer data: level 1 for the customer id, level 2 for the name,
email, phone and address fields (https://shopify.dev/docs/apps/launch/protected-customer-data).
"""

from decimal import Decimal

import httpx
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.intake.channels.shopify.webhook import ShopifyOrder
from services.intake.domain.case import Address, BuyerContact, Item
from shared.markets import MARKET_ALIASES, Currency, Market
from shared.outbound import Refused, Unavailable, answer_to, resource_of

SHOPIFY = "Shopify"
API_VERSION = "2026-10"
PAGE_SIZE = 100
TRANSIENT_CODES = {"THROTTLED", "INTERNAL_SERVER_ERROR"}

ORDER_QUERY = """
query ReturnedOrder($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    id
    presentmentCurrencyCode
    email
    phone
    customer {
      id
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
    }
    shippingAddress {
      name
      address1
      address2
      city
      province
      provinceCode
      zip
      countryCodeV2
      phone
    }
    billingAddress { countryCodeV2 }
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        sku
        name
        quantity
        variant { id }
        discountedUnitPriceAfterAllDiscountsSet { presentmentMoney { amount currencyCode } }
      }
    }
  }
}
"""


class GraphQLModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True)


class Money(GraphQLModel):
    amount: Decimal
    currency_code: str


class MoneyBag(GraphQLModel):
    presentment_money: Money


class Node(GraphQLModel):
    id: str


class LineItem(GraphQLModel):
    id: str
    sku: str | None = None
    name: str
    quantity: int
    variant: Node | None = None
    discounted_unit_price_after_all_discounts_set: MoneyBag


class PageInfo(GraphQLModel):
    has_next_page: bool
    end_cursor: str | None = None


class LineItems(GraphQLModel):
    page_info: PageInfo
    nodes: list[LineItem]


class MailingAddress(GraphQLModel):
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    province_code: str | None = None
    zip: str | None = None
    country_code_v2: str | None = None
    phone: str | None = None


class EmailAddress(GraphQLModel):
    email_address: str | None = None


class PhoneNumber(GraphQLModel):
    phone_number: str | None = None


class Customer(GraphQLModel):
    id: str
    default_email_address: EmailAddress | None = None
    default_phone_number: PhoneNumber | None = None


class Order(GraphQLModel):
    id: str
    presentment_currency_code: str
    email: str | None = None
    phone: str | None = None
    customer: Customer | None = None
    shipping_address: MailingAddress | None = None
    billing_address: MailingAddress | None = None
    line_items: LineItems


class OrderData(GraphQLModel):
    order: Order | None = None


class ErrorExtensions(GraphQLModel):
    code: str | None = None


class GraphQLError(GraphQLModel):
    message: str
    extensions: ErrorExtensions | None = None


class ThrottleStatus(GraphQLModel):
    currently_available: float
    restore_rate: float


class Cost(GraphQLModel):
    requested_query_cost: float
    throttle_status: ThrottleStatus


class AnswerExtensions(GraphQLModel):
    cost: Cost | None = None


class OrderAnswer(GraphQLModel):
    data: OrderData | None = None
    errors: list[GraphQLError] = []
    extensions: AnswerExtensions | None = None


async def read_order(
    client: httpx.AsyncClient,
    shop_domain: str,
    access_token: str,
    order_gid_or_id: str,
    *,
    base_url: str | None = None,
    api_version: str = API_VERSION,
) -> ShopifyOrder:
    """The order as `shopify.parse` needs it; `base_url` replaces https://<shop_domain>."""
    url = graphql_url(base_url or f"https://{shop_domain}", api_version)
    gid = order_gid(order_gid_or_id)
    page = await order_page(client, url, access_token, gid, after=None)
    line_items = list(page.line_items.nodes)
    while page.line_items.page_info.has_next_page:
        after = page.line_items.page_info.end_cursor
        page = await order_page(client, url, access_token, gid, after)
        line_items.extend(page.line_items.nodes)
    return shopify_order_of(page, line_items)


async def order_page(
    client: httpx.AsyncClient, url: str, access_token: str, gid: str, after: str | None
) -> Order:
    """The order with one page of its line items, those after the cursor `after`."""
    request = client.build_request(
        "POST",
        url,
        json={"query": ORDER_QUERY, "variables": {"id": gid, "first": PAGE_SIZE, "after": after}},
        headers={"X-Shopify-Access-Token": access_token},
    )
    response = await answer_to(client, request, SHOPIFY, f"order {gid}")
    return order_of(resource_of(OrderAnswer, response, SHOPIFY, f"order {gid}"), gid)


def graphql_url(base_url: str, api_version: str) -> str:
    return f"{base_url.rstrip('/')}/admin/api/{api_version}/graphql.json"


def order_gid(order_gid_or_id: str) -> str:
    """A webhook's numeric order id as the GraphQL global id; a global id as it is."""
    value = order_gid_or_id.strip()
    return f"gid://shopify/Order/{value}" if value.isdigit() else value


def legacy_id(gid: str) -> str:
    """The numeric id webhooks use: the last part of gid://shopify/<Type>/<id>."""
    return gid.rsplit("/", 1)[-1]


def order_of(answer: OrderAnswer, gid: str) -> Order:
    if answer.errors:
        raise graphql_failure(answer)
    if answer.data is None or answer.data.order is None:
        reason = f"no order {gid}: unknown, or older than 60 days without read_all_orders"
        raise Refused(SHOPIFY, reason)
    return answer.data.order


def graphql_failure(answer: OrderAnswer) -> Refused | Unavailable:
    codes = {error.extensions.code for error in answer.errors if error.extensions}
    messages = "; ".join(error.message for error in answer.errors)
    if codes & TRANSIENT_CODES:
        return Unavailable(SHOPIFY, messages, retry_after=refill_seconds(answer))
    named = ", ".join(sorted(code for code in codes if code)) or "GraphQL errors"
    return Refused(SHOPIFY, f"{named}: {messages}")


def refill_seconds(answer: OrderAnswer) -> float | None:
    """How long the bucket takes to hold the query's cost again, when Shopify says."""
    cost = answer.extensions.cost if answer.extensions else None
    if cost is None or cost.throttle_status.restore_rate <= 0:
        return None
    missing = cost.requested_query_cost - cost.throttle_status.currently_available
    return max(missing, 0) / cost.throttle_status.restore_rate


def shopify_order_of(order: Order, line_items: list[LineItem]) -> ShopifyOrder:
    customer_gid = order.customer.id if order.customer else order.id
    return ShopifyOrder(
        market=market_of(order),
        currency=currency_of(order),
        buyer_ref=legacy_id(customer_gid),
        items={int(legacy_id(line.id)): item_of(line) for line in line_items},
        buyer=buyer_of(order),
    )


def buyer_of(order: Order) -> BuyerContact | None:
    """Who to reach about the return, and where the goods went; None when Shopify says nothing."""
    ship_to = order.shipping_address or MailingAddress()
    contact = BuyerContact(
        name=filled(ship_to.name),
        email=email_of(order),
        phone=phone_of(order, ship_to),
        address=address_of(ship_to),
    )
    return contact if contact != BuyerContact() else None


def email_of(order: Order) -> str | None:
    """The email given with the order, else the customer's default one."""
    customer_email = order.customer.default_email_address if order.customer else None
    return filled(order.email) or filled(customer_email.email_address if customer_email else None)


def phone_of(order: Order, ship_to: MailingAddress) -> str | None:
    """The phone given with the order, else the customer's default one, else the ship-to one."""
    customer_phone = order.customer.default_phone_number if order.customer else None
    return (
        filled(order.phone)
        or filled(customer_phone.phone_number if customer_phone else None)
        or filled(ship_to.phone)
    )


def address_of(ship_to: MailingAddress) -> Address | None:
    """The ship-to address when it names a street, a city and a country; else None.

    The postcode may be missing (not every address has one): it is then "".
    """
    line1, city, country = (
        filled(ship_to.address1),
        filled(ship_to.city),
        filled(ship_to.country_code_v2),
    )
    if not (line1 and city and country):
        return None
    return Address(
        line1=line1,
        line2=filled(ship_to.address2),
        city=city,
        region=filled(ship_to.province_code) or filled(ship_to.province),
        postal_code=filled(ship_to.zip) or "",
        country=country,
    )


def filled(text: str | None) -> str | None:
    """The text without surrounding blanks; None for a blank one."""
    return (text.strip() or None) if text else None


def market_of(order: Order) -> Market:
    addresses = (order.shipping_address, order.billing_address)
    country = next((a.country_code_v2 for a in addresses if a and a.country_code_v2), None)
    if country is None:
        raise Refused(SHOPIFY, f"order {order.id} has no address with a country")
    try:
        return Market(MARKET_ALIASES.get(country, country))
    except ValueError as error:
        reason = f"order {order.id} ships to {country}, a market intake does not serve"
        raise Refused(SHOPIFY, reason) from error


def currency_of(order: Order) -> Currency:
    try:
        return Currency(order.presentment_currency_code)
    except ValueError as error:
        reason = f"order {order.id} is in {order.presentment_currency_code}, not a currency served"
        raise Refused(SHOPIFY, reason) from error


def item_of(line: LineItem) -> Item:
    # A line without sku (a custom item, a variant without one) is known by its variant.
    sku = line.sku or (line.variant.id if line.variant else line.id)
    return Item(
        sku=sku,
        title=line.name,
        quantity=line.quantity,
        unit_price=line.discounted_unit_price_after_all_discounts_set.presentment_money.amount,
    )
