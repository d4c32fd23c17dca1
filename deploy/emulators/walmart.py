"""Walmart Marketplace (`/walmart`): the Token API and the Returns and Orders calls intake's
Walmart channel makes (`services/intake/channels/walmart/`), for any return order.

Served as Walmart documents them (https://developer.walmart.com/us-marketplace/docs/
get-an-access-token, .../docs/retrieve-return-orders, .../docs/issue-a-refund,
.../docs/get-an-order, .../docs/refund-orders, .../docs/error-codes):

- POST /v3/token: basic auth with a client's ID and secret (the demo and test accounts';
  more, or a rotated secret, with PUT /_emulator/walmart/clients/{client_id}), form body
  `grant_type=client_credentials`: `{"access_token", "token_type": "Bearer", "expires_in":
  900}`; wrong credentials 401, another grant 400;
- GET /v3/token/detail: the token's scopes (`returns`, `orders`... "full_access");
- GET /v3/returns?returnOrderId=: the return order, `{"meta", "returnOrders": [...]}`; an
  id that is not all digits names none (`returnOrders` empty);
- POST /v3/returns/{returnOrderId}/refund, `{"customerOrderId", "refundLines":
  [{"returnOrderLineNumber"}]}`: those lines refunded in full, once (400 "Requested
  quantity is not available" the second time), all or none;
- GET /v3/orders/{purchaseOrderId}: the purchase order, each line with its latest refund;
- POST /v3/orders/{purchaseOrderId}/refund, `{"orderRefund": ...}`: refunds of an amount
  (negative, no more than the line was charged), all lines or none; the order as answer.

Every call but the token's needs `WM_SEC.ACCESS_TOKEN`, a token issued here and neither
expired nor revoked (else 401 with Walmart's `UNAUTHORIZED.GMP_GATEWAY_API` body), and
`WM_QOS.CORRELATION_ID` and `WM_SVC.NAME` (else 400 MISSING_REQUEST_HEADER). Errors are
Walmart's `{"errors": [{"code", "field", "description", "info", "severity", "category",
"causes"}]}`.

The data is derived from a hash of the ids, so an id always names the same thing: a return
order's id picks its purchase order (the demo seller's US listings, prices in USD, the
customer and a US ship-to address) and which of its lines come back, one to three, each
with a reason of its own: one of Walmart's codes, or the customer's own words.

What moved money is kept, and what a test needs to steer:
- GET /_emulator/walmart/refunds: every refund made, in order;
- GET /_emulator/walmart/tokens: every token issued (client, issued, expires, revoked;
  never the token itself); DELETE revokes them all, as a rotated secret would;
- PUT /_emulator/walmart/token-lifetime `{"seconds": N}`: the lifetime of new tokens;
- PUT / DELETE /_emulator/walmart/clients/{client_id} `{"client_secret", "scopes"}`.

`return_created` builds the RETURN_CREATED notification Walmart sends for some of these
return orders (https://developer.walmart.com/us-marketplace/docs/return-notifications), for
`make run` and the tests to sign and post.
"""

import base64
import binascii
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

api = APIRouter(prefix="/walmart", tags=["Walmart Marketplace"])
ledger = APIRouter(prefix="/_emulator/walmart", tags=["Walmart Marketplace (emulator)"])
SETTINGS = {"WALMART_API_BASE_URL": "/walmart"}

TOKEN_SECONDS = 900
# The clients the emulator knows: the demo account's (deploy/channel_accounts.json) and the
# tests' (tests/samples/channel_accounts.json).
CLIENTS = {
    "demo-walmart-client": "demo-walmart-client-secret",
    "wm-test-client": "wm-test-client-secret",
}
FULL_SCOPES = {
    name: "full_access"
    for name in ("returns", "orders", "item", "price", "inventory", "reports", "feeds")
}
USD = "USD"

