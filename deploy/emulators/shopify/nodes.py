"""The emulated shop's objects as the Admin GraphQL API answers them: one dict per object,
keyed by Shopify's field names. A field that takes arguments (a page of line items, a
refund's order) is a function of the resolve info and those arguments, called only when
the query asks for it. `root` holds the queries and mutations of one request.
"""

import base64
import html
from datetime import datetime
from decimal import Decimal
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, get_directive_values

from deploy.emulators.shopify.catalogue import (
    BOX_MM,
    SHOP_LOCALES,
    SHOPIFY_CATEGORY,
    SHOPIFY_PRODUCT_TYPE,
    listed,
    listed_products,
    translated_description_html,
    translated_option_value,
    translated_title,
)
from deploy.emulators.shopify.orders import (
    CURRENCY_OF_COUNTRY,
    GATEWAY,
    EmulatedOrder,
    EmulatedVariant,
    OrderLine,
    Product,
    number,
    product_by_id,
    variants_of,
)
from deploy.emulators.shopify.schema import SCHEMA
from deploy.emulators.shopify.shops import (
    DeclinePayload,
    EmulatedGiftCard,
    EmulatedRefund,
    EmulatedReturn,
    Shop,
    Shops,
    numeric_id,
)

Node = dict[str, Any]
# Shopify refuses a page of more than 250 (https://shopify.dev/docs/api/usage/pagination-graphql).
MAX_PAGE = 250


def resolve_field(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    """A dict's value for the field; a function there is called with the info and arguments."""
    value = source.get(info.field_name) if isinstance(source, dict) else None
    return value(info, **arguments) if callable(value) else value


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def money(amount: Decimal, currency: str) -> Node:
    bag = {"amount": str(amount), "currencyCode": currency}
    return {"shopMoney": bag, "presentmentMoney": bag}


def cursor_of(index: int) -> str:
    return base64.b64encode(f'{{"last_index":{index}}}'.encode()).decode()


def index_after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().split(":")[1].rstrip("}")) + 1
    except (ValueError, IndexError) as error:
        raise GraphQLError(f"Invalid cursor {cursor!r}") from error


def connection(items: list[Node], first: int | None = None, after: str | None = None) -> Node:
    if first is not None and not 0 <= first <= MAX_PAGE:
        raise GraphQLError(f"The first argument must be between 0 and {MAX_PAGE}.")
    start = index_after(after)
    end = len(items) if first is None else min(len(items), start + first)
    page = list(enumerate(items))[start:end]
    return {
        "edges": [{"cursor": cursor_of(index), "node": item} for index, item in page],
        "nodes": [item for _, item in page],
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": cursor_of(page[0][0]) if page else None,
            "endCursor": cursor_of(page[-1][0]) if page else None,
        },
    }


