"""What the emulated shops hold: the returns they were told about, the refunds made, the
actions taken on returns (a ledger tests and demos count), the idempotency keys seen, and
each shop's cost bucket. In memory, until the process stops.

Returns move as Shopify's do (https://shopify.dev/docs/apps/build/orders-fulfillment/returns-apps#return-statuses):
REQUESTED → OPEN (approved) or DECLINED; REQUESTED or OPEN → CANCELED; OPEN → CLOSED. A
move from any other status is refused with the ReturnUserError Shopify gives, INVALID_STATE
and its words: returnDeclineRequest declines only a REQUESTED return ("Return is not
declinable. Only non-refunded returns with status REQUESTED can be declined.", "The return
is already declined." for a declined one; the refunds here are the order's, `refundCreate`
names no return, so none makes a return refunded), with one of ReturnDeclineReason's
values (the schema) and a note of 500 characters at most (TOO_LONG); returnClose closes
only an OPEN return ("Return status is invalid.") and leaves a CLOSED one as it is.
Refunds follow `refundCreate`: a REFUND transaction against one of the order's payments, no
more than is left to refund, once per idempotency key (the same key with other parameters
is refused: https://shopify.dev/docs/api/usage/implementing-idempotency).
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from deploy.emulators.shopify.orders import (
    GATEWAY,
    EmulatedOrder,
    emulated_order,
    number,
    recent_order_ids,
)

# The Standard plan's bucket: 100 points a second restored
# (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
MAXIMUM_AVAILABLE = 2000.0
RESTORE_RATE = 100.0


class LineRef(BaseModel):
    id: int


class FulfillmentLineRef(BaseModel):
    id: int
    line_item: LineRef


class ReturnLinePayload(BaseModel):
    id: int
    fulfillment_line_item: FulfillmentLineRef
    quantity: int
    return_reason: str = "unknown"
    return_reason_note: str | None = ""
    customer_note: str | None = None


class DeclinePayload(BaseModel):
    reason: str = "other"
    note: str | None = None


class ReturnPayload(BaseModel):
    """A return as Shopify's returns/* webhooks carry it: what the emulator is told a shop has.
    Its id is the one `admin_graphql_api_id` names, else `id`."""

    id: int
    admin_graphql_api_id: str | None = None
    status: str = "requested"
    name: str | None = None
    order: LineRef
    return_line_items: list[ReturnLinePayload] = []
    decline: DeclinePayload | None = None

    @property
    def return_id(self) -> int:
        named = numeric_id(self.admin_graphql_api_id or "", "Return")
        return named if named is not None else self.id


@dataclass
class ReturnLine:
    line_id: int
    fulfillment_line_item_id: int
    line_item_id: int
    quantity: int
    reason: str  # the ReturnReason enum value
    reason_note: str
    customer_note: str | None


@dataclass
class EmulatedReturn:
    return_id: int
    order_id: int
    name: str
    status: str
    created_at: datetime
    lines: list[ReturnLine]
    request_approved_at: datetime | None = None
    closed_at: datetime | None = None
    decline: DeclinePayload | None = None


@dataclass
class EmulatedRefund:
    refund_id: int
    shop: str
    order_id: int
    amount: Decimal
    currency: str
    note: str | None
    created_at: datetime
    idempotency_key: str
    parent_id: str

    def ledger_entry(self) -> dict[str, Any]:
        return {
            "shop": self.shop,
            "refund_id": f"gid://shopify/Refund/{self.refund_id}",
            "order_id": self.order_id,
            "amount": str(self.amount),
            "currency": self.currency,
            "note": self.note,
            "idempotency_key": self.idempotency_key,
            "created_at": self.created_at.isoformat(),
        }


class Bucket:
    """The leaky bucket of one app on one shop: points refill continuously."""

    def __init__(self) -> None:
        self.maximum = MAXIMUM_AVAILABLE
        self.restore_rate = RESTORE_RATE
        self._available = MAXIMUM_AVAILABLE
        self._at = time.monotonic()

    @property
    def available(self) -> float:
        elapsed = time.monotonic() - self._at
        return min(self.maximum, self._available + elapsed * self.restore_rate)

    def set(self, available: float, restore_rate: float | None = None) -> None:
        self._available, self._at = min(available, self.maximum), time.monotonic()
        if restore_rate is not None:
            self.restore_rate = restore_rate

    def take(self, points: float) -> None:
        self.set(max(self.available - points, 0.0))

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": round(self.available, 1),
            "restoreRate": self.restore_rate,
        }


@dataclass(frozen=True)
class EmulatedGiftCard:
    card_id: int
    shop: str
    code: str
    amount: Decimal
    currency: str
    note: str | None
    customer_id: str | None
    expires_on: str | None
    created_at: datetime


GIFT_CARD_CODE = re.compile(r"^[A-Za-z0-9]{8,20}$")
# The emulated shops' cap on one card's value (a real shop's depends on its plan and currency).
MAX_GIFT_CARD_VALUE = Decimal(2000)
SHOP_CURRENCY = "USD"


@dataclass
class Shop:
    domain: str
    returns: dict[int, EmulatedReturn] = field(default_factory=dict)
    refunds: dict[int, EmulatedRefund] = field(default_factory=dict)
    # Each idempotency key: the parameters it came with, and the refund made or the refusal.
    keys: dict[str, tuple[str, int | None, list]] = field(default_factory=dict)
    bucket: Bucket = field(default_factory=Bucket)
    gift_cards: dict[str, EmulatedGiftCard] = field(default_factory=dict)  # by lower-case code

    def orders_named(self, query: str | None) -> list[EmulatedOrder]:
        """The shop's recent orders a search `name:<name>` finds (Shopify's search syntax,
        https://shopify.dev/docs/api/usage/search-syntax); a search of anything else finds
        none."""
        field, _, value = (query or "").partition(":")
        if field.strip() != "name" or not value.strip():
            return []
        wanted = value.strip().strip('"').lower()
        found = [self.order(order_id) for order_id in recent_order_ids(self.domain)]
        return [order for order in found if order.name.lower() == wanted]

    def order(self, order_id: int) -> EmulatedOrder:
        returned = tuple(
            line.line_item_id
            for found in self.returns.values()
            if found.order_id == order_id
            for line in found.lines
        )
        return emulated_order(order_id, returned)

    def refunds_of(self, order_id: int) -> list[EmulatedRefund]:
        return [refund for refund in self.refunds.values() if refund.order_id == order_id]


UserErrors = list[dict[str, Any]]


def user_error(message: str, *fields: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": list(fields) or None, "message": message}
    if code is not None:
        error["code"] = code
    return error


# A return's moves: (the statuses it may be in, the status it gets, Shopify's refusal, the
# field the refusal names: the mutations taking an `input` name ["input", "id"]).
MOVES = {
    "approve": (
        {"REQUESTED"},
        "OPEN",
        "Return is not approvable. Only returns with status REQUESTED can be approved.",
        ("input", "id"),
    ),
    "decline": (
        {"REQUESTED"},
        "DECLINED",
        "Return is not declinable. Only non-refunded returns with status REQUESTED can be "
        "declined.",
        ("input", "id"),
    ),
    "cancel": ({"REQUESTED", "OPEN"}, "CANCELED", "Return is not cancelable.", ("id",)),
    "close": ({"OPEN"}, "CLOSED", "Return status is invalid.", ("id",)),
}
ALREADY_DECLINED = "The return is already declined."
DECLINE_NOTE_CHARS = 500


class Shops:
    """Every emulated shop, by domain, and the ledger of what was done in them."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self._shops: dict[str, Shop] = {}
        self.refunds: list[EmulatedRefund] = []  # every refund made, in order
        self.return_actions: list[dict[str, Any]] = []  # every move of a return, in order
        self.gift_cards: list[EmulatedGiftCard] = []  # every gift card made, in order

    def shop(self, domain: str) -> Shop:
        return self._shops.setdefault(domain, Shop(domain))

    def adopt(self, domain: str, payload: ReturnPayload) -> EmulatedReturn:
        """The shop has this return, as the webhook payload describes it."""
        now = self.now()
        status = payload.status.upper()
        order = emulated_order(payload.order.id)
        adopted = EmulatedReturn(
            return_id=payload.return_id,
            order_id=payload.order.id,
            name=payload.name or f"{order.name}-R1",
            status=status,
            created_at=now,
            lines=[
                ReturnLine(
                    line_id=line.id,
                    fulfillment_line_item_id=line.fulfillment_line_item.id,
                    line_item_id=line.fulfillment_line_item.line_item.id,
                    quantity=line.quantity,
                    reason=line.return_reason.upper(),
                    reason_note=line.return_reason_note or "",
                    customer_note=line.customer_note,
                )
                for line in payload.return_line_items
            ],
            request_approved_at=now if status in ("OPEN", "CLOSED") else None,
            closed_at=now if status == "CLOSED" else None,
            decline=payload.decline if status == "DECLINED" else None,
        )
        self.shop(domain).returns[adopted.return_id] = adopted
        return adopted

    def move(
        self, domain: str, return_id: int, action: str, decline: DeclinePayload | None = None
    ) -> tuple[EmulatedReturn | None, UserErrors]:
        found = self.shop(domain).returns.get(return_id)
        allowed, status, refusal, field_path = MOVES[action]
        if found is None:
            return None, [user_error("Return not found.", *field_path, code="NOT_FOUND")]
        if action == "close" and found.status == "CLOSED":
            return found, []  # closed already: left as it is
        if action == "decline" and found.status == "DECLINED":
            refusal = ALREADY_DECLINED
        if found.status not in allowed:
            return None, [user_error(refusal, *field_path, code="INVALID_STATE")]
        note = decline.note if decline else None
        if action == "decline" and note and len(note) > DECLINE_NOTE_CHARS:
            message = f"Decline note is too long (maximum is {DECLINE_NOTE_CHARS} characters)"
            return None, [user_error(message, "input", "declineNote", code="TOO_LONG")]
        now = self.now()
        found.status = status
        if action == "approve":
            found.request_approved_at = now
        elif action == "decline":
            found.decline = decline
        elif action == "close":
            found.closed_at = now
        self.return_actions.append(
            {
                "shop": domain,
                "return_id": f"gid://shopify/Return/{return_id}",
                "action": action,
                "status": status,
                "at": now.isoformat(),
            }
        )
        return found, []

    def refund(
        self, domain: str, refund_input: dict[str, Any], key: str
    ) -> tuple[EmulatedRefund | None, UserErrors]:
        """`refundCreate`: once per idempotency key, within what is left to refund."""
        shop = self.shop(domain)
        asked = json.dumps(refund_input, sort_keys=True)
        if key in shop.keys:
            known, refund_id, refusal = shop.keys[key]
            if known != asked:
                message = "The same idempotency key cannot be used with different parameters."
                return None, [user_error(message, code="IDEMPOTENCY_KEY_PARAMETER_MISMATCH")]
            if refund_id is None:  # the first try was refused: so is its replay
                return None, refusal
            return shop.refunds[refund_id], []
        refund, errors = self._new_refund(shop, refund_input, key)
        shop.keys[key] = (asked, refund.refund_id if refund else None, errors)
        return refund, errors

    def _new_refund(
        self, shop: Shop, refund_input: dict[str, Any], key: str
    ) -> tuple[EmulatedRefund | None, UserErrors]:
        order_id = numeric_id(refund_input.get("orderId", ""), "Order")
        if order_id is None:
            return None, [user_error("Order does not exist", "orderId")]
        order = shop.order(order_id)
        currency = refund_input.get("currency") or order.currency
        if currency != order.currency:
            message = f"Currency must match the order's presentment currency {order.currency}"
            return None, [user_error(message, "currency")]
        transactions = refund_input.get("transactions") or []
        if not transactions:
            return None, [user_error("A refund needs at least one transaction", "transactions")]
        payment = f"gid://shopify/OrderTransaction/{order.payment_id}"
        amount = Decimal(0)
        for index, transaction in enumerate(transactions):
            where = ("transactions", str(index))
            if transaction.get("parentId") != payment:
                return None, [user_error("Parent transaction does not exist", *where, "parentId")]
            if transaction.get("gateway") != GATEWAY or transaction.get("kind") != "REFUND":
                return None, [user_error("Must be a REFUND on the payment's gateway", *where)]
            try:
                amount += Decimal(str(transaction.get("amount")))
            except InvalidOperation:
                return None, [user_error("Amount is not a number", *where, "amount")]
        refunded = sum((r.amount for r in shop.refunds_of(order_id)), Decimal(0))
        if amount <= 0:
            return None, [user_error("Amount must be greater than 0", "transactions")]
        if refunded + amount > order.total and not refund_input.get("allowOverRefunding"):
            left = order.total - refunded
            message = f"Refund amount {amount} exceeds the {left} {currency} left to refund"
            return None, [user_error(message, "transactions", "0", "amount")]
        refund = EmulatedRefund(
            refund_id=number("refund", shop.domain, key),
            shop=shop.domain,
            order_id=order_id,
            amount=amount,
            currency=currency,
            note=refund_input.get("note"),
            created_at=self.now(),
            idempotency_key=key,
            parent_id=payment,
        )
        shop.refunds[refund.refund_id] = refund
        self.refunds.append(refund)
        return refund, []

    def create_gift_card(
        self, domain: str, card_input: dict[str, Any]
    ) -> tuple[EmulatedGiftCard | None, UserErrors]:
        """`giftCardCreate`: a code is unique in its shop (case-insensitive), 8-20 letters
        and digits; the value positive and within the shop's cap."""
        shop = self.shop(domain)
        code = card_input.get("code")
        if code is not None and not GIFT_CARD_CODE.match(code):
            message = "Code must be 8-20 characters long and contain only letters and numbers"
            return None, [user_error(message, "input", "code", code="INVALID")]
        if code is not None and code.lower() in shop.gift_cards:
            return None, [user_error("Code has already been taken", "input", "code", code="TAKEN")]
        try:
            value = Decimal(str(card_input.get("initialValue")))
        except InvalidOperation:
            value = Decimal(0)
        if value <= 0:
            message = "Initial value must be greater than 0"
            return None, [user_error(message, "input", "initialValue", code="INVALID")]
        if value > MAX_GIFT_CARD_VALUE:
            message = f"Initial value must be less than or equal to {MAX_GIFT_CARD_VALUE}"
            return None, [user_error(message, "input", "initialValue", code="GREATER_THAN")]
        code = code or f"{number('gift-card', domain, len(shop.gift_cards), digits=16)}"
        card = EmulatedGiftCard(
            card_id=number("gift-card", domain, code.lower()),
            shop=domain,
            code=code,
            amount=value,
            currency=SHOP_CURRENCY,
            note=card_input.get("note"),
            customer_id=card_input.get("customerId"),
            expires_on=card_input.get("expiresOn"),
            created_at=self.now(),
        )
        shop.gift_cards[code.lower()] = card
        self.gift_cards.append(card)
        return card, []

    def find_gift_cards(self, domain: str, query: str | None) -> list[EmulatedGiftCard]:
        """`giftCards(query:)` by its default field, the code (whole, case-insensitive)."""
        cards = list(self.shop(domain).gift_cards.values())
        words = (query or "").strip().lower()
        return [card for card in cards if not words or card.code.lower() == words]

    def find_refund(self, domain: str, refund_id: int) -> EmulatedRefund | None:
        return self.shop(domain).refunds.get(refund_id)


def numeric_id(global_id: str, kind: str) -> int | None:
    """The number of gid://shopify/<kind>/<number>; None for anything else."""
    prefix = f"gid://shopify/{kind}/"
    if not isinstance(global_id, str) or not global_id.startswith(prefix):
        return None
    tail = global_id.removeprefix(prefix)
    return int(tail) if tail.isdigit() else None