# The demo seller's US listings (deploy/sample_cases.json): sku, title, price in USD, kind.
CATALOG = (
    (
        "ACT-CAM-4K-PRO",
        "4K Action Camera 60fps with Waterproof Case and Accessory Kit",
        "89.99",
        "E",
    ),
    ("BED-MF-QN-4PC", "Microfiber Bed Sheet Set 4-Piece, Queen, Deep Pocket", "27.99", "H"),
    ("BT-SPK-200-BLK", "Portable Bluetooth Speaker 20W, IPX7 Waterproof, Black", "49.99", "E"),
    (
        "CRT-BLK-5284-GRY",
        "Blackout Curtains 2 Panels, Thermal Insulated, 52x84 inch, Grey",
        "32.99",
        "H",
    ),
    ("DRS-MIDI-FL-BLU", "Women's Floral Wrap Midi Dress, Short Sleeve, Blue", "34.99", "A"),
    ("GAN-CHG-65W-3P", "65W GaN USB-C Fast Charger, 3-Port Foldable Wall Adapter", "35.99", "E"),
    ("KIT-MSC-SS12", "Stainless Steel Mandoline Slicer with 12 Blades", "22.99", "H"),
    ("LED-STP-10M-RGB", "RGB LED Strip Lights 10m with Remote and App Control", "19.99", "E"),
    ("LEG-HW-YOGA-BLK", "Women's High Waisted Yoga Leggings, Black", "24.99", "A"),
    ("LMP-DSK-LED-WCH", "LED Desk Lamp with Wireless Charger, Touch Dimmer", "39.99", "H"),
    ("RBV-LDR-X5", "Robot Vacuum Cleaner with LiDAR Navigation, 3000Pa Suction", "249.99", "E"),
    ("SMP-WIFI-4PK", "Smart Plug Wi-Fi 4-Pack, Works with Alexa and Google Home", "24.99", "E"),
    ("SNK-RUN-M-WHT", "Men's Lightweight Running Sneakers, Breathable Mesh, White", "45.99", "A"),
    ("TWS-EB-A3-WHT", "Wireless Earbuds with Charging Case, Bluetooth 5.3, White", "29.99", "E"),
)
# Why a line of each kind (Electronics, Home, Apparel) comes back: Walmart's reason codes
# (returnOrderLines.returnReason) or the customer's own words.
REASONS = {
    "E": (
        "DEFECTIVE",
        "MISSING_PARTS",
        "DAMAGED",
        "NO_LONGER_WANTED",
        "INCORRECT_ITEM",
        "It stopped working after two days and will not turn on anymore",
        "I can't figure out how to pair it with my phone",
        "The charging cable was missing from the box",
        "Small scratch on the front but it works fine",
    ),
    "H": (
        "DAMAGED",
        "SHIPPING_BOX_DAMAGED",
        "NOT_AS_DESCRIBED",
        "NO_LONGER_WANTED",
        "INCORRECT_ITEM",
        "Item arrived damaged, the box was crushed and there is a dent on the side",
        "I received the wrong item, not what I ordered",
        "Changed my mind, I do not need it anymore",
    ),
    "A": (
        "WRONG_SIZE/POOR_FIT",
        "BOUGHT_ANOTHER_SIZE_OR_COLOR",
        "INADEQUATE_QUALITY",
        "NO_LONGER_WANTED",
        "Too small, I need a larger size",
        "It runs large, I need one size smaller",
        "Loose threads on the seam and a small stain on the front",
    ),
}
FIRST_NAMES = ("Jane", "Marcus", "Aisha", "Tom", "Lucia", "Kevin", "Grace", "Diego", "Emily")
LAST_NAMES = ("Doe", "Reyes", "Johnson", "Nguyen", "Miller", "Garcia", "Brown", "Kim", "Lopez")
ADDRESSES = (
    ("4821 Maple Ave", "Columbus", "OH", "43215", "0.0725"),
    ("77 Harbor St", "Boston", "MA", "02110", "0.0625"),
    ("1509 Sunset Blvd", "Los Angeles", "CA", "90026", "0.0950"),
    ("230 Pine St Apt 4B", "Seattle", "WA", "98101", "0.1025"),
    ("9 Elm Ct", "Austin", "TX", "78701", "0.0825"),
    ("612 Lakeview Dr", "Orlando", "FL", "32801", "0.0650"),
)


def install(app: FastAPI, now: Callable[[], datetime]) -> None:
    app.state.walmart = Walmart(now)


# --- what an id names


def digits(seed: str, count: int) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    return str(number)[:count].rjust(count, "0")


def money(amount: Decimal) -> dict[str, Any]:
    return {"currencyAmount": float(amount), "currencyUnit": USD}


def purchase_order_id_of(return_order_id: str) -> str:
    return "1" + digits(f"walmart-po-of:{return_order_id}", 14)


