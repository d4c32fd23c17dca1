"""Walmart Returns API: the return orders a RETURN_CREATED names, and refunds of them.

A RETURN_CREATED notification gives a product name and quantity per returned line, but
no sku, no price and no customer. `read_return_orders` reads each return order with
GET {base_url}/v3/returns?returnOrderId=<id>
(https://developer.walmart.com/us-marketplace/reference/getreturns, guide:
https://developer.walmart.com/us-marketplace/docs/retrieve-return-orders) and maps each
of its `returnOrderLines` to an `Item`: `item.sku`, `item.productName`,
`quantity.measurementValue` and `unitPrice.currencyAmount` (else the per-unit PRODUCT
charge), and keeps each line's own `returnReason`: a code of Walmart's list, or words.
Walmart US prices are in USD; an answer in another currency is refused.

The same answer names the customer of the return order: `customerName` (`firstName`,
`lastName`) and `customerEmailId` (in the reference's sample an address at
relay.walmart.com, not the buyer's own); it carries no phone and no address. They make
the return order's `BuyerContact`. One call per return order.

`issue_refund` refunds whole lines of a return order: POST
{base_url}/v3/returns/{returnOrderId}/refund with `{"customerOrderId", "refundLines":
[{"returnOrderLineNumber"}]}` (https://developer.walmart.com/us-marketplace/docs/issue-a-refund,
reference https://developer.walmart.com/us-marketplace/reference/issuerefund); Walmart
answers the return order id, the customer order id and the lines refunded. The call takes
no idempotency key: a line refunded already shows `refundedQty` equal to its quantity when
the return order is read back, and Walmart refuses to refund it again (400, "Requested
quantity is not available").

Headers and error bodies: `api.py`. The access token comes from the Token API
(`token_api.py`), valid 15 minutes: a 401 usually means a new one is needed. A return order
absent from the answer is refused.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.walmart.api import (
    PRODUCTION,
    SANDBOX,
    SERVICE_NAME,
    WALMART,
    reason_of,
    url,
    walmart_headers,
)
from services.intake.domain.case import BuyerContact, Item
from shared.outbound import Refused, Unavailable, answer_to, resource_of

__all__ = ["PRODUCTION", "SANDBOX", "SERVICE_NAME", "WALMART", "walmart_headers"]

PRODUCT_CHARGE = "PRODUCT"


class WalmartModel(BaseModel):
    """Walmart's JSON is camelCase; unknown fields are ignored, Walmart adds them over time."""

    model_config = ConfigDict(alias_generator=to_camel, frozen=True, populate_by_name=True)


class Money(WalmartModel):
    currency_amount: Decimal = Field(ge=0)
    currency_unit: Literal["USD"]


class Quantity(WalmartModel):
    measurement_value: int = Field(ge=1)  # a float in the answer, e.g. 1.0


class ReturnedProduct(WalmartModel):
    sku: str = Field(min_length=1)
    product_name: str | None = None


class Charge(WalmartModel):
    charge_category: str | None = None
    charge_per_unit: Money | None = None
    is_discount: bool = False


class ReturnOrderLine(WalmartModel):
    return_order_line_number: int | None = None
    purchase_order_id: str | None = None
    purchase_order_line_number: int | None = None
    return_reason: str | None = None
    item: ReturnedProduct
    quantity: Quantity
    unit_price: Money | None = None
    charges: list[Charge] = []
    refunded_qty: Decimal = Decimal(0)  # a float in the answer, e.g. 0.0
    status: str | None = None

    @property
    def refunded(self) -> bool:
        return self.refunded_qty >= self.quantity.measurement_value


class CustomerName(WalmartModel):
    first_name: str | None = None
    last_name: str | None = None


class ReturnOrder(WalmartModel):
    return_order_id: str
    customer_order_id: str | None = None
    customer_email_id: str | None = None
    customer_name: CustomerName | None = None
    return_order_lines: list[ReturnOrderLine] = Field(min_length=1)


class ReturnOrders(WalmartModel):
    return_orders: list[ReturnOrder] = []


class RefundLine(WalmartModel):
    return_order_line_number: int


class IssuedRefund(WalmartModel):
    """Walmart's answer to an issued refund: the return order and the lines refunded."""

    return_order_id: str | None = None
    customer_order_id: str | None = None
    refund_lines: list[RefundLine] = []


@dataclass(frozen=True)
class WalmartReturns:
    """What the Returns API says of some return orders, by return order id, as `walmart.parse`
    takes it: `items` for each, `buyers` for those that name their customer, and, in the
    order of its items, each line's own reason (code or words) and line number."""

    items: dict[str, list[Item]]
    buyers: dict[str, BuyerContact]
    reasons: dict[str, list[str]] = field(default_factory=dict)
    line_numbers: dict[str, list[int]] = field(default_factory=dict)