class ShopNodes:
    """One request's view of one shop."""

    def __init__(self, shops: Shops, domain: str) -> None:
        self.shops = shops
        self.shop: Shop = shops.shop(domain)
        self.domain = domain

    def root(self) -> Node:
        return {
            "order": lambda info, id: self.order_by_id(id),
            "product": lambda info, id: self.product_by_id(id),
            "products": lambda info, first=None, after=None, query=None: connection(
                [product_node(product) for product, _ in listed_products()], first, after
            ),
            "orders": lambda info, first=None, after=None, query=None: connection(
                [self.order_node(order) for order in self.shop.orders_named(query)], first, after
            ),
            "return": lambda info, id: self.return_by_id(id),
            "refund": lambda info, id: self.refund_by_id(id),
            "shop": lambda info: self.shop_node(),
            "shopLocales": lambda info, published=None: [
                {"locale": code, "name": code, "primary": code == "en", "published": True}
                for code in SHOP_LOCALES
                if published in (None, True)
            ],
            "translatableResourcesByIds": lambda info, resourceIds, first=None, after=None: (
                connection(
                    [
                        translatable(one)
                        for one in resourceIds
                        if product_of_id(one) or option_value_of_id(one)
                    ],
                    first,
                    after,
                )
            ),
            "giftCards": lambda info, first=None, query=None: connection(
                [self.gift_card_node(c) for c in self.shops.find_gift_cards(self.domain, query)],
                first,
            ),
            "refundCreate": self.refund_create,
            "giftCardCreate": self.gift_card_create,
            "returnApproveRequest": lambda info, input: self.moved(input["id"], "approve"),
            "returnDeclineRequest": lambda info, input: self.moved(
                input["id"],
                "decline",
                DeclinePayload(
                    reason=input["declineReason"].lower(), note=input.get("declineNote")
                ),
            ),
            "returnCancel": lambda info, id, notifyCustomer=None: self.moved(id, "cancel"),
            "returnClose": lambda info, id: self.moved(id, "close"),
        }

    # Queries

    def shop_node(self) -> Node:
        words = self.domain.removesuffix(".myshopify.com").replace("-", " ").split()
        return {
            "id": f"gid://shopify/Shop/{number('shop', self.domain, digits=9)}",
            "name": " ".join(word.capitalize() for word in words) or self.domain,
            "email": f"owner@{self.domain}",
            "myshopifyDomain": self.domain,
            "currencyCode": "USD",
        }

    def order_by_id(self, global_id: str) -> Node | None:
        order_id = numeric_id(global_id, "Order")
        return None if order_id is None else self.order_node(self.shop.order(order_id))

    def product_by_id(self, global_id: str) -> Node | None:
        product_id = numeric_id(global_id, "Product")
        found = product_by_id(product_id) if product_id is not None else None
        return product_node(found) if found else None

    def return_by_id(self, global_id: str) -> Node | None:
        return_id = numeric_id(global_id, "Return")
        found = self.shop.returns.get(return_id) if return_id is not None else None
        return self.return_node(found) if found else None

    def refund_by_id(self, global_id: str) -> Node | None:
        refund_id = numeric_id(global_id, "Refund")
        found = self.shop.refunds.get(refund_id) if refund_id is not None else None
        return self.refund_node(found) if found else None

    def order_node(self, order: EmulatedOrder) -> Node:
        buyer = order.buyer
        first_name, _, last_name = buyer.name.partition(" ")
        address = {
            "name": buyer.name,
            "firstName": first_name,
            "lastName": last_name or None,
            "address1": buyer.line1,
            "address2": None,
            "city": buyer.city,
            "province": buyer.region,
            "provinceCode": buyer.region,
            "zip": buyer.postal_code,
            "country": buyer.country,
            "countryCodeV2": buyer.country,
            "phone": None,
        }
        lines = [self.line_node(order, line) for line in order.lines]
        return {
            "id": f"gid://shopify/Order/{order.order_id}",
            "legacyResourceId": str(order.order_id),
            "name": order.name,
            "createdAt": iso(self.shops.now()),
            "email": buyer.email,
            "phone": None,
            "currencyCode": order.currency,
            "presentmentCurrencyCode": order.currency,
            "customer": {
                "id": f"gid://shopify/Customer/{order.customer_id}",
                "firstName": first_name,
                "lastName": last_name or None,
                "displayName": buyer.name,
                "defaultEmailAddress": {"emailAddress": buyer.email},
                "defaultPhoneNumber": None,
            },
            "shippingAddress": address,
            "billingAddress": address,
            "totalPriceSet": money(order.total, order.currency),
            "lineItems": lambda info, first=None, after=None, last=None, before=None: connection(
                lines, first, after
            ),
            "transactions": lambda info, first=None: self.transactions(order)[:first],
            "refunds": lambda info, first=None: [
                self.refund_node(refund) for refund in self.shop.refunds_of(order.order_id)
            ][:first],
            "returns": lambda info, first=None, after=None: connection(
                [
                    self.return_node(found)
                    for found in self.shop.returns.values()
                    if found.order_id == order.order_id
                ],
                first,
                after,
            ),
            "fulfillments": lambda info, first=None: [self.fulfillment_node(order)][:first],
        }

    def fulfillment_node(self, order: EmulatedOrder) -> Node:
        """The order shipped in one parcel, tracked (the seller's fulfillment)."""
        tracking = f"1Z{number('tracking', order.order_id, digits=16)}"
        info = {
            "company": "UPS",
            "number": tracking,
            "url": f"https://www.ups.com/track?tracknum={tracking}",
        }
        return {
            "id": f"gid://shopify/Fulfillment/{number('fulfillment id', order.order_id)}",
            "status": "SUCCESS",
            "createdAt": iso(self.shops.now()),
            "trackingInfo": lambda info_, first=None: [info][:first],
        }

    def line_node(self, order: EmulatedOrder, line: OrderLine) -> Node:
        price = money(line.product.price, order.currency)
        return {
            "id": f"gid://shopify/LineItem/{line.line_item_id}",
            "name": line.product.title,
            "title": line.product.title,
            "sku": line.product.sku,
            "quantity": line.quantity,
            "variant": variant_node(line.product, variants_of(line.product)[0]),
            "originalUnitPriceSet": price,
            "discountedUnitPriceAfterAllDiscountsSet": price,
        }

    def transactions(self, order: EmulatedOrder) -> list[Node]:
        sale = {
            "id": f"gid://shopify/OrderTransaction/{order.payment_id}",
            "kind": "SALE",
            "status": "SUCCESS",
            "gateway": GATEWAY,
            "test": True,
            "createdAt": iso(self.shops.now()),
            "amountSet": money(order.total, order.currency),
            "parentTransaction": None,
        }
        return [sale] + [
            self.refund_transaction(refund, sale) for refund in self.shop.refunds_of(order.order_id)
        ]

    def refund_transaction(self, refund: EmulatedRefund, sale: Node) -> Node:
        transaction_id = number("refund transaction", refund.refund_id)
        return {
            "id": f"gid://shopify/OrderTransaction/{transaction_id}",
            "kind": "REFUND",
            "status": "SUCCESS",
            "gateway": GATEWAY,
            "test": True,
            "createdAt": iso(refund.created_at),
            "amountSet": money(refund.amount, refund.currency),
            "parentTransaction": sale,
        }

    def return_node(self, found: EmulatedReturn) -> Node:
        order = self.shop.order(found.order_id)
        by_id = {line.line_item_id: line for line in order.lines}
        lines = [
            {
                "__typename": "ReturnLineItem",
                "id": f"gid://shopify/ReturnLineItem/{line.line_id}",
                "quantity": line.quantity,
                "customerNote": line.customer_note,
                "returnReason": line.reason,
                "returnReasonNote": line.reason_note,
                "refundableQuantity": line.quantity,
                "refundedQuantity": 0,
                "fulfillmentLineItem": {
                    "id": f"gid://shopify/FulfillmentLineItem/{line.fulfillment_line_item_id}",
                    "quantity": by_id[line.line_item_id].quantity,
                    "lineItem": self.line_node(order, by_id[line.line_item_id]),
                },
            }
            for line in found.lines
        ]
        decline = found.decline
        return {
            "id": f"gid://shopify/Return/{found.return_id}",
            "name": found.name,
            "status": found.status,
            "createdAt": iso(found.created_at),
            "requestApprovedAt": iso(found.request_approved_at),
            "closedAt": iso(found.closed_at),
            "totalQuantity": sum(line.quantity for line in found.lines),
            "decline": (
                {"reason": decline.reason.upper(), "note": decline.note} if decline else None
            ),
            "order": lambda info: self.order_node(order),
            "returnLineItems": lambda info, first=None, after=None: connection(lines, first, after),
            "refunds": lambda info, first=None: connection([], first),
        }

    def refund_node(self, refund: EmulatedRefund) -> Node:
        return {
            "id": f"gid://shopify/Refund/{refund.refund_id}",
            "legacyResourceId": str(refund.refund_id),
            "note": refund.note,
            "createdAt": iso(refund.created_at),
            "order": lambda info: self.order_node(self.shop.order(refund.order_id)),
            "return": None,
            "totalRefundedSet": money(refund.amount, refund.currency),
            "transactions": lambda info, first=None: connection(
                [self.refund_transaction(refund, {"id": refund.parent_id})], first
            ),
        }

    def gift_card_node(self, card: EmulatedGiftCard) -> Node:
        return {
            "id": f"gid://shopify/GiftCard/{card.card_id}",
            "maskedCode": f"•••• •••• •••• {card.code[-4:].lower()}",
            "lastCharacters": card.code[-4:].lower(),
            "note": card.note,
            "enabled": True,
            "createdAt": iso(card.created_at),
            "expiresOn": card.expires_on,
            "initialValue": {"amount": str(card.amount), "currencyCode": card.currency},
            "balance": {"amount": str(card.amount), "currencyCode": card.currency},
            "customer": None,
        }

    # Mutations

    def gift_card_create(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> Node:
        card, errors = self.shops.create_gift_card(self.domain, input)
        return {
            "giftCard": self.gift_card_node(card) if card else None,
            "giftCardCode": card.code if card else None,
            "userErrors": errors,
        }

    def refund_create(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> Node:
        key = idempotency_key(info)
        refund, errors = self.shops.refund(self.domain, input, key)
        return {
            "refund": self.refund_node(refund) if refund else None,
            "order": self.order_by_id(input["orderId"]) if refund else None,
            "userErrors": errors,
        }

    def moved(self, global_id: str, action: str, decline: DeclinePayload | None = None) -> Node:
        return_id = numeric_id(global_id, "Return")
        if return_id is None:
            found, errors = None, [{"field": ["id"], "message": "Invalid id", "code": "INVALID"}]
        else:
            found, errors = self.shops.move(self.domain, return_id, action, decline)
        return {"return": self.return_node(found) if found else None, "userErrors": errors}


IdempotentDirective = SCHEMA.get_directive("idempotent")


def idempotency_key(info: GraphQLResolveInfo) -> str:
    """The `@idempotent(key:)` of the mutation field: required since 2026-04."""
    values = get_directive_values(IdempotentDirective, info.field_nodes[0], info.variable_values)
    if not values or not values.get("key"):
        raise GraphQLError(
            f"{info.field_name} requires the @idempotent directive with a key "
            "(https://shopify.dev/docs/api/usage/idempotent-requests).",
            extensions={"code": "BAD_REQUEST"},
        )
    return values["key"]


def product_of_id(global_id: str) -> Product | None:
    return next(
        (p for p, _ in listed_products() if f"gid://shopify/Product/{p.product_id}" == global_id),
        None,
    )


def option_value_id(product: Product, value: str) -> str:
    return f"gid://shopify/ProductOptionValue/{number('option value', product.sku, value)}"


def option_value_of_id(global_id: str) -> str | None:
    """The option value (its name) a ProductOptionValue id names; None: none."""
    return next(
        (
            variant.value
            for product, listed_variants in listed_products()
            for variant in (one.variant for one in listed_variants)
            if option_value_id(product, variant.value) == global_id
        ),
        None,
    )


def translatable(global_id: str) -> Node:
    """A resource's published translations: a product's title (key `title`) and
    description (key `body_html`), or an option value's name (key `name`), where the seller
    translated them."""
    product = product_of_id(global_id)
    value = None if product else option_value_of_id(global_id)

    def translations(info: GraphQLResolveInfo, locale: str, outdated: bool | None = None) -> list:
        if product is not None:
            said = {
                "title": translated_title(product, locale),
                "body_html": translated_description_html(product, locale),
            }
        else:
            said = {"name": translated_option_value(value or "", locale)}
        if outdated:
            return []
        return [
            {"key": key, "value": words, "locale": locale, "outdated": False}
            for key, words in said.items()
            if words is not None
        ]

    return {"resourceId": global_id, "translations": translations}


def options_of(product: Product) -> list[Node]:
    """The product's one option (Size or Color) with its values, as `Product.options`."""
    variants = variants_of(product)
    return [
        {
            "id": f"gid://shopify/ProductOption/{number('option', product.sku)}",
            "name": variants[0].option,
            "position": 1,
            "optionValues": [
                {"id": option_value_id(product, v.value), "name": v.value, "hasVariants": True}
                for v in variants
            ],
        }
    ]


def description_html(product: Product) -> str:
    """The product's description as the seller wrote it, in the shop's language (English),
    its box in inches and centimetres."""
    length, width, height = BOX_MM[product.category or "electronics"]
    return (
        f"<p><strong>{html.escape(product.title)}</strong>: easy to set up in minutes.</p>"
        f"<ul><li>Box: {length / 25.4:.1f} x {width / 25.4:.1f} x {height / 25.4:.1f} in"
        f" ({length / 10:g} x {width / 10:g} x {height / 10:g} cm)</li></ul>"
    )


def product_node(product: Product) -> Node:
    variants = [variant_node(product, variant) for variant in variants_of(product)]
    category = product.category or "electronics"
    full_name = SHOPIFY_CATEGORY[category]
    return {
        "id": f"gid://shopify/Product/{product.product_id}",
        "title": product.title,
        "productType": SHOPIFY_PRODUCT_TYPE[category],
        "descriptionHtml": description_html(product),
        "category": {
            "id": f"gid://shopify/TaxonomyCategory/{number('category', full_name, digits=4)}",
            "name": full_name.rsplit(" > ", 1)[-1],
            "fullName": full_name,
        },
        "options": lambda info, first=None: options_of(product)[:first],
        "variants": lambda info, first=None, after=None: connection(variants, first, after),
    }


def variant_node(product: Product, variant: EmulatedVariant) -> Node:
    """A variant, its price the same figure in every market's currency (its contextual
    price names the currency of the country asked)."""

    def priced(info: GraphQLResolveInfo, context: dict[str, Any]) -> Node:
        currency = CURRENCY_OF_COUNTRY.get(context.get("country") or "", "USD")
        return {"price": {"amount": str(variant.price), "currencyCode": currency}}

    return {
        "id": f"gid://shopify/ProductVariant/{variant.variant_id}",
        "sku": variant.sku,
        "title": variant.value,
        "displayName": f"{product.title} - {variant.value}",
        "price": str(variant.price),
        "availableForSale": variant.inventory > 0,
        "inventoryQuantity": variant.inventory,
        "selectedOptions": [{"name": variant.option, "value": variant.value}],
        "contextualPricing": priced,
        "inventoryItem": lambda info: inventory_item_node(product, variant),
        "product": lambda info: product_node(product),
    }


def inventory_item_node(product: Product, variant: EmulatedVariant) -> Node:
    one = listed(product, variant)
    return {
        "id": f"gid://shopify/InventoryItem/{number('inventory item', variant.sku)}",
        "sku": variant.sku,
        "harmonizedSystemCode": one.hs_code,
        "countryCodeOfOrigin": one.origin,
        "measurement": {
            "id": f"gid://shopify/InventoryItemMeasurement/{number('measure', variant.sku)}",
            "weight": {"unit": "GRAMS", "value": float(one.weight_g)},
        },
    }