@dataclass(frozen=True)
class OrderedLine:
    line_number: int
    sku: str
    title: str
    unit_price: Decimal
    quantity: int
    tax_rate: Decimal
    kind: str

    @property
    def charged(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def unit_tax(self) -> Decimal:
        return (self.unit_price * self.tax_rate).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Customer:
    first_name: str
    last_name: str
    email: str
    address: tuple[str, str, str, str, str]


@dataclass(frozen=True)
class PurchaseOrder:
    purchase_order_id: str
    customer_order_id: str
    customer: Customer
    lines: tuple[OrderedLine, ...]
    days_ago: int


def purchase_order(purchase_order_id: str) -> PurchaseOrder:
    draw = Random(f"walmart-po:{purchase_order_id}")
    address = draw.choice(ADDRESSES)
    products = draw.sample(CATALOG, draw.choice((1, 2, 2, 3, 3, 4)))
    lines = tuple(
        OrderedLine(
            line_number=number,
            sku=sku,
            title=title,
            unit_price=Decimal(price),
            quantity=draw.choice((1, 1, 1, 2)),
            tax_rate=Decimal(address[4]),
            kind=kind,
        )
        for number, (sku, title, price, kind) in enumerate(products, start=1)
    )
    customer = Customer(
        first_name=draw.choice(FIRST_NAMES),
        last_name=draw.choice(LAST_NAMES),
        email=f"{digits(f'relay:{purchase_order_id}', 32)}@relay.walmart.com",
        address=address,
    )
    return PurchaseOrder(
        purchase_order_id=purchase_order_id,
        customer_order_id="2" + digits(f"walmart-co:{purchase_order_id}", 14),
        customer=customer,
        lines=lines,
        days_ago=draw.randint(8, 25),
    )


@dataclass(frozen=True)
class ReturnedLine:
    return_order_line_number: int
    ordered: OrderedLine
    reason: str


@dataclass(frozen=True)
class ReturnOrder:
    return_order_id: str
    order: PurchaseOrder
    lines: tuple[ReturnedLine, ...]
    days_ago: int
    tracking_number: str


def return_order(return_order_id: str) -> ReturnOrder:
    """The return order an id names: its purchase order, the lines coming back and why."""
    draw = Random(f"walmart-ro:{return_order_id}")
    order = purchase_order(purchase_order_id_of(return_order_id))
    count = min(len(order.lines), draw.choices((1, 2, 3), weights=(55, 30, 15))[0])
    returned = sorted(draw.sample(order.lines, count), key=lambda line: line.line_number)
    reasons: list[str] = []
    for line in returned:  # each line a reason of its own
        reasons.append(draw.choice([r for r in REASONS[line.kind] if r not in reasons]))
    return ReturnOrder(
        return_order_id=return_order_id,
        order=order,
        lines=tuple(
            ReturnedLine(number, line, reason)
            for number, (line, reason) in enumerate(zip(returned, reasons, strict=True), 1)
        ),
        days_ago=draw.randint(0, 3),
        tracking_number="27" + digits(f"walmart-trk:{return_order_id}", 10),
    )


# --- what was done: tokens, clients, refunds


@dataclass
class Issued:
    client_id: str
    issued_at: datetime
    expires_at: datetime
    revoked: bool = False


@dataclass
class Client:
    secret: str
    scopes: dict[str, str]


@dataclass
class Walmart:
    now: Callable[[], datetime]
    token_seconds: int = TOKEN_SECONDS
    clients: dict[str, Client] = field(
        default_factory=lambda: {cid: Client(s, dict(FULL_SCOPES)) for cid, s in CLIENTS.items()}
    )
    tokens: dict[str, Issued] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    # (return order, line number): refunded in full; (purchase order, line number): refunds.
    returned_refunds: set[tuple[str, int]] = field(default_factory=set)
    order_refunds: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)

    def issue(self, client_id: str) -> str:
        token = secrets.token_urlsafe(32)
        issued_at = self.now()
        expires_at = issued_at + timedelta(seconds=self.token_seconds)
        self.tokens[token] = Issued(client_id, issued_at, expires_at)
        return token

    def client_of(self, token: str | None) -> Client | None:
        issued = self.tokens.get(token or "")
        if issued is None or issued.revoked or issued.expires_at <= self.now():
            return None
        return self.clients.get(issued.client_id)

    def next_refund_id(self) -> str:
        return f"wm-rf-{len(self.refunds) + 1:06d}"


