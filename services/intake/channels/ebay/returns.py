"""eBay's Post-Order return resource, and the case a new return opens from it. Pure.

A ReturnCreated notification names the return only; the Post-Order API's return
(`post_order_api.read_return`,
https://developer.ebay.com/Devzone/post-order/post-order_v2_return-returnId__get.html)
says the rest: `summary` holds the buyer's request (creationInfo: item, reason,
reasonType SNAD or REMORSE, comments, creationDate) and the seller's clock
(sellerResponseDue.respondByDate); `detail` holds the line item (itemDetail: title,
price, listing site). `case_from_return` merges the notification and the return into the
canonical case.

A return is one line item of an order (`creationInfo.item`: one itemId and transactionId
with its quantity) with the buyer's one reason: a buyer returning two items of an order
opens two returns, each with its own reason, and each becomes a case of its own. That is
how every item keeps its reason.

The same resource says what eBay did since: `summary.state` (ReturnStateEnum) and
`summary.status` (ReturnStatusEnum), `summary.escalationInfo`, the refund made
(`detail.refundInfo.actualRefundDetail`, `summary.sellerTotalRefund.actualRefundAmount`)
and each step in `detail.responseHistory` (activity, fromState, toState, and the money
movement a refund made). From them, pure:
- `confirmation_of`: whether the return, as eBay says it is now, confirms what a
  notification claims. eBay signs only a notification's Timestamp, so its body could say
  anything; a state change is applied only once the return read with the seller's token
  agrees (see `Confirmation`);
- `refund_issued`: the refund the seller already made on the return, the read-back before
  a retried refund (eBay takes one seller refund per return, and no idempotency key);
- `action_taken`: whether an approval, decline, close (a refund issued on it, or the return
  ended) or receipt is already on the return;
- `buyer_messages`: what the buyer wrote to the seller on the return (each
  BUYER_SEND_MESSAGE step of the history, its `notes`), which becomes a reply on the case.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import IntEnum, StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.ebay.notifications import (
    RETURN_CREATED,
    ReturnNotification,
    market_of_site,
    reason_of,
    seller_response_due,
)
from services.intake.domain.case import (
    Address,
    BuyerContact,
    CanonicalCase,
    Channel,
    Deadline,
    Item,
    MarketplaceIds,
    MarketplaceMessage,
    malformed,
)
from services.intake.domain.marketplace_side import ReturnAction
from services.intake.domain.opening import to_minor_units
from shared.events import ClaimKind, ClaimNotice
from shared.markets import Currency, Market


class Resource(BaseModel):
    """eBay's JSON is camelCase; unknown fields are ignored, eBay adds them over time."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Amount(Resource):
    value: Decimal
    currency: str


class DateValue(Resource):
    value: AwareDatetime


class Text(Resource):
    content: str = ""


class ReturnItem(Resource):
    item_id: str | None = None
    transaction_id: str | None = None
    return_quantity: int = 1


class CreationInfo(Resource):
    item: ReturnItem | None = None
    reason: str = "OTHER"
    reason_type: str | None = None
    comments: Text | None = None
    creation_date: DateValue


class ResponseDue(Resource):
    activity_due: str | None = None
    respond_by_date: DateValue | None = None


class RefundTotal(Resource):
    estimated_refund_amount: Amount | None = None
    actual_refund_amount: Amount | None = None


class EscalationInfo(Resource):
    case_id: str | None = None


class ReturnSummary(Resource):
    return_id: str
    order_id: str | None = None
    buyer_login_name: str | None = None
    seller_login_name: str | None = None
    state: str | None = None
    status: str | None = None
    creation_info: CreationInfo
    seller_response_due: ResponseDue | None = None
    seller_total_refund: RefundTotal | None = None
    escalation_info: EscalationInfo | None = None


class ItemDetail(Resource):
    item_id: str | None = None
    transaction_id: str | None = None
    item_title: str | None = None
    item_price: Amount | None = None
    return_quantity: int | None = None
    listing_site_id: int | None = None


class RefundDetail(Resource):
    total_amount: Amount | None = None


