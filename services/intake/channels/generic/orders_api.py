"""The generic channel's orders, as the returns portal looks one up: the seller's own API at
GENERIC_REFUND_API_BASE_URL, the one its refunds are paid through (`refund_api.py`; the
emulators serve it locally, `deploy/emulators/refund_api.py`).

    GET /v1/orders?number=<order number>
        200 {"orders": [{"order_id", "number", "email", "customer_id", "currency",
             "shipping_address": {"name", "line1", "city", "region", "postal_code",
             "country"}, "lines": [{"line_id", "sku", "title", "quantity", "unit_price"}]}]}
        the order of that number, if any (an empty list otherwise)
"""

from decimal import Decimal

from pydantic import BaseModel, Field

from services.intake.channels.generic.refund_api import SYSTEM, base_url, reason_of
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.case import Address, BuyerContact
from services.intake.domain.returns_portal import OrderLine, PortalOrder
from shared.markets import MARKET_ALIASES, Currency, Market
from shared.outbound import Refused, answer_to, resource_of

ORDERS_PATH = "/v1/orders"


class WireAddress(BaseModel):
    name: str | None = None
    line1: str
    city: str
    region: str | None = None
    postal_code: str = ""
    country: str


class WireLine(BaseModel):
    line_id: str = Field(min_length=1)
    sku: str = Field(min_length=1)
    title: str = ""
    quantity: int = Field(ge=1)
    unit_price: Decimal = Field(ge=0)


class WireOrder(BaseModel):
    order_id: str = Field(min_length=1)
    number: str
    email: str | None = None
    customer_id: str | None = None
    currency: Currency
    shipping_address: WireAddress
    lines: list[WireLine]


class OrderList(BaseModel):
    orders: list[WireOrder]


async def find_order_numbered(apis: MarketplaceApis, number: str) -> PortalOrder | None:
    """The seller's order of that number exactly; None when there is none."""
    what = f"order {number}"
    request = apis.http.build_request(
        "GET", f"{base_url(apis)}{ORDERS_PATH}", params={"number": number}
    )
    response = await answer_to(apis.http, request, SYSTEM, what, reason_of=reason_of)
    found = [o for o in resource_of(OrderList, response, SYSTEM, what).orders if o.number == number]
    return portal_order_of(found[0]) if len(found) == 1 else None


def portal_order_of(order: WireOrder) -> PortalOrder:
    ship_to = order.shipping_address
    try:
        market = Market(MARKET_ALIASES.get(ship_to.country, ship_to.country))
    except ValueError as error:
        raise Refused(SYSTEM, f"order {order.order_id} ships to {ship_to.country}") from error
    address = Address(
        line1=ship_to.line1,
        city=ship_to.city,
        region=ship_to.region,
        postal_code=ship_to.postal_code,
        country=ship_to.country,
    )
    return PortalOrder(
        order_id=order.order_id,
        name=order.number,
        market=market,
        currency=order.currency,
        buyer_ref=order.customer_id or order.order_id,
        buyer=BuyerContact(name=ship_to.name, email=order.email, address=address),
        lines=tuple(
            OrderLine(line.line_id, line.sku, line.title, line.quantity, line.unit_price)
            for line in order.lines
        ),
    )