def state_of(request: Request) -> Walmart:
    return request.app.state.walmart


# --- Walmart's answers


def walmart_error(
    status: int, code: str, description: str, field_name: str | None = None, category="DATA"
) -> JSONResponse:
    error = {
        "code": code,
        "field": field_name,
        "description": description,
        "info": description,
        "severity": "ERROR",
        "category": category,
        "causes": [],
        "errorIdentifiers": {},
    }
    return JSONResponse({"errors": [error]}, status)


def unauthorized() -> JSONResponse:
    return walmart_error(
        401,
        "UNAUTHORIZED.GMP_GATEWAY_API",
        "Unauthorized token or incorrect authorization header.",
        "UNAUTHORIZED",
    )


def invalid(description: str, field_name: str = "body") -> JSONResponse:
    return walmart_error(400, "INVALID_REQUEST_CONTENT.GMP_ORDER_API", description, field_name)


def refused_call(request: Request) -> JSONResponse | None:
    """The answer to a call without the headers or the token Walmart requires; None if fine."""
    for name in ("WM_QOS.CORRELATION_ID", "WM_SVC.NAME"):
        if not request.headers.get(name):
            return walmart_error(400, "MISSING_REQUEST_HEADER", f"{name} is required", name)
    if state_of(request).client_of(request.headers.get("WM_SEC.ACCESS_TOKEN")) is None:
        return unauthorized()
    return None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def return_order_json(returned: ReturnOrder, state: Walmart) -> dict[str, Any]:
    created = state.now() - timedelta(days=returned.days_ago)
    order, customer = returned.order, returned.order.customer
    lines = [returned_line_json(returned, line, created, state) for line in returned.lines]
    total = sum((line.ordered.charged for line in returned.lines), Decimal(0))
    return {
        "returnOrderId": returned.return_order_id,
        "customerEmailId": customer.email,
        "customerName": {"firstName": customer.first_name, "lastName": customer.last_name},
        "customerOrderId": order.customer_order_id,
        "refundMode": "POST_DELIVERY",
        "returnOrderDate": iso(created),
        "returnByDate": iso(created + timedelta(days=30)),
        "totalRefundAmount": money(total),
        "returnLineGroups": [
            {
                "groupNo": 1,
                "returnLines": [
                    {"returnOrderLineNumber": line.return_order_line_number}
                    for line in returned.lines
                ],
                "labels": [
                    {
                        "labelImageURL": f"https://returns.walmart.com/label/{returned.return_order_id}.pdf",
                        "carrierInfoList": [
                            {
                                "carrierId": "FEDEX",
                                "carrierName": "FedEx",
                                "serviceType": "FEDEX_GROUND",
                                "trackingNo": returned.tracking_number,
                            }
                        ],
                    }
                ],
                "returnExpectedFlag": True,
            }
        ],
        "returnOrderLines": lines,
        "returnChannel": {"channelName": "WALMART.COM"},
    }


def returned_line_json(
    returned: ReturnOrder, line: ReturnedLine, created: datetime, state: Walmart
) -> dict[str, Any]:
    ordered = line.ordered
    refunded = (returned.return_order_id, line.return_order_line_number) in state.returned_refunds
    tracking = [
        {
            "sequenceNo": 1,
            "eventTag": "INITIATED",
            "eventDescription": "Return initiated",
            "eventTime": iso(created),
        }
    ]
    if refunded:
        tracking.append(
            {
                "sequenceNo": 2,
                "eventTag": "REFUND_ISSUED",
                "eventDescription": "Refund issued",
                "eventTime": iso(state.now()),
            }
        )
    return {
        "returnOrderLineNumber": line.return_order_line_number,
        "salesOrderLineNumber": ordered.line_number,
        "sellerOrderId": returned.order.purchase_order_id,
        "returnReason": line.reason,
        "purchaseOrderId": returned.order.purchase_order_id,
        "purchaseOrderLineNumber": ordered.line_number,
        "isReturnForException": False,
        "item": {
            "sku": ordered.sku,
            "condition": "NEW",
            "productName": ordered.title,
            "itemWeight": {"unitOfMeasure": "Pound", "measurementValue": 1.0},
        },
        "charges": [
            {
                "chargeCategory": "PRODUCT",
                "chargeName": "ItemPrice",
                "chargePerUnit": money(ordered.unit_price),
                "isDiscount": False,
                "isBillable": True,
                "tax": [{"taxName": "Tax1", "taxPerUnit": money(ordered.unit_tax)}],
            }
        ],
        "unitPrice": money(ordered.unit_price),
        "chargeTotals": [
            {"name": "lineProductCharge", "value": money(ordered.charged)},
            {"name": "lineProductTaxes", "value": money(ordered.unit_tax * ordered.quantity)},
        ],
        "cancellableQty": 0 if refunded else ordered.quantity,
        "quantity": {"unitOfMeasure": "EACH", "measurementValue": float(ordered.quantity)},
        "returnExpectedFlag": True,
        "isFastReplacement": False,
        "isKeepIt": False,
        "lastItem": True,
        "refundedQty": float(ordered.quantity if refunded else 0),
        "rechargeableQty": 0.0,
        "refundChannel": "SELLER_MANUAL_REFUND",
        "returnTrackingDetail": tracking,
        "status": "COMPLETED" if refunded else "INITIATED",
        "statusTime": iso(state.now() if refunded else created),
        "currentDeliveryStatus": "LABEL_GENERATED",
        "currentRefundStatus": "REFUND_COMPLETED" if refunded else "REFUND_PENDING",
    }