class ActualRefund(Resource):
    actual_refund: RefundDetail | None = None
    refund_status: str | None = None
    refund_issued_date: DateValue | None = None


class RefundInfo(Resource):
    actual_refund_detail: ActualRefund | None = None


class MoneyMovementRef(Resource):
    idref: str | None = None


class HistoryAttributes(Resource):
    money_movement_ref: MoneyMovementRef | None = None


class ResponseHistory(Resource):
    activity: str | None = None
    author: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    creation_date: DateValue | None = None
    notes: str | None = None  # what the author wrote with the step (a message's text)
    attributes: HistoryAttributes | None = None


class PostalAddress(Resource):
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state_or_province: str | None = None
    postal_code: str | None = None
    country: str | None = None


class BuyerAddress(Resource):
    """ReturnAddressType: the buyer's default shipping address."""

    name: str | None = None
    address: PostalAddress | None = None


class ReturnDetail(Resource):
    item_detail: ItemDetail | None = None
    buyer_address: BuyerAddress | None = None
    marketplace_id: str | None = None
    refund_info: RefundInfo | None = None
    response_history: list[ResponseHistory] = Field(default_factory=list)


class EbayReturn(Resource):
    """The Post-Order return resource, both halves."""

    summary: ReturnSummary | None = None
    detail: ReturnDetail | None = None


def marketplace_id_of(notification: ReturnNotification) -> str:
    """The X-EBAY-C-MARKETPLACE-ID for the return's site: EBAY-GB is EBAY_GB."""
    return (notification.site or "EBAY-US").strip().upper().replace("-", "_")


def marketplace_id_of_return(found: EbayReturn, default: str = "EBAY_US") -> str:
    """The return's own marketplace, for the calls that act on it."""
    detail = found.detail or ReturnDetail()
    return (detail.marketplace_id or default).strip().upper().replace("-", "_")


def case_from_return(notification: ReturnNotification, found: EbayReturn) -> CanonicalCase:
    """The case a ReturnCreated opens, from the notification and the Post-Order resource."""
    if found.summary is None:
        raise malformed("the return has no summary", "summary")
    summary = found.summary
    detail = (found.detail or ReturnDetail()).item_detail or ItemDetail()
    request = summary.creation_info
    words = request.comments.content.strip() if request.comments else ""
    market = market_of(notification, found)
    opened_at = request.creation_date.value
    return CanonicalCase(
        channel=Channel.EBAY,
        seller_account=notification.recipient,
        ids=MarketplaceIds(order_id=order_id_of(summary, detail), return_id=summary.return_id),
        market=market,
        currency=currency_of(detail),
        items=[item_of(request, detail)],
        marketplace_reason=request.reason,
        reason=reason_of(request.reason, request.reason_type, words),
        buyer_words=words,
        buyer_ref=summary.buyer_login_name or notification.buyer or "unknown",
        buyer=contact_of((found.detail or ReturnDetail()).buyer_address),
        requested_at=opened_at,
        deadlines=[Deadline(name="seller_response", due_at=seller_due(summary, opened_at, market))],
    )


def contact_of(given: BuyerAddress | None) -> BuyerContact | None:
    """The buyer's name and address, where a replacement or spare part goes; None when
    eBay gives no street, city, postal code and country."""
    if given is None:
        return None
    at = given.address or PostalAddress()
    if not (at.address_line1 and at.city and at.postal_code and at.country):
        return BuyerContact(name=given.name) if given.name else None
    address = Address(
        line1=at.address_line1,
        line2=at.address_line2,
        city=at.city,
        region=at.state_or_province,
        postal_code=at.postal_code,
        country=at.country.upper(),
    )
    return BuyerContact(name=given.name, address=address)


def market_of(notification: ReturnNotification, found: EbayReturn) -> Market:
    """The listing's site, else the marketplace of the return, else the notification's."""
    detail = found.detail or ReturnDetail()
    item = detail.item_detail or ItemDetail()
    sites = (item.listing_site_id, detail.marketplace_id, notification.site)
    market = next((m for m in map(market_of_site, sites) if m is not None), None)
    if market is None:
        raise malformed(f"eBay site {notification.site!r} is not a market we serve", "site")
    return market


