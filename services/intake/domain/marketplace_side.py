"""What intake asks of a marketplace on a case's behalf, with the seller's credentials it
alone holds: pay a buyer back, act on the return (approve, decline, close, mark
received), and write to the buyer in the marketplace's own messaging.

Resolution decides a refund and pays it through intake's refund protocol (`POST
/v1/refunds`, its idempotency key the refund id); intake pays it through the case's
marketplace, by the channel's `pay_refund`, after a read-back (`find_refund`) whenever an
earlier try's answer was lost, so that a refund is never paid twice. Pure data.
"""

from dataclasses import dataclass
from enum import StrEnum

from shared.markets import Currency

STORE_CREDIT = "store_credit"  # the reason of a refund paid as a gift card


@dataclass(frozen=True)
class RefundOrder:
    """Money to pay back through the marketplace, as resolution asked for it."""

    refund_id: str  # the idempotency key: one refund per key, ever
    case_id: str
    order_id: str
    return_id: str | None
    amount_minor: int
    currency: Currency
    reason: str  # the remedy: partial_refund, return_full_refund, refund_without_return...
    credit_code: str | None = None  # store credit: the gift card's code, the same every try

    @property
    def store_credit(self) -> bool:
        return self.reason == STORE_CREDIT


@dataclass(frozen=True)
class MarketplaceRefund:
    """A refund the marketplace made (or had made already, found by a read-back)."""

    marketplace_refund_id: str
    amount_minor: int
    currency: Currency


class ReturnAction(StrEnum):
    """What intake does to a case's return at its marketplace (`domain/return_decisions.py`
    says which, per remedy, marketplace and the buyer's reason)."""

    APPROVE = "approve"  # the return is authorised: the buyer may send the unit back
    DECLINE = "decline"  # the seller refuses the return request (where the marketplace lets)
    CLOSE = "close"  # the return ends with the unit kept: closed, or closed by the refund
    MARK_RECEIVED = "mark_received"  # the unit reached the seller's warehouse


@dataclass(frozen=True)
class ReturnOrder:
    """An action on the marketplace's return of a case."""

    action_id: str  # the idempotency key: one action per key
    case_id: str
    order_id: str
    return_id: str | None
    action: ReturnAction
    note: str = ""


@dataclass(frozen=True)
class MessageOrder:
    """A message to the buyer through the marketplace's messaging about the case's order or
    return (`domain/outgoing_messages.py`)."""

    message_id: str  # the idempotency key's id: one message per id
    case_id: str
    order_id: str
    return_id: str | None
    subject: str
    text: str
    language: str
    kind: str = ""  # a MessageKind: which of the marketplace's message types fits it
    market: str | None = None  # the case's market (the order's marketplace)