def purchase_order_json(order: PurchaseOrder, state: Walmart) -> dict[str, Any]:
    ordered_at = state.now() - timedelta(days=order.days_ago)
    customer = order.customer
    line1, city, region, postal_code, _ = customer.address
    return {
        "order": {
            "purchaseOrderId": order.purchase_order_id,
            "customerOrderId": order.customer_order_id,
            "customerEmailId": customer.email,
            "orderDate": int(ordered_at.timestamp() * 1000),
            "shippingInfo": {
                "phone": "2" + digits(f"phone:{order.purchase_order_id}", 9),
                "estimatedDeliveryDate": int((ordered_at + timedelta(days=4)).timestamp() * 1000),
                "estimatedShipDate": int((ordered_at + timedelta(days=1)).timestamp() * 1000),
                "methodCode": "Standard",
                "postalAddress": {
                    "name": f"{customer.first_name} {customer.last_name}",
                    "address1": line1,
                    "address2": None,
                    "city": city,
                    "state": region,
                    "postalCode": postal_code,
                    "country": "USA",
                    "addressType": "RESIDENTIAL",
                },
            },
            "orderLines": {
                "orderLine": [order_line_json(order, line, state) for line in order.lines]
            },
        }
    }


CARRIERS = ("UPS", "FedEx", "USPS")


def tracking_info(order: PurchaseOrder, line: OrderedLine, now: datetime) -> dict[str, Any]:
    """The line's shipment as the seller confirmed it (Ship Order Lines' trackingInfo)."""
    key = f"tracking:{order.purchase_order_id}:{line.line_number}"
    carrier = CARRIERS[int(digits(key, 1)) % len(CARRIERS)]
    number = "1Z" + digits(key, 16) if carrier == "UPS" else "9400" + digits(key, 18)
    shipped_at = now - timedelta(days=order.days_ago - 1)
    return {
        "shipDateTime": int(shipped_at.timestamp() * 1000),
        "carrierName": {"otherCarrier": None, "carrier": carrier},
        "methodCode": "Standard",
        "trackingNumber": number,
        "trackingURL": f"https://www.walmart.com/tracking?tracking_id={number}",
    }


def order_line_json(order: PurchaseOrder, line: OrderedLine, state: Walmart) -> dict[str, Any]:
    quantity = {"unitOfMeasure": "EACH", "amount": str(line.quantity)}
    found = {
        "lineNumber": str(line.line_number),
        "item": {"productName": line.title, "sku": line.sku},
        "charges": {
            "charge": [
                {
                    "chargeType": "PRODUCT",
                    "chargeName": "ItemPrice",
                    "chargeAmount": {"currency": USD, "amount": float(line.charged)},
                    "tax": {
                        "taxName": "Tax1",
                        "taxAmount": {
                            "currency": USD,
                            "amount": float(line.unit_tax * line.quantity),
                        },
                    },
                }
            ]
        },
        "orderLineQuantity": quantity,
        "statusDate": int(state.now().timestamp() * 1000),
        "orderLineStatuses": {
            "orderLineStatus": [
                {
                    "status": "Shipped",
                    "statusQuantity": quantity,
                    "trackingInfo": tracking_info(order, line, state.now()),
                }
            ]
        },
    }
    made = state.order_refunds.get((order.purchase_order_id, line.line_number))
    if made:
        found["refund"] = made[-1]
    return found


