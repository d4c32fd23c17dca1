"""Shopify: the return and refund webhooks, and the customers/redact privacy request.

What Shopify sends: one POST per event, the JSON body being the resource (a Return, a
Refund, a redact request), with these headers:
- `X-Shopify-Topic`: what happened, e.g. `returns/request`;
- `X-Shopify-Shop-Domain`: the shop, which is the seller account;
- `X-Shopify-Event-Id`: the event; the same id twice is one event delivered twice;
- `X-Shopify-Triggered-At`: when the event happened;
- `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body keyed with the app's client
  secret; the old and the new secret are both accepted while the secret is rotated.
Shopify signs no timestamp, so there is no freshness to check: a replay is caught by its
event id instead. A return request is keyed by the return it names (`return_key`), not by
its event id: the body is signed and the header is not, so a genuine request sent again
under a made-up event id is still the same return and opens no second case.

A returns/request names the returned line items by id only: no sku, price, currency,
country or customer. After the webhook is answered, the delivery worker reads the return's
order from the Admin API (`order_to_read` says which; `admin_api.read_order` reads it) and
hands it to `parse` as a `ShopifyOrder`, whose `buyer` (name, email, phone, ship-to
address) becomes the case's `buyer`: intake keeps it encrypted and never puts it on events.
Each returned line keeps its own reason and words: lines of different reasons open a case
each (`domain/returned_lines.py`).

The HMAC covers the body only: the topic and event id headers are not signed, so a state
change is applied only once the Admin API confirms it (`confirmation.py`).

Docs:
- headers and verification: https://shopify.dev/docs/apps/build/webhooks/subscribe/https
- duplicates: https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
- topics and sample payloads: https://shopify.dev/docs/api/webhooks
- reason codes: https://shopify.dev/docs/api/admin-graphql/latest/enums/ReturnReason
- customers/redact: https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance
- return statuses: https://shopify.dev/docs/api/admin-graphql/latest/enums/ReturnStatus
- disputes/create (a Shopify Payments dispute: a chargeback, or an inquiry before one; the
  REST Dispute resource's fields: id, order_id, type, amount, currency, reason, status,
  evidence_due_by, initiated_at):
  https://shopify.dev/docs/api/admin-rest/latest/resources/dispute and
  https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopifyPaymentsDispute
  It becomes the chargeback claim of the order's case, its clock from `initiated_at`, due
  at `evidence_due_by`; a dispute on an order no return case knows is moot here.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, Field

from services.intake.channels.common import (
    ensure_signed,
    hmac_sha256_base64,
    read_headers,
    read_json,
    required_header,
)
from services.intake.domain.case import (
    BuyerContact,
    CanonicalCase,
    Channel,
    Delivery,
    EraseBuyer,
    Ignore,
    Item,
    MarketplaceIds,
    MarketplaceStatus,
    OpenCase,
    Reason,
    UpdateCase,
    malformed,
)
from services.intake.domain.opening import to_minor_units
from services.intake.domain.returned_lines import ReturnedLine, one_case_per_reason
from shared.events import ClaimKind, ClaimNotice
from shared.markets import Currency, Market

SHOP_DOMAIN = "X-Shopify-Shop-Domain"
SIGNATURE = "X-Shopify-Hmac-Sha256"

RETURN_REQUESTED = "returns/request"
REFUND_CREATED = "refunds/create"
CUSTOMER_REDACT = "customers/redact"
DISPUTE_CREATED = "disputes/create"

STATUS_OF_TOPIC = {
    "returns/approve": MarketplaceStatus.APPROVED,
    "returns/decline": MarketplaceStatus.DECLINED,
    "returns/cancel": MarketplaceStatus.CANCELLED,
    "returns/close": MarketplaceStatus.CLOSED,
    "returns/update": MarketplaceStatus.UPDATED,
}

# Webhooks send the GraphQL ReturnReason enum in lower case ("wrong_item").
REASON_OF_CODE = {
    "COLOR": Reason.STYLE,
    "DEFECTIVE": Reason.DEFECTIVE,
    "NOT_AS_DESCRIBED": Reason.NOT_AS_DESCRIBED,
    "OTHER": Reason.OTHER,
    "SIZE_TOO_LARGE": Reason.SIZE_TOO_LARGE,
    "SIZE_TOO_SMALL": Reason.SIZE_TOO_SMALL,
    "STYLE": Reason.STYLE,
    "UNKNOWN": Reason.OTHER,
    "UNWANTED": Reason.CHANGED_MIND,
    "WRONG_ITEM": Reason.WRONG_ITEM,
}


class ShopifyOrder(BaseModel):
    """What a returns/request does not say, read from the return's order in the Admin API."""

    market: Market  # from the shipping address country
    currency: Currency  # the currency the buyer paid in, the one item prices are in
    buyer_ref: str = Field(min_length=1)  # the order's customer id (the order's, for no customer)
    items: dict[int, Item]  # the order's line items, by line item id
    buyer: BuyerContact | None = None  # contact and ship-to address; personal data, never on events


