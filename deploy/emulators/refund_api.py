"""The project's own refund protocol (`/refund-api`), as the generic channel's refund API:
intake pays the refunds of cases from any other marketplace through it
(`services/intake/channels/generic/refund_api.py`; the protocol is documented with
resolution's client of it, `services/resolution/adapters/marketplace_refunds.py`), and
nobody's money moves. Refunds live in memory, by idempotency key, until the process stops
(the ledger the tests count):

- POST /v1/refunds with `Idempotency-Key`: 201 and the new refund; 200 and the earlier
  refund for a key seen with the same body; 422 with a `detail` reason for a key seen
  with another body, or an invalid body or key;
- GET /v1/refunds: every refund paid, in the order paid;
  `?idempotency_key=<key>`: the one paid under that key, if any (the read-back a payer
  makes before retrying a try whose answer was lost);
- POST /v1/gift-cards with `Idempotency-Key`: the seller's store credit, the same way (201
  new, 200 replay, 422 with a `detail`); a code another card holds is refused, and so is
  a card worth more than `MAX_GIFT_CARD_MINOR` (the seller's own cap);
- GET /v1/gift-cards (`?idempotency_key=<key>`): the cards made, or the one under the key.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from deploy.emulators.shopify.orders import emulated_order

REFUNDS_PATH = "/v1/refunds"
GIFT_CARDS_PATH = "/v1/gift-cards"
MAX_GIFT_CARD_MINOR = 200_000
TRACKERS_PATH = "/v2/trackers"
MAX_KEY_CHARS = 255
DEFAULT_CARRIER = "USPS"

router = APIRouter(prefix="/refund-api", tags=["refund API"])
SETTINGS = {"GENERIC_REFUND_API_BASE_URL": "/refund-api"}


def install(app: FastAPI, now: Callable[[], datetime]) -> None:
    app.state.refunds = RefundLedger()
    app.state.gift_cards = RefundLedger("sandbox-gc", "gift card")


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Amount(WireModel):
    minor: StrictInt = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class RefundBody(WireModel):
    """The protocol's request body; a replay must carry the same one."""

    case_id: str = Field(min_length=1)
    marketplace: str = Field(min_length=1)
    seller_account: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    return_id: str | None = None
    amount: Amount
    reason: str = Field(min_length=1)


class GiftCardBody(WireModel):
    case_id: str = Field(min_length=1)
    seller_account: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    code: str = Field(pattern=r"^[A-Za-z0-9]{8,20}$")
    amount: Amount
    note: str | None = None


class RefundConflict(Exception):
    """The key was used for another refund: paying this one under it would hide one of them."""


class RefundLedger:
    """The refunds paid, by idempotency key.

    No await between looking a key up and recording it: on the one event loop, two
    tries with one key cannot both pay.
    """

    def __init__(self, prefix: str = "sandbox-re", kind: str = "refund") -> None:
        self._by_key: dict[str, tuple[BaseModel, dict]] = {}
        self.prefix, self.kind = prefix, kind
        self.id_field = f"{kind.replace(' ', '_')}_id"

    def pay(self, key: str, body: BaseModel) -> tuple[dict, bool]:
        """The refund for `key` and whether it is new; the earlier one for a replay."""
        if key in self._by_key:
            return self._replayed(key, body), False
        refund = {
            self.id_field: f"{self.prefix}-{len(self._by_key) + 1:06d}",
            "idempotency_key": key,
            **body.model_dump(),
        }
        self._by_key[key] = (body, refund)
        return refund, True

    def _replayed(self, key: str, body: BaseModel) -> dict:
        known_body, refund = self._by_key[key]
        if body != known_body:
            raise RefundConflict(
                f"Idempotency-Key {key!r} was used for {self.kind} {refund[self.id_field]} "
                f"with another body; a new {self.kind} needs a new key"
            )
        return refund

    def holds_code(self, code: str) -> bool:
        return any(
            getattr(body, "code", "").lower() == code.lower() for body, _ in self._by_key.values()
        )

    def paid(self, key: str | None = None) -> list[dict]:
        if key is not None:
            return [self._by_key[key][1]] if key in self._by_key else []
        return [refund for _, refund in self._by_key.values()]