# --- the Token API


@api.post("/v3/token")
async def create_token(request: Request) -> JSONResponse:
    state = state_of(request)
    credentials = basic_credentials(request.headers.get("Authorization"))
    client = state.clients.get(credentials[0]) if credentials else None
    if credentials is None or client is None or client.secret != credentials[1]:
        return unauthorized()
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    if form.get("grant_type") != ["client_credentials"]:
        return walmart_error(
            400, "INVALID_REQUEST_PARAM", "grant_type must be client_credentials", "grant_type"
        )
    token = state.issue(credentials[0])
    return JSONResponse(
        {"access_token": token, "token_type": "Bearer", "expires_in": state.token_seconds}
    )


@api.get("/v3/token/detail")
async def token_detail(request: Request) -> JSONResponse:
    refused = refused_call(request)
    if refused is not None:
        return refused
    state = state_of(request)
    issued = state.tokens[request.headers["WM_SEC.ACCESS_TOKEN"]]
    return JSONResponse(
        {
            "expireAt": iso(issued.expires_at),
            "issuedAt": iso(issued.issued_at),
            "isValid": True,
            "isChannelMatch": True,
            "scopes": state.clients[issued.client_id].scopes,
        }
    )


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, secret) if client_id else None


# --- the Returns API


@api.get("/v3/returns")
async def get_returns(request: Request) -> JSONResponse:
    refused = refused_call(request)
    if refused is not None:
        return refused
    return_order_id = request.query_params.get("returnOrderId", "")
    found = []
    if return_order_id.isdigit():
        found = [return_order_json(return_order(return_order_id), state_of(request))]
    meta = {"totalCount": len(found), "limit": 10, "nextCursor": None}
    return JSONResponse({"meta": meta, "returnOrders": found})


class RefundLine(BaseModel):
    returnOrderLineNumber: int | None = None


class IssueRefund(BaseModel):
    customerOrderId: str = Field(min_length=1)
    refundLines: list[RefundLine] = Field(min_length=1)


@api.post("/v3/returns/{return_order_id}/refund")
async def issue_refund(return_order_id: str, request: Request) -> JSONResponse:
    refused = refused_call(request)
    if refused is not None:
        return refused
    if not return_order_id.isdigit():
        return invalid("The return order number is not valid.", "returnOrderId")
    try:
        body = IssueRefund.model_validate_json(await request.body())
    except ValidationError as error:
        return invalid(*first_error(error))
    returned = return_order(return_order_id)
    if body.customerOrderId != returned.order.customer_order_id:
        return invalid("customerOrderId is not the return order's", "customerOrderId")
    state = state_of(request)
    chosen = lines_to_refund(returned, body.refundLines)
    if isinstance(chosen, JSONResponse):
        return chosen
    if any(
        (return_order_id, line.return_order_line_number) in state.returned_refunds
        for line in chosen
    ):
        return invalid(
            "Requested quantity is not available. Please check if there is refundable quantity."
        )
    for line in chosen:
        state.returned_refunds.add((return_order_id, line.return_order_line_number))
    amount = sum((line.ordered.charged for line in chosen), Decimal(0))
    tax = sum((line.ordered.unit_tax * line.ordered.quantity for line in chosen), Decimal(0))
    state.refunds.append(
        {
            "refund_id": state.next_refund_id(),
            "kind": "return",
            "return_order_id": return_order_id,
            "purchase_order_id": returned.order.purchase_order_id,
            "lines": [
                {
                    "return_order_line_number": line.return_order_line_number,
                    "purchase_order_line_number": line.ordered.line_number,
                    "sku": line.ordered.sku,
                    "amount": str(line.ordered.charged),
                }
                for line in chosen
            ],
            "amount": str(amount),
            "tax": str(tax),
            "currency": USD,
            "at": iso(state.now()),
        }
    )
    return JSONResponse(
        {
            "returnOrderId": return_order_id,
            "customerOrderId": returned.order.customer_order_id,
            "refundLines": [
                {
                    "returnOrderLineNumber": line.return_order_line_number,
                    "quantity": {
                        "unitOfMeasure": "EA",
                        "measurementValue": float(line.ordered.quantity),
                    },
                }
                for line in chosen
            ],
        }
    )


