"""Confirming a Shopify state change before it is applied.

Shopify's HMAC covers the body only: the `X-Shopify-Topic` and `X-Shopify-Event-Id`
headers are not signed. A genuine body could be sent again under another topic with a new
event id: a return request's body as returns/decline (both carry the return's id), a
returns/cancel body, which names an order, as refunds/create. So a topic that changes a
case's state (returns/approve, decline, cancel, close, update; refunds/create) is applied
only once the Admin API, read with the shop's own token, bears it out:
`state_change_to_confirm` says what to read (the return, or the refund, by the id the
body gives), the channel reads it (`returns_api.read_return_state`,
`refunds_api.read_refund_state`), and `ensure_confirmed` compares what Shopify says now with
what the topic claims. A delivery it refuses fails with the cause, never retried: reading
again would say the same. Return requests (they only open a case, keyed by their event id)
and customers/redact (an erasure, which no read could confirm) are not read back.

Docs: return statuses https://shopify.dev/docs/api/admin-graphql/latest/enums/ReturnStatus,
the Return object (`status`, `requestApprovedAt`) https://shopify.dev/docs/api/admin-graphql/latest/objects/Return,
the refund query https://shopify.dev/docs/api/admin-graphql/latest/queries/refund. Pure.
"""

from collections.abc import Mapping

from pydantic import BaseModel

from services.intake.channels.common import read_headers, read_json
from services.intake.channels.shopify.webhook import (
    REFUND_CREATED,
    STATUS_OF_TOPIC,
    Refund,
    ReturnChange,
    ShopifyHeaders,
)
from services.intake.domain.case import ChannelError


class ReturnState(BaseModel):
    """A return as the Admin API says it is now: what confirms a return topic."""

    return_id: str  # gid://shopify/Return/<id>
    order_id: str  # the order's numeric id, as webhooks name it
    status: str  # ReturnStatus: REQUESTED, OPEN, DECLINED, CANCELED, CLOSED
    approved: bool  # its request was approved once (requestApprovedAt)


class RefundState(BaseModel):
    """A refund as the Admin API has it: what confirms a refunds/create."""

    refund_id: str  # gid://shopify/Refund/<id>
    order_id: str
    return_id: str | None = None


class StateChange(BaseModel):
    """What a state-changing topic claims, to be confirmed by reading `gid` from the Admin API."""

    topic: str
    gid: str  # the return's or the refund's
    order_id: str | None = None  # the order the webhook names, when it names one
    return_id: str | None = None  # a refund's return, when the webhook names one

    @property
    def of_refund(self) -> bool:
        return self.topic == REFUND_CREATED


def state_change_to_confirm(headers: Mapping[str, str], body: bytes) -> StateChange | None:
    """What the Admin API must confirm before a state-changing topic is applied; None for
    the topics that change no state (a return request opens a case, a redact erases)."""
    topic = read_headers(ShopifyHeaders, headers).topic
    if topic in STATUS_OF_TOPIC:
        change = read_json(ReturnChange, body)
        order_id = change.order.id if change.order else change.order_id
        return StateChange(
            topic=topic,
            gid=change.admin_graphql_api_id,
            order_id=str(order_id) if order_id else None,
        )
    if topic == REFUND_CREATED:
        refund = read_json(Refund, body)
        returned = refund.refunded_return
        return StateChange(
            topic=topic,
            gid=f"gid://shopify/Refund/{refund.id}",
            order_id=str(refund.order_id),
            return_id=returned.admin_graphql_api_id if returned else None,
        )
    return None


# What a return's status may be once each topic happened (approved returns are OPEN until
# closed; an approval is also known by requestApprovedAt, which stays after a cancel).
STATUSES_AFTER = {
    "returns/approve": {"OPEN", "CLOSED"},
    "returns/decline": {"DECLINED"},
    "returns/cancel": {"CANCELED"},
    "returns/close": {"CLOSED"},
}


def ensure_confirmed(change: StateChange, found: ReturnState | RefundState | None) -> None:
    """Refuses a state change the Admin API does not bear out: a forged topic, or a stale one."""
    what = "refund" if change.of_refund else "return"
    if found is None:
        raise unconfirmed(change, f"Shopify knows no {what} {change.gid}")
    if change.order_id is not None and found.order_id != change.order_id:
        raise unconfirmed(change, f"{what} {change.gid} is of order {found.order_id}")
    if isinstance(found, RefundState):
        if change.return_id is not None and found.return_id != change.return_id:
            raise unconfirmed(change, f"refund {change.gid} is not of return {change.return_id}")
        return
    allowed = STATUSES_AFTER.get(change.topic)
    if allowed is None:  # returns/update: any status; the return exists on that order
        return
    if found.status not in allowed and not (change.topic == "returns/approve" and found.approved):
        raise unconfirmed(change, f"return {change.gid} is {found.status}")


def unconfirmed(change: StateChange, said: str) -> ChannelError:
    return ChannelError(
        401, "unconfirmed", f"{change.topic} not confirmed by Shopify's Admin API: {said}"
    )