def order_id_of(summary: ReturnSummary, detail: ItemDetail) -> str:
    if summary.order_id:
        return summary.order_id
    item = summary.creation_info.item or ReturnItem()
    item_id = detail.item_id or item.item_id
    transaction_id = detail.transaction_id or item.transaction_id
    if not (item_id and transaction_id):
        raise malformed("the return names no order nor line item", "orderId")
    # eBay's order line item id, the order id of a single-item order.
    return f"{item_id}-{transaction_id}"


def currency_of(detail: ItemDetail) -> Currency:
    if detail.item_price is None:
        raise malformed("the return has no item price", "itemDetail.itemPrice")
    try:
        return Currency(detail.item_price.currency)
    except ValueError as error:
        raise malformed(
            f"currency {detail.item_price.currency!r} is not one we serve", "itemPrice.currency"
        ) from error


def item_of(request: CreationInfo, detail: ItemDetail) -> Item:
    returned = request.item or ReturnItem()
    listing = detail.item_id or returned.item_id
    if not listing:
        raise malformed("the return names no item", "itemDetail.itemId")
    return Item(
        # ItemDetailType documents no SKU: the listing id is what identifies the product.
        sku=listing,
        title=detail.item_title,
        quantity=returned.return_quantity or detail.return_quantity or 1,
        unit_price=detail.item_price.value if detail.item_price else Decimal(0),
    )


def seller_due(summary: ReturnSummary, opened_at: datetime, market: Market) -> datetime:
    """eBay's own due date when it gives one, else its documented 2 business days."""
    due = summary.seller_response_due
    if due and due.respond_by_date:
        return due.respond_by_date.value
    return seller_response_due(opened_at, market)


# ------------------------------------------------------------ what eBay says happened since


class Stage(IntEnum):
    """How far a return has gone, by its ReturnStateEnum state."""

    REQUESTED = 0  # the buyer asked; the seller has not answered
    SELLER_INFO = 1  # approved, waiting for the seller's RMA or return label
    READY_TO_SHIP = 2
    SHIPPED = 3
    DELIVERED = 4  # back with the seller, the refund due
    REFUNDED = 5
    CLOSED = 6


STAGE_OF_STATE: dict[str, Stage] = {
    **dict.fromkeys(
        ("INITIAL", "RETURN_REQUESTED", "RETURN_REQUEST_TIMEOUT", "PARTIAL_REFUND_REQUESTED"),
        Stage.REQUESTED,
    ),
    **dict.fromkeys(
        (
            "RMA_PENDING",
            "RETURN_LABEL_PENDING",
            "RETURN_LABEL_PENDING_TIMEOUT",
            "RETURN_LABEL_REQUESTED",
            "RETURN_LABEL_REQUESTED_TIMEOUT",
        ),
        Stage.SELLER_INFO,
    ),
    "ITEM_READY_TO_SHIP": Stage.READY_TO_SHIP,
    "ITEM_SHIPPED": Stage.SHIPPED,
    **dict.fromkeys(("ITEM_DELIVERED", "ITEM_KEPT", "REFUND_TIMEOUT"), Stage.DELIVERED),
    **dict.fromkeys(
        (
            "REFUND_INITIATED",
            "AUTO_REFUND_INITIATED",
            "REFUND_SENT_PENDING_CONFIRMATION",
            "PAYOUT_INITIATED",
            "PARTIAL_REFUNDED",
            "PARTIAL_REFUND_INITIATED",
            "PARTIAL_REFUND_NON_PAYPAL_INITIATED",
            "PARTIAL_REFUND_AS_PAYOUT_INITIATED",
            "LESS_THAN_A_FULL_REFUND_ISSUED",
        ),
        Stage.REFUNDED,
    ),
    **dict.fromkeys(("CLOSED", "RETURN_REJECTED", "REPLACEMENT_CLOSED"), Stage.CLOSED),
}
# Timeouts of the seller's first answer (ReturnSellerInfoOverdue) and of the refund.
SELLER_TIMEOUTS = frozenset(
    {"RETURN_REQUEST_TIMEOUT", "RETURN_LABEL_PENDING_TIMEOUT", "RETURN_LABEL_REQUESTED_TIMEOUT"}
)
REFUND_TIMEOUT = "REFUND_TIMEOUT"
ESCALATED = "ESCALATED"
# The stage each state-change event says the return reached.
STAGE_OF_EVENT: dict[str, Stage] = {
    "ReturnWaitingForSellerInfo": Stage.SELLER_INFO,
    "ReturnSellerInfoOverdue": Stage.SELLER_INFO,
    "ReturnShipped": Stage.SHIPPED,
    "ReturnDelivered": Stage.DELIVERED,
    "ReturnRefundOverdue": Stage.DELIVERED,
    "ReturnEscalated": Stage.REFUNDED,  # an escalated return is open until eBay closes it
    "ReturnClosed": Stage.CLOSED,
}


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"  # eBay's return is where the notification says: apply it
    OVERTAKEN = "overtaken"  # eBay's return is past it already: nothing to apply
    CONTRADICTED = "contradicted"  # eBay's return has not got there: not applied, ever