def lines_to_refund(
    returned: ReturnOrder, asked: Sequence[RefundLine]
) -> list[ReturnedLine] | JSONResponse:
    by_number = {line.return_order_line_number: line for line in returned.lines}
    chosen: list[ReturnedLine] = []
    for refund_line in asked:
        number = refund_line.returnOrderLineNumber
        if number is None:
            if len(returned.lines) > 1:
                return invalid(
                    "Return Order has more than one line. Please specify ReturnOrderLineNumber"
                    " to be refunded.",
                    "refundLines.returnOrderLineNumber",
                )
            number = returned.lines[0].return_order_line_number
        if number not in by_number:
            return invalid(
                f"The return order line number {number} is not valid.",
                "refundLines.returnOrderLineNumber",
            )
        if by_number[number] not in chosen:
            chosen.append(by_number[number])
    return chosen


# --- the Orders API


@api.get("/v3/orders/{purchase_order_id}")
async def get_order(purchase_order_id: str, request: Request) -> JSONResponse:
    refused = refused_call(request)
    if refused is not None:
        return refused
    if not purchase_order_id.isdigit():
        return walmart_error(
            404, "CONTENT_NOT_FOUND.GMP_ORDER_API", "Order not found", None, "APPLICATION"
        )
    return JSONResponse(purchase_order_json(purchase_order(purchase_order_id), state_of(request)))


class ChargeAmount(BaseModel):
    currency: str
    amount: Decimal = Field(decimal_places=2)


class RefundedCharge(BaseModel):
    chargeType: str = "PRODUCT"
    chargeName: str = "ItemPrice"
    chargeAmount: ChargeAmount


class RefundCharge(BaseModel):
    refundReason: str = Field(min_length=1)
    charge: RefundedCharge


class RefundCharges(BaseModel):
    refundCharge: list[RefundCharge] = Field(min_length=1)


class LineRefund(BaseModel):
    refundComments: str | None = None
    refundCharges: RefundCharges


class LineRefunds(BaseModel):
    refund: list[LineRefund] = Field(min_length=1)


class LineToRefund(BaseModel):
    lineNumber: str = Field(min_length=1)
    isFullRefund: bool = False
    refunds: LineRefunds


class LinesToRefund(BaseModel):
    orderLine: list[LineToRefund] = Field(min_length=1)


class OrderRefund(BaseModel):
    purchaseOrderId: str | None = None
    orderLines: LinesToRefund


class OrderRefundBody(BaseModel):
    orderRefund: OrderRefund


@api.post("/v3/orders/{purchase_order_id}/refund")
async def refund_order_lines(purchase_order_id: str, request: Request) -> JSONResponse:
    refused = refused_call(request)
    if refused is not None:
        return refused
    try:
        body = OrderRefundBody.model_validate_json(await request.body())
    except ValidationError as error:
        return invalid(*first_error(error))
    if not purchase_order_id.isdigit():
        return walmart_error(
            404, "CONTENT_NOT_FOUND.GMP_ORDER_API", "Order not found", None, "APPLICATION"
        )
    order = purchase_order(purchase_order_id)
    state = state_of(request)
    planned = planned_refunds(order, body.orderRefund.orderLines.orderLine, state)
    if isinstance(planned, JSONResponse):
        return planned
    refund_id = state.next_refund_id()
    for line, refund in planned:
        state.order_refunds.setdefault((purchase_order_id, line.line_number), []).append(
            {"refundId": refund_id, **refund.model_dump(mode="json")}
        )
    state.refunds.append(
        {
            "refund_id": refund_id,
            "kind": "order",
            "purchase_order_id": purchase_order_id,
            "lines": [
                {
                    "purchase_order_line_number": line.line_number,
                    "sku": line.sku,
                    "amount": str(-charged(refund)),
                    "comments": refund.refundComments,
                }
                for line, refund in planned
            ],
            "amount": str(-sum((charged(refund) for _, refund in planned), Decimal(0))),
            "currency": USD,
            "at": iso(state.now()),
        }
    )
    return JSONResponse(purchase_order_json(order, state))


def charged(refund: LineRefund) -> Decimal:
    return sum(
        (c.charge.chargeAmount.amount for c in refund.refundCharges.refundCharge), Decimal(0)
    )


