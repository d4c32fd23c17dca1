"""Shopify Admin GraphQL API: the variants a buyer may take in exchange for a returned line.

Two reads (https://shopify.dev/docs/api/admin-graphql/latest/queries/order and
.../queries/product): the order's line items, each with its `variant { id product { id } }`,
to find the returned line's product; then that product's `variants`, each with `id`, `sku`,
`title`, `selectedOptions { name value }`, `availableForSale`, `inventoryQuantity` and
`contextualPricing(context: {country})`: its price in the buyer's country, so in the
currency they paid in (https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant).
A variant is offered when for sale and, where the shop tracks it, in stock. Each page costs
well under the 1,000-point ceiling of one query. The app needs read_products (and
read_inventory for `inventoryQuantity`) beside read_orders.
"""

from services.intake.channels.shopify.admin_api import Money
from services.intake.channels.shopify.graphql import GraphQLModel, ShopifyAdmin, ask, gid
from services.intake.domain.exchange_variants import Variant
from services.intake.domain.opening import to_minor_units
from shared.markets import Currency
from shared.outbound import Refused

LINES_PAGE = 100
VARIANTS_PAGE = 100

LINES_QUERY = """
query ReturnedLineProduct($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    presentmentCurrencyCode
    shippingAddress { countryCodeV2 }
    billingAddress { countryCodeV2 }
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id sku variant { id product { id } } }
    }
  }
}
"""

VARIANTS_QUERY = """
query ProductVariants($id: ID!, $first: Int!, $after: String, $country: CountryCode!) {
  product(id: $id) {
    variants(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        sku
        title
        selectedOptions { name value }
        availableForSale
        inventoryQuantity
        contextualPricing(context: { country: $country }) { price { amount currencyCode } }
      }
    }
  }
}
"""


class PageInfo(GraphQLModel):
    has_next_page: bool
    end_cursor: str | None = None


class Node(GraphQLModel):
    id: str


class LineVariant(GraphQLModel):
    id: str
    product: Node


class Line(GraphQLModel):
    id: str
    sku: str | None = None
    variant: LineVariant | None = None


class Lines(GraphQLModel):
    page_info: PageInfo
    nodes: list[Line]


class Country(GraphQLModel):
    country_code_v2: str | None = None


class Order(GraphQLModel):
    presentment_currency_code: str
    shipping_address: Country | None = None
    billing_address: Country | None = None
    line_items: Lines


class OrderData(GraphQLModel):
    order: Order | None = None


class Pricing(GraphQLModel):
    price: Money


class Option(GraphQLModel):
    name: str
    value: str


class ProductVariant(GraphQLModel):
    id: str
    sku: str | None = None
    title: str
    selected_options: list[Option] = []
    available_for_sale: bool
    inventory_quantity: int | None = None
    contextual_pricing: Pricing


class Variants(GraphQLModel):
    page_info: PageInfo
    nodes: list[ProductVariant]


class Product(GraphQLModel):
    variants: Variants


class ProductData(GraphQLModel):
    product: Product | None = None


async def exchange_variants(admin: ShopifyAdmin, order_id: str, sku: str) -> list[Variant]:
    """The variants of the product of the order's line known by `sku` (its sku, else its
    variant's id, as `admin_api.item_of` names it); none when the line has no product."""
    order, product_id = await product_of_line(admin, gid("Order", order_id), sku)
    if product_id is None:
        return []
    country = next(
        (a.country_code_v2 for a in (order.shipping_address, order.billing_address) if a), None
    )
    if not country:
        raise Refused("shopify", f"order {order_id} has no address with a country")
    try:
        currency = Currency(order.presentment_currency_code)
    except ValueError:
        raise Refused("shopify", f"order {order_id} is in an unserved currency") from None
    variants, after = [], None
    while True:
        variables = {"id": product_id, "first": VARIANTS_PAGE, "after": after, "country": country}
        data = await ask(admin, ProductData, VARIANTS_QUERY, variables, f"product {product_id}")
        if data.product is None:
            return []
        page = data.product.variants
        variants += [variant_of(node, currency) for node in page.nodes]
        if not page.page_info.has_next_page:
            return variants
        after = page.page_info.end_cursor


async def product_of_line(admin: ShopifyAdmin, order_id: str, sku: str) -> tuple[Order, str | None]:
    after = None
    while True:
        variables = {"id": order_id, "first": LINES_PAGE, "after": after}
        data = await ask(admin, OrderData, LINES_QUERY, variables, f"order {order_id}")
        if data.order is None:
            raise Refused("shopify", f"no order {order_id}")
        for line in data.order.line_items.nodes:
            if sku in (line.sku, line.id, line.variant.id if line.variant else None):
                return data.order, line.variant.product.id if line.variant else None
        if not data.order.line_items.page_info.has_next_page:
            return data.order, None
        after = data.order.line_items.page_info.end_cursor


def variant_of(node: ProductVariant, currency: Currency) -> Variant:
    options = " / ".join(option.value for option in node.selected_options)
    in_stock = node.inventory_quantity is None or node.inventory_quantity > 0
    price = node.contextual_pricing.price
    if price.currency_code != currency.value:
        raise Refused("shopify", f"variant {node.id} is priced in {price.currency_code}")
    return Variant(
        sku=node.sku or node.id,
        title=options or node.title,
        unit_price_minor=to_minor_units(price.amount, currency),
        available=node.available_for_sale and in_stock,
    )