@dataclass(frozen=True)
class Confirmed:
    verdict: Confirmation
    why: str


def stage_of(found: EbayReturn) -> Stage:
    summary = found.summary
    state = (summary.state or "") if summary else ""
    if state in STAGE_OF_STATE:
        return STAGE_OF_STATE[state]
    status = (summary.status or "") if summary else ""
    return STAGE_OF_STATE.get(status, Stage.REQUESTED)


def confirmation_of(notification: ReturnNotification, found: EbayReturn) -> Confirmed:
    """Whether eBay's return, read now with the seller's token, confirms the state change the
    notification claims. The overdue events need the due date past at the notification's
    Timestamp (signed, and within 10 minutes of now)."""
    summary = found.summary
    if summary is None:
        raise malformed("the return has no summary", "summary")
    event = notification.event
    said = f"eBay's return {summary.return_id} is {summary.state or '-'} ({summary.status or '-'})"
    reached, wanted = stage_of(found), STAGE_OF_EVENT[event]
    if reached > wanted:
        return Confirmed(Confirmation.OVERTAKEN, f"{said}: past {event}, nothing to apply")
    holds = {
        "ReturnWaitingForSellerInfo": reached <= Stage.SELLER_INFO,
        "ReturnSellerInfoOverdue": summary.state in SELLER_TIMEOUTS
        or (reached <= Stage.SELLER_INFO and due_passed(summary, notification.timestamp)),
        "ReturnRefundOverdue": summary.state == REFUND_TIMEOUT
        or (reached == Stage.DELIVERED and due_passed(summary, notification.timestamp)),
        "ReturnEscalated": summary.status == ESCALATED or summary.escalation_info is not None,
    }.get(event, reached == wanted)
    if holds:
        return Confirmed(Confirmation.CONFIRMED, f"{said}: {event} confirmed")
    return Confirmed(Confirmation.CONTRADICTED, f"{said}: the {event} is not confirmed")


ESCALATED_EVENT = "ReturnEscalated"


def claim_of(notification: ReturnNotification, found: EbayReturn) -> ClaimNotice | None:
    """The Money Back Guarantee case an escalated return became: eBay's case id (the
    return's `escalationInfo.caseId`, else the return's own id), its clock from the signed
    Timestamp, and what it asks, the refund eBay estimates; None for any other event."""
    summary = found.summary
    if notification.event != ESCALATED_EVENT or summary is None:
        return None
    escalation = summary.escalation_info
    refund = summary.seller_total_refund
    asked = refund and (refund.actual_refund_amount or refund.estimated_refund_amount)
    amount = None
    if asked and asked.currency in Currency.__members__:
        amount = to_minor_units(asked.value, Currency(asked.currency))
    return ClaimNotice(
        kind=ClaimKind.EBAY_MONEY_BACK,
        marketplace_claim_id=(escalation and escalation.case_id) or f"return:{summary.return_id}",
        notice_at=notification.timestamp,
        amount_minor=amount,
        state=summary.status or "",
    )


def due_passed(summary: ReturnSummary, at: datetime) -> bool:
    due = summary.seller_response_due
    return bool(due and due.respond_by_date and due.respond_by_date.value <= at)