class ShopifyHeaders(BaseModel):
    topic: str = Field(alias="x-shopify-topic")
    shop_domain: str = Field(alias="x-shopify-shop-domain", min_length=1)
    event_id: str = Field(alias="x-shopify-event-id", min_length=1)
    triggered_at: AwareDatetime = Field(alias="x-shopify-triggered-at")


class LineItemRef(BaseModel):
    id: int


class FulfillmentLineItem(BaseModel):
    line_item: LineItemRef


class ReturnLineItem(BaseModel):
    id: int | None = None  # the return line's own id: a further case's key names it
    fulfillment_line_item: FulfillmentLineItem
    quantity: int = Field(ge=1)
    return_reason: str
    return_reason_note: str | None = None
    customer_note: str | None = None


class OrderRef(BaseModel):
    id: int


class ReturnRequest(BaseModel):
    admin_graphql_api_id: str  # the one return id every return topic carries
    order: OrderRef
    return_line_items: list[ReturnLineItem] = Field(min_length=1)


class Decline(BaseModel):
    reason: str | None = None
    note: str | None = None


class ReturnChange(BaseModel):
    """Any later return topic: each carries the return id, and the order in its own way."""

    admin_graphql_api_id: str
    order: OrderRef | None = None  # returns/approve
    order_id: int | None = None  # returns/cancel, returns/close
    decline: Decline | None = None  # returns/decline


class ReturnRef(BaseModel):
    admin_graphql_api_id: str


class Refund(BaseModel):
    id: int
    order_id: int
    note: str | None = None
    refunded_return: ReturnRef | None = Field(default=None, alias="return")


class RedactedCustomer(BaseModel):
    id: int | None = None  # Shopify may know the customer by email only


class RedactRequest(BaseModel):
    customer: RedactedCustomer
    orders_to_redact: list[int] = Field(default_factory=list)


class Dispute(BaseModel):
    """A Shopify Payments dispute, as the disputes/create webhook carries it."""

    id: int
    order_id: int | None = None
    type: str = ""  # chargeback, inquiry
    amount: Decimal = Field(ge=0)
    currency: str
    reason: str = ""  # fraudulent, product_not_received, ...
    status: str = ""  # needs_response, under_review, ...
    evidence_due_by: AwareDatetime | None = None
    initiated_at: AwareDatetime


def account_of(headers: Mapping[str, str], body: bytes) -> str:
    return required_header(headers, SHOP_DOMAIN)