async def read_return_orders(
    client: httpx.AsyncClient,
    base_url: str,
    access_token: str,
    return_order_ids: Sequence[str],
) -> WalmartReturns:
    """The items and buyer of each return order; `base_url` is e.g. `PRODUCTION`."""
    orders = [
        await return_order(client, base_url, access_token, return_order_id)
        for return_order_id in dict.fromkeys(return_order_ids)
    ]
    return WalmartReturns(
        items={order.return_order_id: items_of(order) for order in orders},
        buyers={
            order.return_order_id: buyer
            for order in orders
            if (buyer := buyer_of(order)) is not None
        },
        reasons={order.return_order_id: reasons_of(order) for order in orders},
        line_numbers={order.return_order_id: line_numbers_of(order) for order in orders},
    )


async def return_order(
    client: httpx.AsyncClient, base_url: str, access_token: str, return_order_id: str
) -> ReturnOrder:
    request = client.build_request(
        "GET",
        url(base_url, "/v3/returns"),
        params={"returnOrderId": return_order_id},
        headers=walmart_headers(access_token),
    )
    what = f"return order {return_order_id}"
    response = await answer_to(client, request, WALMART, what, reason_of=reason_of)
    return return_order_of(resource_of(ReturnOrders, response, WALMART, what), return_order_id)


async def issue_refund(
    client: httpx.AsyncClient,
    base_url: str,
    access_token: str,
    order: ReturnOrder,
    lines: Sequence[ReturnOrderLine],
) -> IssuedRefund:
    """Refund `lines` of the return order in full (Walmart adds their tax)."""
    if not order.customer_order_id:
        raise Refused(WALMART, f"return order {order.return_order_id} names no customer order")
    body = {
        "customerOrderId": order.customer_order_id,
        "refundLines": [{"returnOrderLineNumber": line.return_order_line_number} for line in lines],
    }
    request = client.build_request(
        "POST",
        url(base_url, f"/v3/returns/{order.return_order_id}/refund"),
        json=body,
        headers=walmart_headers(access_token),
    )
    what = f"a refund of return order {order.return_order_id}"
    response = await answer_to(client, request, WALMART, what, reason_of=reason_of)
    # An answer that is not the documented one may follow a refund made: read it back.
    return resource_of(IssuedRefund, response, WALMART, what, unreadable=Unavailable)


def items_of(order: ReturnOrder) -> list[Item]:
    return [item_of(line, order.return_order_id) for line in order.return_order_lines]


def reasons_of(order: ReturnOrder) -> list[str]:
    return [(line.return_reason or "").strip() for line in order.return_order_lines]


def line_numbers_of(order: ReturnOrder) -> list[int]:
    return [
        line.return_order_line_number or position
        for position, line in enumerate(order.return_order_lines, start=1)
    ]


def buyer_of(order: ReturnOrder) -> BuyerContact | None:
    """The customer's name and relay email; None when Walmart names neither."""
    name = order.customer_name or CustomerName()
    parts = [part.strip() for part in (name.first_name, name.last_name) if part and part.strip()]
    full_name = " ".join(parts) or None
    email = (order.customer_email_id or "").strip() or None
    if full_name is None and email is None:
        return None
    return BuyerContact(name=full_name, email=email)


def return_order_of(answer: ReturnOrders, return_order_id: str) -> ReturnOrder:
    found = (order for order in answer.return_orders if order.return_order_id == return_order_id)
    order = next(found, None)
    if order is None:
        raise Refused(WALMART, f"no return order {return_order_id} for this seller")
    return order


def item_of(line: ReturnOrderLine, return_order_id: str) -> Item:
    return Item(
        sku=line.item.sku,
        title=line.item.product_name,
        quantity=line.quantity.measurement_value,
        unit_price=unit_price_of(line, return_order_id),
    )


def unit_price_of(line: ReturnOrderLine, return_order_id: str) -> Decimal:
    if line.unit_price is not None:
        return line.unit_price.currency_amount
    product_charges = (
        charge.charge_per_unit
        for charge in line.charges
        if charge.charge_category == PRODUCT_CHARGE and not charge.is_discount
    )
    price = next((money for money in product_charges if money is not None), None)
    if price is None:
        where = f"line {line.return_order_line_number} of return order {return_order_id}"
        raise Refused(WALMART, f"{where} has no unit price")
    return price.currency_amount