def is_state_change(notification: ReturnNotification) -> bool:
    return notification.event in STAGE_OF_EVENT and bool(notification.return_id)


def needs_return(notification: ReturnNotification) -> bool:
    """Whether the notification is completed (ReturnCreated) or confirmed by the return."""
    return bool(notification.return_id) and (
        notification.event == RETURN_CREATED or is_state_change(notification)
    )


@dataclass(frozen=True)
class IssuedRefund:
    refund_ref: str  # eBay's money movement of the refund, else the return's own id
    amount: Decimal
    currency: str


REFUND_ACTIVITIES = frozenset({"SELLER_ISSUE_REFUND", "SELLER_MARK_REFUND_SENT"})
FAILED = "FAILED"


def refund_issued(found: EbayReturn) -> IssuedRefund | None:
    """The refund the seller made on this return already, if any: the actual refund eBay
    records (not a FAILED one), with the money movement eBay gave it."""
    detail = found.detail or ReturnDetail()
    actual = (detail.refund_info.actual_refund_detail if detail.refund_info else None) or (
        ActualRefund()
    )
    total = actual.actual_refund.total_amount if actual.actual_refund else None
    if total is None and found.summary and found.summary.seller_total_refund:
        total = found.summary.seller_total_refund.actual_refund_amount
    if total is None or (actual.refund_status or "").upper() == FAILED:
        return None
    refs = [
        step.attributes.money_movement_ref.idref
        for step in detail.response_history
        if step.activity in REFUND_ACTIVITIES
        and step.attributes
        and step.attributes.money_movement_ref
        and step.attributes.money_movement_ref.idref
    ]
    return_id = found.summary.return_id if found.summary else "-"
    return IssuedRefund(refs[-1] if refs else f"return-{return_id}", total.value, total.currency)


# The seller's activity each action leaves in the history, and the stage it leads to at least.
ACTIVITY_OF: dict[ReturnAction, tuple[str, Stage]] = {
    ReturnAction.APPROVE: ("SELLER_APPROVE_REQUEST", Stage.SELLER_INFO),
    ReturnAction.DECLINE: ("SELLER_DECLINE_REQUEST", Stage.CLOSED),
    ReturnAction.CLOSE: ("SELLER_ISSUE_REFUND", Stage.REFUNDED),
    ReturnAction.MARK_RECEIVED: ("SELLER_MARK_AS_RECEIVED", Stage.DELIVERED),
}


def action_taken(action: ReturnAction, found: EbayReturn) -> bool:
    """Whether the return shows the action done already (by us before a lost answer, by the
    seller on eBay, or overtaken: a delivered item needs no approval). A return is closed
    once a refund was issued on it, or it ended otherwise."""
    activity, stage = ACTIVITY_OF[action]
    detail = found.detail or ReturnDetail()
    if any(step.activity == activity for step in detail.response_history):
        return True
    state = found.summary.state if found.summary else None
    if action is ReturnAction.DECLINE:
        return state == "RETURN_REJECTED"
    if action is ReturnAction.APPROVE:
        return stage <= stage_of(found) < Stage.CLOSED
    if action is ReturnAction.CLOSE:
        return refund_issued(found) is not None or stage_of(found) >= stage
    return stage_of(found) >= stage


# The step a buyer's message on the return leaves in its history (ActivityOptionEnum).
BUYER_MESSAGE = "BUYER_SEND_MESSAGE"


def buyer_messages(found: EbayReturn) -> list[MarketplaceMessage]:
    """The buyer's messages on the return, oldest first; each is named by its place in the
    history (eBay only adds to it) and when it was written: a history step has no id."""
    detail = found.detail or ReturnDetail()
    return [
        MarketplaceMessage(
            message_id=f"{place}@{step.creation_date.value.isoformat()}",
            text=step.notes.strip(),
            at=step.creation_date.value,
        )
        for place, step in enumerate(detail.response_history)
        if step.activity == BUYER_MESSAGE
        and (step.author or "BUYER") == "BUYER"
        and step.notes
        and step.notes.strip()
        and step.creation_date is not None
    ]
