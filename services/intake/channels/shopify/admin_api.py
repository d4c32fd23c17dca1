"""Shopify Admin GraphQL API: the order a returns/request names, as a `ShopifyOrder`; and
the shop's name, the cheapest call an access token must pass (`shop { name }`,
https://shopify.dev/docs/api/admin-graphql/latest/queries/shop), which checks an account.

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

The call and what its answers mean: `graphql.py`. Line items come 100 a page, a page cost
well under the 1,000-point ceiling of one query. Returns and refunds: `returns_api.py`,
`refunds_api.py`. The app needs the read_orders scope, read_all_orders for orders older
than 60 days, and access to protected customer data: level 1 for the customer id, level 2
for the name, email, phone and address fields (https://shopify.dev/docs/apps/launch/protected-customer-data).
"""

from decimal import Decimal

import httpx

from services.intake.channels.shopify.graphql import (
    API_VERSION,
    SHOPIFY,
    GraphQLModel,
    ShopifyAdmin,
    ask,
    gid,
    legacy_id,
)
from services.intake.channels.shopify.webhook import ShopifyOrder
from services.intake.domain.case import Address, BuyerContact, Item
from shared.markets import MARKET_ALIASES, Currency, Market
from shared.outbound import Refused

__all__ = [
    "API_VERSION",
    "ORDER_QUERY",
    "PAGE_SIZE",
    "find_order_named",
    "read_order",
    "read_shop_name",
]

PAGE_SIZE = 100

# What intake reads of an order, asked by its id or found by its name.
ORDER_FIELDS = """
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
"""

ORDER_QUERY = (
    """
query ReturnedOrder($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {"""
    + ORDER_FIELDS
    + """  }
}
"""
)

# The returns portal finds the order a buyer names by its name ("#1001"), searched as
# https://shopify.dev/docs/api/admin-graphql/latest/queries/orders and
# https://shopify.dev/docs/api/usage/search-syntax say, read whole in the same call (a name
# no order has and an order that is not the buyer's cost the portal the same one call).
ORDERS_NAMED_QUERY = (
    """
query OrdersNamed($query: String!, $first: Int!, $after: String) {
  orders(first: 2, query: $query) {
    nodes {
    name"""
    + ORDER_FIELDS
    + """    }
  }
}
"""
)
NAMED_PAGE_SIZE = 50  # lines of each order found: two orders' cost stays under 1,000 points

SHOP_QUERY = """
query ShopName {
  shop { name }
}
"""


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


class NamedOrder(Order):
    name: str


class NamedOrders(GraphQLModel):
    nodes: list[NamedOrder]


class OrdersData(GraphQLModel):
    orders: NamedOrders


class Shop(GraphQLModel):
    name: str


class ShopData(GraphQLModel):
    shop: Shop


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
    admin = ShopifyAdmin(client, shop_domain, access_token, base_url, api_version)
    return await read_shop_order(admin, order_gid_or_id)


async def read_shop_order(admin: ShopifyAdmin, order_gid_or_id: str) -> ShopifyOrder:
    order_id = gid("Order", order_gid_or_id)
    page = await order_page(admin, order_id, after=None)
    line_items = list(page.line_items.nodes)
    while page.line_items.page_info.has_next_page:
        page = await order_page(admin, order_id, page.line_items.page_info.end_cursor)
        line_items.extend(page.line_items.nodes)
    return shopify_order_of(page, line_items)


async def order_page(admin: ShopifyAdmin, order_id: str, after: str | None) -> Order:
    """The order with one page of its line items, those after the cursor `after`."""
    variables = {"id": order_id, "first": PAGE_SIZE, "after": after}
    data = await ask(admin, OrderData, ORDER_QUERY, variables, f"order {order_id}")
    if data.order is None:
        reason = f"no order {order_id}: unknown, or older than 60 days without read_all_orders"
        raise Refused(SHOPIFY, reason)
    return data.order


async def find_order_named(admin: ShopifyAdmin, name: str) -> tuple[str, ShopifyOrder] | None:
    """The order of that name exactly (its id and what it holds); None when the shop has no
    such order. Shopify's search is not exact (it matches words), so the name is compared."""
    query = 'name:"{}"'.format(name.replace("\\", "").replace('"', ""))
    variables = {"query": query, "first": NAMED_PAGE_SIZE, "after": None}
    data = await ask(admin, OrdersData, ORDERS_NAMED_QUERY, variables, f"order {name}")
    found = [order for order in data.orders.nodes if order.name.casefold() == name.casefold()]
    if len(found) != 1:
        return None
    page = found[0]
    line_items = list(page.line_items.nodes)
    while page.line_items.page_info.has_next_page:
        page = await order_page(admin, found[0].id, page.line_items.page_info.end_cursor)
        line_items.extend(page.line_items.nodes)
    return found[0].id, shopify_order_of(found[0], line_items)


async def read_shop_name(admin: ShopifyAdmin) -> str:
    """The cheapest call the app's token must pass: the shop's name (onboarding's check)."""
    return (await ask(admin, ShopData, SHOP_QUERY, {}, f"shop {admin.shop_domain}")).shop.name


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
