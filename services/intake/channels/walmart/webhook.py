"""Walmart Marketplace: the RETURN_CREATED event notification.

What Walmart sends, when a customer starts a return for one or more items of an order
(https://developer.walmart.com/us-marketplace/docs/return-notifications-copy):
    {"source": {"eventType": "RETURN_CREATED", "eventTime": ..., "eventId": ...},
     "payload": {"partnerId": ..., "partnerName": ...,
                 "returnOrders": [{"purchaseOrderId", "productName", "returnOrderId",
                                   "returnInitiatedDate", "returnReason", "quantity",
                                   "trackingUrl", "trackingId", "refundStatus"}, ...]}}
Each `returnOrders` entry is one returned line; the lines of one return order (one RMA,
`returnOrderId`) make one case, deduped on "<eventId>:<returnOrderId>", unless they give
different reasons: then each reason opens a case of its own, keyed
"<eventId>:<returnOrderId>/<returnOrderLineNumber>" after the first
(`domain/returned_lines.py`). The partner id is the seller account. Unknown fields are
ignored, as Walmart asks.

A line's `returnReason` is one of Walmart's codes (WRONG_SIZE/POOR_FIT, DEFECTIVE...) or
the customer's own words: Walmart's sample says "Item arrived damaged". Words are kept as
the buyer's words and classified like any (`is_words`); a code maps to a `Reason`. The
Returns API's reason of a line counts first, the notification's words add to it.

How it is verified (https://developer.walmart.com/us-marketplace/docs/security-and-authenticity):
`WM_SEC.SIGNATURE` is base64(HMAC-SHA256(secret, string to sign)), where the string to
sign is the method, the path with its query, `WM_SEC.TIMESTAMP` (unix seconds) and the
lowercase hex SHA-256 of the raw body, joined by newlines. That page is written for the
performance webhooks; it is the only signing scheme Walmart documents for notifications,
so it is the one checked here. The replay window is ours: 5 minutes. `WM_SEC.KEY_ID` is
not needed: every secret is tried.

The event names neither the sku nor the price of what is returned: after the webhook is
answered, the delivery worker reads each return order (`return_orders_to_read`) from the
Returns API (https://developer.walmart.com/us-marketplace/reference/getreturns, through
`returns_api.read_return_orders`) and hands `parse` its
items, each line's reason and number and, when Walmart names the customer, its buyer
(name and relay email), which becomes the case's `buyer`: intake keeps it encrypted and
never puts it on events. Walmart notifications are for the US marketplace only, hence US and USD.
"""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.common import (
    ensure_fresh,
    ensure_signed,
    hmac_sha256_base64,
    read_json,
    required_header,
    unix_time,
)
from services.intake.domain import returned_lines
from services.intake.domain.case import (
    BuyerContact,
    CanonicalCase,
    Channel,
    Delivery,
    Ignore,
    Item,
    MarketplaceIds,
    OpenCase,
    Reason,
)
from shared.markets import Currency, Market

TIMESTAMP = "WM_SEC.TIMESTAMP"
SIGNATURE = "WM_SEC.SIGNATURE"
RETURN_CREATED = "RETURN_CREATED"
CODE = re.compile(r"[A-Z0-9_/]+")

# The codes of the Returns API (returnOrderLines.returnReason).
REASON_OF_CODE = {
    "ARRIVED_LATE": Reason.NOT_RECEIVED,
    "AUTO_RETURN": Reason.OTHER,
    "BOUGHT_ANOTHER_SIZE_OR_COLOR": Reason.CHANGED_MIND,
    "BOUGHT_SOMEWHERE_ELSE": Reason.CHANGED_MIND,
    "DAMAGED": Reason.DAMAGED,
    "DEFECTIVE": Reason.DEFECTIVE,
    "DUPLICATE_ITEM": Reason.CHANGED_MIND,
    "INADEQUATE_QUALITY": Reason.QUALITY,
    "INCORRECT_ITEM": Reason.WRONG_ITEM,
    "LOST_AFTER_DELIVERY": Reason.NOT_RECEIVED,
    "LOST_IN_TRANSIT": Reason.NOT_RECEIVED,
    "LOWER_PRICE": Reason.CHANGED_MIND,
    "MISSING_PARTS": Reason.MISSING_PARTS,
    "NOT_AS_DESCRIBED": Reason.NOT_AS_DESCRIBED,
    "NO_LONGER_WANTED": Reason.CHANGED_MIND,
    "RETURN_TO_SENDER": Reason.NOT_RECEIVED,
    "SHIPPING_BOX_DAMAGED": Reason.DAMAGED,
    "TRIED_TO_CANCEL": Reason.CHANGED_MIND,
    # Too small or too large, Walmart does not say.
    "WRONG_SIZE/POOR_FIT": Reason.SIZE_FIT,
}


class WalmartModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel)


class Source(WalmartModel):
    event_type: str
    event_time: AwareDatetime
    event_id: str = Field(min_length=1)


class Event(WalmartModel):
    source: Source


class Partner(WalmartModel):
    partner_id: str = Field(min_length=1)


class Addressed(WalmartModel):
    payload: Partner


class ReturnedLine(WalmartModel):
    purchase_order_id: str = Field(min_length=1)
    return_order_id: str = Field(min_length=1)
    return_reason: str
    product_name: str | None = None
    quantity: int = Field(ge=1)  # a numeric string in the notification


class ReturnsCreated(Partner):
    return_orders: list[ReturnedLine] = Field(min_length=1)


class ReturnCreatedEvent(WalmartModel):
    source: Source
    payload: ReturnsCreated


def account_of(headers: Mapping[str, str], body: bytes) -> str:
    return read_json(Addressed, body).payload.partner_id


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: datetime,
    *,
    path: str,
    method: str = "POST",
) -> None:
    """`path` is the request path with its query string, exactly as received."""
    timestamp = required_header(headers, TIMESTAMP)
    signature = required_header(headers, SIGNATURE)
    signed = string_to_sign(method, path, timestamp, body)
    # The signature first: a stale delivery is then known to be genuine, only late.
    ensure_signed(signature, signed, secrets, hmac_sha256_base64, "Walmart")
    ensure_fresh(unix_time(timestamp, TIMESTAMP), now)