def verify(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    """`now` is unused: Shopify signs no timestamp (see the module docstring)."""
    signature = required_header(headers, SIGNATURE)
    ensure_signed(signature, body, secrets, hmac_sha256_base64, "Shopify")


def return_key(return_gid: str) -> str:
    """The delivery and case key of a return request: `return-<id>` for the return's
    `gid://shopify/Return/<id>` (the key is part of a URL: no slashes)."""
    return f"return-{return_gid.rstrip('/').rsplit('/', 1)[-1]}"


def request_key_of(body: bytes) -> str:
    """The key of a returns/request delivery, from its signed body."""
    return return_key(read_json(ReturnRequest, body).admin_graphql_api_id)


def order_to_read(headers: Mapping[str, str], body: bytes) -> str | None:
    """The id of the order `parse` needs as a `ShopifyOrder`: a returns/request's only."""
    if read_headers(ShopifyHeaders, headers).topic != RETURN_REQUESTED:
        return None
    return str(read_json(ReturnRequest, body).order.id)


def parse(
    headers: Mapping[str, str], body: bytes, order: ShopifyOrder | None = None
) -> list[Delivery]:
    """The deliveries of one webhook: a return request opens one case per reason its lines
    give (`domain/returned_lines.py`), any other topic is one delivery."""
    meta = read_headers(ShopifyHeaders, headers)
    if meta.topic == RETURN_REQUESTED:
        request = read_json(ReturnRequest, body)
        return [
            delivery_of(meta, key, OpenCase(case=case))
            for key, case in requested_cases(meta, request, order)
        ]
    return [delivery_of(meta, meta.event_id, action_of(meta, body))]


def delivery_of(
    meta: ShopifyHeaders, key: str, action: OpenCase | UpdateCase | EraseBuyer | Ignore
) -> Delivery:
    return Delivery(
        channel=Channel.SHOPIFY, delivery_id=key, seller_account=meta.shop_domain, action=action
    )


def action_of(meta: ShopifyHeaders, body: bytes) -> UpdateCase | EraseBuyer | Ignore:
    if meta.topic in STATUS_OF_TOPIC:
        return return_changed(meta, read_json(ReturnChange, body))
    if meta.topic == REFUND_CREATED:
        return refunded(meta, read_json(Refund, body))
    if meta.topic == CUSTOMER_REDACT:
        return erase(meta, read_json(RedactRequest, body))
    if meta.topic == DISPUTE_CREATED:
        return disputed(meta, read_json(Dispute, body))
    return Ignore(why=f"Shopify topic {meta.topic} is not one intake acts on")


def requested_cases(
    meta: ShopifyHeaders, request: ReturnRequest, order: ShopifyOrder | None
) -> list[tuple[str, CanonicalCase]]:
    """The cases a return request opens, each with its key: one per reason its lines give."""
    if order is None:
        raise ValueError("a returns/request needs its order: read it first (order_to_read)")
    lines = lines_of(request, order)
    whole_return = CanonicalCase(
        channel=Channel.SHOPIFY,
        seller_account=meta.shop_domain,
        ids=MarketplaceIds(order_id=str(request.order.id), return_id=request.admin_graphql_api_id),
        market=order.market,
        currency=order.currency,
        items=[line.item for line in lines],
        marketplace_reason=lines[0].reason_code,
        reason=lines[0].reason,
        buyer_words=lines[0].buyer_words,
        buyer_ref=order.buyer_ref,
        buyer=order.buyer,
        requested_at=meta.triggered_at,
    )
    return one_case_per_reason(return_key(request.admin_graphql_api_id), whole_return, lines)


def lines_of(request: ReturnRequest, order: ShopifyOrder) -> list[ReturnedLine]:
    lines = []
    for index, line in enumerate(request.return_line_items):
        line_item_id = line.fulfillment_line_item.line_item.id
        if line_item_id not in order.items:
            field = f"return_line_items.{index}.fulfillment_line_item.line_item.id"
            raise malformed(f"line item {line_item_id} is not in order {request.order.id}", field)
        lines.append(
            ReturnedLine(
                line_id=str(line.id if line.id is not None else line_item_id),
                item=order.items[line_item_id].model_copy(update={"quantity": line.quantity}),
                reason_code=line.return_reason,
                reason=reason_of(line.return_reason),
                buyer_words=buyer_words(line),
            )
        )
    return lines


def buyer_words(line: ReturnLineItem) -> str:
    words = (line.return_reason_note, line.customer_note)
    return "\n".join(text.strip() for text in words if text and text.strip())


def reason_of(code: str) -> Reason:
    return REASON_OF_CODE.get(code.upper(), Reason.OTHER)


def return_changed(meta: ShopifyHeaders, change: ReturnChange) -> UpdateCase:
    order_id = change.order.id if change.order else change.order_id
    decline = change.decline or Decline()
    return UpdateCase(
        seller_account=meta.shop_domain,
        order_id=str(order_id) if order_id else None,
        return_id=change.admin_graphql_api_id,
        status=STATUS_OF_TOPIC[meta.topic],
        note=": ".join(part for part in (decline.reason, decline.note) if part),
        at=meta.triggered_at,
    )


def refunded(meta: ShopifyHeaders, refund: Refund) -> UpdateCase:
    returned = refund.refunded_return
    return UpdateCase(
        seller_account=meta.shop_domain,
        order_id=str(refund.order_id),
        return_id=returned.admin_graphql_api_id if returned else None,
        status=MarketplaceStatus.REFUNDED,
        note=refund.note or "",
        at=meta.triggered_at,
    )


def disputed(meta: ShopifyHeaders, dispute: Dispute) -> UpdateCase | Ignore:
    """The chargeback claim of the order's case, its clock started when the buyer's bank
    opened the dispute, due when Shopify says the evidence is."""
    if dispute.order_id is None:
        return Ignore(why=f"Shopify dispute {dispute.id} names no order")
    if dispute.currency.upper() not in Currency.__members__:
        raise malformed(f"{dispute.currency!r} is not a currency intake serves", "currency")
    said = " ".join(part for part in (dispute.type, dispute.reason, dispute.status) if part)
    return UpdateCase(
        seller_account=meta.shop_domain,
        order_id=str(dispute.order_id),
        status=None,  # the return itself is where it was
        note=f"Shopify dispute {dispute.id}: {said}",
        at=dispute.initiated_at,
        claim=ClaimNotice(
            kind=ClaimKind.CHARGEBACK,
            marketplace_claim_id=str(dispute.id),
            notice_at=dispute.initiated_at,
            due_at=dispute.evidence_due_by,
            amount_minor=to_minor_units(dispute.amount, Currency(dispute.currency.upper())),
            state=said,
        ),
        moot_without_case="a dispute on an order no return case knows: nothing to answer here",
    )


def erase(meta: ShopifyHeaders, request: RedactRequest) -> EraseBuyer:
    customer_id = request.customer.id
    return EraseBuyer(
        seller_account=meta.shop_domain,
        # Without a customer id only the orders can be named: the buyer is erased through them.
        buyer_ref=str(customer_id) if customer_id is not None else None,
        order_ids=[str(order_id) for order_id in request.orders_to_redact],
    )