def planned_refunds(
    order: PurchaseOrder, asked: Sequence[LineToRefund], state: Walmart
) -> list[tuple[OrderedLine, LineRefund]] | JSONResponse:
    """Every refund asked for, checked before any is made: all or none."""
    by_number = {str(line.line_number): line for line in order.lines}
    planned: list[tuple[OrderedLine, LineRefund]] = []
    for asked_line in asked:
        line = by_number.get(asked_line.lineNumber)
        if line is None:
            return invalid(f"line {asked_line.lineNumber} is not on the order", "lineNumber")
        before = -sum(
            (
                charged(LineRefund.model_validate(made))
                for made in state.order_refunds.get((order.purchase_order_id, line.line_number), [])
            ),
            Decimal(0),
        )
        for refund in asked_line.refunds.refund:
            for charge in refund.refundCharges.refundCharge:
                amount = charge.charge.chargeAmount
                if amount.currency != USD:
                    return invalid(f"currency {amount.currency} is not the order's", "currency")
                if amount.amount >= 0:
                    return invalid("the refund amount must be negative", "amount")
            before -= charged(refund)
            if before > line.charged:
                return invalid(
                    f"the refunds of line {line.line_number} exceed what it was charged", "amount"
                )
            planned.append((line, refund))
    return planned


def first_error(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}", where


# --- the ledger and the levers


class ClientBody(BaseModel):
    client_secret: str = Field(min_length=1)
    scopes: dict[str, str] = Field(default_factory=lambda: dict(FULL_SCOPES))


class Lifetime(BaseModel):
    seconds: int = Field(gt=0, le=86_400)


@ledger.get("/refunds", summary="Every refund made, in order")
async def list_refunds(request: Request) -> dict:
    return {"refunds": state_of(request).refunds}


@ledger.get("/tokens", summary="Every token issued (never the token)")
async def list_tokens(request: Request) -> dict:
    return {
        "tokens": [
            {
                "client_id": issued.client_id,
                "issued_at": iso(issued.issued_at),
                "expires_at": iso(issued.expires_at),
                "revoked": issued.revoked,
            }
            for issued in state_of(request).tokens.values()
        ]
    }


@ledger.delete("/tokens", status_code=204, summary="Revoke every token issued")
async def revoke_tokens(request: Request) -> None:
    for issued in state_of(request).tokens.values():
        issued.revoked = True


@ledger.put("/token-lifetime", status_code=204, summary="The lifetime of new tokens")
async def set_token_lifetime(lifetime: Lifetime, request: Request) -> None:
    state_of(request).token_seconds = lifetime.seconds


@ledger.put("/clients/{client_id}", status_code=204, summary="Add a client or rotate its secret")
async def put_client(client_id: str, body: ClientBody, request: Request) -> None:
    state_of(request).clients[client_id] = Client(body.client_secret, body.scopes)


@ledger.delete("/clients/{client_id}", status_code=204, summary="Forget a client")
async def delete_client(client_id: str, request: Request) -> None:
    state_of(request).clients.pop(client_id, None)


# --- what Walmart sends


def return_created(
    return_order_ids: Sequence[str],
    partner_id: str,
    event_id: str,
    event_time: datetime,
    partner_name: str = "Demo Outlet LLC",
) -> dict[str, Any]:
    """The RETURN_CREATED notification Walmart sends for these return orders: one entry per
    returned line, with its reason as the return order gives it."""
    lines = []
    for return_order_id in return_order_ids:
        returned = return_order(return_order_id)
        for line in returned.lines:
            lines.append(
                {
                    "purchaseOrderId": returned.order.purchase_order_id,
                    "productName": line.ordered.title,
                    "returnOrderId": return_order_id,
                    "returnInitiatedDate": event_time.strftime("%b %d, %Y"),
                    "returnReason": line.reason,
                    "quantity": str(line.ordered.quantity),
                    "trackingUrl": [
                        f"https://www.fedex.com/fedextrack/?trknbr={returned.tracking_number}"
                    ],
                    "trackingId": [returned.tracking_number],
                    "refundStatus": "Non Refunded",
                }
            )
    return {
        "source": {
            "eventType": "RETURN_CREATED",
            "eventTime": iso(event_time),
            "eventId": event_id,
        },
        "payload": {"partnerId": partner_id, "partnerName": partner_name, "returnOrders": lines},
    }


router = APIRouter()
router.include_router(api)
router.include_router(ledger)