def string_to_sign(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return "\n".join((method.upper(), path, timestamp, hashlib.sha256(body).hexdigest())).encode()


def signed_headers(
    secret: str, body: bytes, now: datetime, *, path: str, method: str = "POST"
) -> dict[str, str]:
    """The headers Walmart sends a notification with, signed with `secret` at `now`: what
    `make run` replays the demo account's notifications with."""
    timestamp = str(int(now.timestamp()))
    return {
        "Content-Type": "application/json",
        TIMESTAMP: timestamp,
        SIGNATURE: hmac_sha256_base64(secret, string_to_sign(method, path, timestamp, body)),
    }


def return_orders_to_read(body: bytes) -> list[str]:
    """The return orders whose items `parse` needs, read from the Returns API."""
    event = read_json(Event, body)
    if event.source.event_type != RETURN_CREATED:
        return []
    lines = read_json(ReturnCreatedEvent, body).payload.return_orders
    return list(dict.fromkeys(line.return_order_id for line in lines))


def parse(
    headers: Mapping[str, str],
    body: bytes,
    items: Mapping[str, Sequence[Item]],
    buyers: Mapping[str, BuyerContact] | None = None,
    reasons: Mapping[str, Sequence[str]] | None = None,
    line_numbers: Mapping[str, Sequence[int]] | None = None,
) -> list[Delivery]:
    """`items`, `buyers`, `reasons` and `line_numbers`: each return order's, by return order
    id, from the Returns API; the reasons and line numbers of its lines in the order of its
    items. Without the API's reasons, the notification's stand for them.

    A return order without a buyer opens a case without one; a return order whose lines
    give different reasons opens a case per reason (`domain/returned_lines.py`).
    """
    event = read_json(Event, body)
    account = account_of(headers, body)
    if event.source.event_type != RETURN_CREATED:
        why = f"Walmart event {event.source.event_type} is not one intake acts on"
        return [
            Delivery(
                channel=Channel.WALMART,
                delivery_id=event.source.event_id,
                seller_account=account,
                action=Ignore(why=why),
            )
        ]
    created = read_json(ReturnCreatedEvent, body)
    found = Found(items, buyers or {}, reasons or {}, line_numbers or {})
    return [
        Delivery(
            channel=Channel.WALMART,
            delivery_id=key,
            seller_account=account,
            action=OpenCase(case=case),
        )
        for return_order_id, lines in by_return_order(created.payload.return_orders).items()
        for key, case in requested_cases(created, return_order_id, lines, found)
    ]


@dataclass(frozen=True)
class Found:
    """What the Returns API said of the event's return orders, by return order id."""

    items: Mapping[str, Sequence[Item]]
    buyers: Mapping[str, BuyerContact]
    reasons: Mapping[str, Sequence[str]]
    line_numbers: Mapping[str, Sequence[int]]


def by_return_order(lines: list[ReturnedLine]) -> dict[str, list[ReturnedLine]]:
    orders: dict[str, list[ReturnedLine]] = {}
    for line in lines:
        orders.setdefault(line.return_order_id, []).append(line)
    return orders


def items_of(items: Mapping[str, Sequence[Item]], return_order_id: str) -> list[Item]:
    if not items.get(return_order_id):
        raise ValueError(f"no items given for return order {return_order_id}: read them first")
    return list(items[return_order_id])


def requested_cases(
    created: ReturnCreatedEvent, return_order_id: str, lines: list[ReturnedLine], found: Found
) -> list[tuple[str, CanonicalCase]]:
    """The cases a return order opens, each with its key: one per reason of its lines."""
    items = items_of(found.items, return_order_id)
    returned = returned_lines_of(
        items,
        lines,
        list(found.reasons.get(return_order_id, [])),
        list(found.line_numbers.get(return_order_id, [])),
    )
    first = lines[0]
    whole_return = CanonicalCase(
        channel=Channel.WALMART,
        seller_account=created.payload.partner_id,
        ids=MarketplaceIds(
            order_id=first.purchase_order_id,
            return_id=first.return_order_id,
            rma_id=first.return_order_id,  # Walmart: "same value used as the RMA number"
        ),
        market=Market.US,
        currency=Currency.USD,
        items=items,
        marketplace_reason=returned[0].reason_code,
        reason=returned[0].reason,
        buyer_words=returned[0].buyer_words,
        # Walmart shares no buyer id with sellers: the purchase order stands for its buyer.
        buyer_ref=first.purchase_order_id,
        buyer=found.buyers.get(return_order_id),
        requested_at=created.source.event_time,
    )
    key = f"{created.source.event_id}:{return_order_id}"
    return returned_lines.one_case_per_reason(key, whole_return, returned)


def returned_lines_of(
    items: list[Item], lines: list[ReturnedLine], reasons: list[str], numbers: list[int]
) -> list[returned_lines.ReturnedLine]:
    """Each item with its line's reason: the Returns API's, and the notification's words
    when they say more. The notification's lines are the API's in the same order when there
    are as many; otherwise its first line's reason stands for all."""
    noted = [line.return_reason for line in lines]
    if len(noted) != len(items):
        noted = [noted[0]] * len(items)
    return [
        returned_line(
            line_id=str(numbers[index]) if index < len(numbers) else str(index + 1),
            item=item,
            reason=reasons[index] if index < len(reasons) and reasons[index] else "",
            noted=noted[index],
        )
        for index, item in enumerate(items)
    ]


def returned_line(line_id: str, item: Item, reason: str, noted: str) -> returned_lines.ReturnedLine:
    """A line's reason as sent (the API's, else the notification's); its code, and the
    customer's words of either that are not one of Walmart's codes."""
    sent = (reason or noted).strip()
    code = next((said for said in (reason, noted) if is_code(said)), "")
    words = list(dict.fromkeys(said.strip() for said in (reason, noted) if is_words(said)))
    return returned_lines.ReturnedLine(
        line_id=line_id,
        item=item,
        reason_code=sent,
        reason=reason_of(code) if code else Reason.OTHER,
        buyer_words="\n".join(words),
    )


def is_code(said: str) -> bool:
    """One of Walmart's codes, or a code Walmart added since: capitals, no spaces."""
    return bool(CODE.fullmatch(said.strip()))


def is_words(said: str) -> bool:
    return bool(said.strip()) and not is_code(said)


def reason_of(code: str) -> Reason:
    return REASON_OF_CODE.get(code.strip().upper(), Reason.OTHER)
