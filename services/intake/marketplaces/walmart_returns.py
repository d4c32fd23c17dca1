"""Walmart Returns API: the items of the return orders a RETURN_CREATED event names.

A RETURN_CREATED notification gives a product name and quantity per returned line, but
no sku and no price. `read_return_items` reads each return order with
GET {base_url}/v3/returns?returnOrderId=<id>
(https://developer.walmart.com/us-marketplace/reference/getreturns, guide:
https://developer.walmart.com/us-marketplace/docs/retrieve-return-orders) and maps each
of its `returnOrderLines` to an `Item`: `item.sku`, `item.productName`,
`quantity.measurementValue` and `unitPrice.currencyAmount` (else the per-unit PRODUCT
charge). Walmart US prices are in USD; an answer in another currency is refused.

Headers Walmart requires on every call: `WM_SEC.ACCESS_TOKEN` (the token of the Token
API, valid 15 minutes: a 401 usually means a new one is needed), `WM_QOS.CORRELATION_ID`
(a new GUID per call, to trace it with Walmart) and `WM_SVC.NAME`. Errors: as in `errors`;
a return order absent from the answer is refused.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal
from uuid import uuid4

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.domain.case import Item
from services.intake.marketplaces.errors import MarketplaceRefused, answer_to, resource_of

WALMART = "Walmart"
PRODUCTION = "https://marketplace.walmartapis.com"
SANDBOX = "https://sandbox.walmartapis.com"
SERVICE_NAME = "Walmart Marketplace"
PRODUCT_CHARGE = "PRODUCT"


class WalmartModel(BaseModel):
    """Walmart's JSON is camelCase; unknown fields are ignored, Walmart adds them over time."""

    model_config = ConfigDict(alias_generator=to_camel, frozen=True)


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
    item: ReturnedProduct
    quantity: Quantity
    unit_price: Money | None = None
    charges: list[Charge] = []


class ReturnOrder(WalmartModel):
    return_order_id: str
    return_order_lines: list[ReturnOrderLine] = Field(min_length=1)


class ReturnOrders(WalmartModel):
    return_orders: list[ReturnOrder] = []


async def read_return_items(
    client: httpx.AsyncClient,
    base_url: str,
    access_token: str,
    return_order_ids: Sequence[str],
) -> dict[str, list[Item]]:
    """The items of each return order, by return order id; `base_url` is e.g. `PRODUCTION`."""
    return {
        return_order_id: await return_items(client, base_url, access_token, return_order_id)
        for return_order_id in dict.fromkeys(return_order_ids)
    }


async def return_items(
    client: httpx.AsyncClient, base_url: str, access_token: str, return_order_id: str
) -> list[Item]:
    request = client.build_request(
        "GET",
        f"{base_url.rstrip('/')}/v3/returns",
        params={"returnOrderId": return_order_id},
        headers=walmart_headers(access_token),
    )
    what = f"return order {return_order_id}"
    response = await answer_to(client, request, WALMART, what)
    found = return_order_of(resource_of(ReturnOrders, response, WALMART, what), return_order_id)
    return [item_of(line, return_order_id) for line in found.return_order_lines]


def walmart_headers(access_token: str) -> dict[str, str]:
    return {
        "WM_SEC.ACCESS_TOKEN": access_token,
        "WM_QOS.CORRELATION_ID": str(uuid4()),
        "WM_SVC.NAME": SERVICE_NAME,
        "Accept": "application/json",
    }


def return_order_of(answer: ReturnOrders, return_order_id: str) -> ReturnOrder:
    found = (order for order in answer.return_orders if order.return_order_id == return_order_id)
    order = next(found, None)
    if order is None:
        raise MarketplaceRefused(WALMART, f"no return order {return_order_id} for this seller")
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
        raise MarketplaceRefused(WALMART, f"{where} has no unit price")
    return price.currency_amount
