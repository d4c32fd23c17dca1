"""The emulated shops' orders: any order id is an order, the same every time.

An order's line items, SKUs, prices, currency, shipping country and customer come from a
hash of its id, drawn from the demo catalogue (the items and buyers of
deploy/sample_cases.json). A return the emulator was told about (`shops.py`) adds its
returned line items to its order, so that a real-format returns/request names lines its
order has. `return_request` writes such a returns/request body for an emulated order, as
Shopify would send it (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-returns/request).
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from deploy.emulators.buyers import SAMPLE_CASES, Buyer, buyers_by_country

# The countries the demo ships to, with the currency a buyer there pays in.
CURRENCY_OF_COUNTRY = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR"}
GATEWAY = "shopify_payments"


@dataclass(frozen=True)
class Product:
    sku: str
    title: str
    price: Decimal
    category: str = ""

    @property
    def product_id(self) -> int:
        return number("product id", self.sku)


@dataclass(frozen=True)
class EmulatedVariant:
    """One variant of a product: the one sold in orders is the product's own SKU."""

    variant_id: int
    sku: str
    option: str  # "Size" or "Color"
    value: str
    price: Decimal
    inventory: int


# Each product's variants beside the one orders sell: (value, SKU suffix, price change,
# stock). One cheaper, one dearer, one dearer than an exchange's usual cap settles, one sold
# out: the buyer's page has every case to show.
SIZES = ("Size", "M", [("S", -2), ("L", 5), ("XL", 30), ("XS", 0)])
COLORS = ("Color", "Black", [("White", 0), ("Blue", 4), ("Gold edition", 35), ("Red", -1)])
SOLD_OUT = {"XS", "Red"}


@dataclass(frozen=True)
class OrderLine:
    line_item_id: int
    fulfillment_line_item_id: int
    variant_id: int
    product: Product
    quantity: int


@dataclass(frozen=True)
class EmulatedOrder:
    order_id: int
    name: str
    currency: str
    buyer: Buyer
    customer_id: int
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.product.price * line.quantity for line in self.lines), Decimal(0))

    @property
    def payment_id(self) -> int:
        """The order's one payment, a successful SALE of its total."""
        return number("sale", self.order_id)


@cache
def catalogue() -> tuple[tuple[Product, ...], dict[str, tuple[Buyer, ...]]]:
    """The demo's products (one per SKU) and buyers (by country)."""
    cases = json.loads(SAMPLE_CASES.read_text(encoding="utf-8"))
    products = {
        item["sku"]: Product(
            item["sku"], item["title"], Decimal(item["price"]), item.get("category") or ""
        )
        for case in cases
        for item in case["items"]
    }
    buyers = {
        country: found
        for country, found in buyers_by_country().items()
        if country in CURRENCY_OF_COUNTRY
    }
    ordered = tuple(products[sku] for sku in sorted(products))
    return ordered, {country: tuple(found) for country, found in sorted(buyers.items())}


def number(*parts: object, digits: int = 12) -> int:
    """A stable number of `digits` digits (no leading zero) for `parts`."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    low = 10 ** (digits - 1)
    return low + int.from_bytes(digest[:8], "big") % (9 * low)


def variants_of(product: Product) -> list[EmulatedVariant]:
    """The product's variants, the one orders sell first."""
    option, sold, others = SIZES if product.category == "apparel" else COLORS
    own = EmulatedVariant(
        number("variant", product.sku), product.sku, option, sold, product.price, 25
    )
    return [own] + [
        EmulatedVariant(
            number("variant", product.sku, value),
            f"{product.sku}-{value.split()[0].upper()}",
            option,
            value,
            max(Decimal(0), product.price + change),
            0 if value in SOLD_OUT else 10,
        )
        for value, change in others
    ]


def product_by_id(product_id: int) -> Product | None:
    products, _ = catalogue()
    return next((p for p in products if p.product_id == product_id), None)


def product_of(*parts: object) -> Product:
    products, _ = catalogue()
    return products[number("product", *parts) % len(products)]


def emulated_order(order_id: int, returned_line_items: tuple[int, ...] = ()) -> EmulatedOrder:
    """Order `order_id` of any shop, with the line items returns named added to it."""
    _, buyers = catalogue()
    country = sorted(buyers)[number("country", order_id) % len(buyers)]
    candidates = buyers[country]
    buyer = candidates[number("buyer", order_id) % len(candidates)]
    lines = [
        order_line(order_id, number("line", order_id, index))
        for index in range(1 + number("lines", order_id) % 3)
    ]
    known = {line.line_item_id for line in lines}
    lines += [order_line(order_id, i) for i in returned_line_items if i not in known]
    return EmulatedOrder(
        order_id=order_id,
        name=f"#{1000 + number('name', order_id) % 9000}",
        currency=CURRENCY_OF_COUNTRY[country],
        buyer=buyer,
        customer_id=number("customer", order_id, digits=13),
        lines=lines,
    )


def recent_order_ids(shop: str, count: int = 30) -> list[int]:
    """The ids of a shop's recent orders: those a search by name finds (any id is an
    order, but only these are listed)."""
    return [number("recent order", shop, index) for index in range(count)]


def order_line(order_id: int, line_item_id: int) -> OrderLine:
    product = product_of(order_id, line_item_id)
    return OrderLine(
        line_item_id=line_item_id,
        fulfillment_line_item_id=number("fulfillment", order_id, line_item_id),
        variant_id=number("variant", product.sku),
        product=product,
        quantity=1 + number("quantity", order_id, line_item_id) % 2,
    )


def return_request(order_id: int, return_id: int, reasons: list[tuple[str, str]]) -> dict:
    """A returns/request body for the emulated order: its first lines returned, one reason
    (a ReturnReason in lower case, as webhooks send it) and buyer note per line. More reasons
    than the order has lines: the order had more lines (the shop adds them once told of it)."""
    order = emulated_order(order_id)
    returned = order.lines + [
        order_line(order_id, number("line", order_id, index))
        for index in range(len(order.lines), len(reasons))
    ]
    lines = [
        {
            "id": number("return line", return_id, index),
            "admin_graphql_api_id": "gid://shopify/ReturnLineItem/"
            f"{number('return line', return_id, index)}",
            "fulfillment_line_item": {
                "id": line.fulfillment_line_item_id,
                "admin_graphql_api_id": "gid://shopify/FulfillmentLineItem/"
                f"{line.fulfillment_line_item_id}",
                "line_item": {
                    "id": line.line_item_id,
                    "admin_graphql_api_id": f"gid://shopify/LineItem/{line.line_item_id}",
                },
            },
            "quantity": 1,
            "return_reason": reason,
            "return_reason_note": note,
            "customer_note": None,
        }
        for index, (line, (reason, note)) in enumerate(zip(returned, reasons, strict=False))
    ]
    return {
        "id": return_id,
        "admin_graphql_api_id": f"gid://shopify/Return/{return_id}",
        "status": "requested",
        "order": {"id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}"},
        "total_return_line_items": len(lines),
        "name": f"{order.name}-R1",
        "return_line_items": lines,
        "return_shipping_fees": [],
        "exchange_line_items": [],
        "total_exchange_line_items": 0,
    }