@router.post(REFUNDS_PATH)
async def issue_refund(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Pay once per key: 201 new, 200 replay, 422 conflict or invalid."""
    # The body is read by hand so that an invalid one gets a `detail` sentence, as the
    # protocol says, rather than FastAPI's list of validation errors.
    key_problem = key_problem_of(idempotency_key)
    if key_problem:
        return refused(key_problem)
    try:
        body = RefundBody.model_validate_json(await request.body())
        refund, new = request.app.state.refunds.pay(idempotency_key, body)
    except ValidationError as error:
        return refused(invalid_body_reason(error))
    except RefundConflict as conflict:
        return refused(str(conflict))
    return JSONResponse(refund, status_code=201 if new else 200)


@router.get(REFUNDS_PATH)
async def list_refunds(request: Request, idempotency_key: str | None = None) -> dict:
    """Every refund paid, in the order paid: what a demo shows the seller lost; with
    `idempotency_key`, the one paid under it (none: an empty list)."""
    return {"refunds": request.app.state.refunds.paid(idempotency_key)}


@router.post(GIFT_CARDS_PATH)
async def issue_gift_card(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """A gift card once per key: 201 new, 200 replay, 422 conflict, code taken or invalid."""
    key_problem = key_problem_of(idempotency_key)
    if key_problem:
        return refused(key_problem)
    ledger: RefundLedger = request.app.state.gift_cards
    try:
        body = GiftCardBody.model_validate_json(await request.body())
    except ValidationError as error:
        return refused(invalid_body_reason(error, "gift card"))
    if body.amount.minor > MAX_GIFT_CARD_MINOR:
        return refused(f"a gift card may hold at most {MAX_GIFT_CARD_MINOR} minor units")
    if ledger.paid(idempotency_key) == [] and ledger.holds_code(body.code):
        return refused(f"the code {body.code} is taken by another gift card")
    try:
        card, new = ledger.pay(idempotency_key, body)
    except RefundConflict as conflict:
        return refused(str(conflict))
    return JSONResponse(card, status_code=201 if new else 200)


@router.get(GIFT_CARDS_PATH)
async def list_gift_cards(request: Request, idempotency_key: str | None = None) -> dict:
    """Every gift card made; with `idempotency_key`, the one made under it."""
    return {"gift_cards": request.app.state.gift_cards.paid(idempotency_key)}


def key_problem_of(key: str | None) -> str | None:
    if key is None or not key.strip():
        return "the Idempotency-Key header is required: it is what makes a retry safe"
    if len(key) > MAX_KEY_CHARS:
        return f"the Idempotency-Key header is longer than {MAX_KEY_CHARS} characters"
    return None


def invalid_body_reason(error: ValidationError, what: str = "refund") -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"invalid {what}: {where}: {first['msg']}"


def refused(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=422)


# The seller's orders, as the generic channel's returns portal looks one up by its number
# (`services/intake/channels/generic/orders_api.py`):
#     GET /v1/orders?number=<order number>  200 {"orders": [...]}: the order of that number,
#     if any. Any number of 4 to 12 digits is an order, the same every time (drawn as the
#     Shopify emulator draws its orders); anything else is none.

ORDERS_PATH = "/v1/orders"


@router.get(ORDERS_PATH)
async def find_orders(number: str = "") -> dict:
    if not (number.isascii() and number.isdigit() and 4 <= len(number) <= 12):
        return {"orders": []}
    order = emulated_order(int(number))
    buyer = order.buyer
    return {
        "orders": [
            {
                "order_id": f"G-{number}",
                "number": number,
                "email": buyer.email,
                "customer_id": str(order.customer_id),
                "currency": order.currency,
                "shipping_address": {
                    "name": buyer.name,
                    "line1": buyer.line1,
                    "city": buyer.city,
                    "region": buyer.region,
                    "postal_code": buyer.postal_code,
                    "country": buyer.country,
                },
                "lines": [
                    {
                        "line_id": str(line.line_item_id),
                        "sku": line.product.sku,
                        "title": line.product.title,
                        "quantity": line.quantity,
                        "unit_price": str(line.product.price),
                    }
                    for line in order.lines
                ],
            }
        ]
    }
