"""Amazon SP-API notifications, through the seller's forwarder: verified and parsed.

Amazon puts notifications on an SQS queue
(https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-use-case-guide); our
forwarder drains it and POSTs each message body unchanged, signed
`X-Forwarder-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with a secret we share
with it. There is no return-created notification for every seller (the returns reports,
`reports.py`, open the cases), so only these act on a case:
- ORDER_CHANGE, when the buyer asks for a change (a cancellation) or the order is
  cancelled: an update on the order's case, if there is one;
- FULFILLMENT_ORDER_STATUS with EventType Return: a Multi-Channel Fulfillment order's
  item is back at an Amazon fulfilment centre, the return has been delivered.
Every other type (offers, listings, FBA outbound shipments, reports ready...) is ignored.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import (
    AliasChoices,
    AliasGenerator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic.alias_generators import to_camel, to_pascal

from services.intake.channels.common import (
    ensure_signed,
    hmac_sha256_hex,
    read_json,
    required_header,
)
from services.intake.domain.case import (
    Channel,
    Delivery,
    Ignore,
    MarketplaceStatus,
    UpdateCase,
    forged,
    malformed,
)

FORWARDER_SIGNATURE = "X-Forwarder-Signature"
SIGNATURE_PREFIX = "sha256="


class Envelope(BaseModel):
    """Amazon's docs write the envelope both in camelCase and in PascalCase: either is read."""

    model_config = ConfigDict(
        frozen=True,
        alias_generator=AliasGenerator(
            validation_alias=lambda name: AliasChoices(to_camel(name), to_pascal(name))
        ),
    )


class NotificationMetadata(Envelope):
    application_id: str
    subscription_id: str
    publish_time: AwareDatetime
    notification_id: str = Field(min_length=1)


class Notification(Envelope):
    notification_version: str
    notification_type: str
    payload_version: str
    event_time: AwareDatetime | None = None
    payload: dict[str, Any]
    notification_metadata: NotificationMetadata


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, alias_generator=to_pascal)


class OrderChangeTrigger(Payload):
    time_of_order_change: AwareDatetime | None = None
    change_reason: str = ""


class OrderSummary(Payload):
    order_status: str | None = None
    marketplace_id: str | None = None
    number_of_items_shipped: int | None = None


class OrderChange(Payload):
    seller_id: str
    amazon_order_id: str
    order_change_type: str
    order_change_trigger: OrderChangeTrigger = OrderChangeTrigger()
    summary: OrderSummary = OrderSummary()


class ReturnedItem(Payload):
    received_date_time: AwareDatetime
    returned_quantity: int
    seller_sku: str = Field(alias="SellerSKU")


class FulfillmentOrderStatus(Payload):
    seller_id: str
    event_type: str
    status_updated_date_time: AwareDatetime
    seller_fulfillment_order_id: str
    fulfillment_order_status: str
    fulfillment_return_item: ReturnedItem | None = None


def account_of(headers: Mapping[str, str], body: bytes) -> str:
    notification = read_json(Notification, body)
    # Offer and listing notifications name no seller: the application stands in.
    return seller_of(notification.payload) or notification.notification_metadata.application_id


def verify(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    """Signed by the forwarder. No freshness window: after an outage the forwarder drains
    days of queued notifications, all genuine; a replay is caught by its notificationId."""
    signature = required_header(headers, FORWARDER_SIGNATURE)
    if not signature.startswith(SIGNATURE_PREFIX):
        raise forged(f"{FORWARDER_SIGNATURE} is not {SIGNATURE_PREFIX}<hex>")
    hex_digest = signature.removeprefix(SIGNATURE_PREFIX).lower()
    ensure_signed(hex_digest, body, secrets, hmac_sha256_hex, "forwarder")


def parse(headers: Mapping[str, str], body: bytes) -> list[Delivery]:
    notification = read_json(Notification, body)
    # Amazon's own examples carry stray spaces around the id.
    notification_id = notification.notification_metadata.notification_id.strip()
    return [
        Delivery(
            channel=Channel.AMAZON,
            delivery_id=f"amazon:notification:{notification_id}",
            seller_account=account_of(headers, body),
            action=action_of(notification),
        )
    ]


def action_of(notification: Notification) -> UpdateCase | Ignore:
    act = NOTIFICATION_ACTIONS.get(notification.notification_type)
    if act is None:
        return Ignore(why=f"{notification.notification_type} says nothing about a return")
    return act(notification.payload)


def order_change(payload: Mapping[str, Any]) -> UpdateCase | Ignore:
    change = payload_of(OrderChange, payload, "OrderChangeNotification")
    trigger = change.order_change_trigger
    # A cancelled order is cancelled, whoever asked; a buyer's request alone is an update.
    if change.summary.order_status == "Canceled":
        status, note = MarketplaceStatus.CANCELLED, trigger.change_reason or "order canceled"
    elif change.order_change_type == "BuyerRequestedChange":
        status, note = MarketplaceStatus.UPDATED, trigger.change_reason or "buyer asked a change"
    else:
        return Ignore(why=f"order {change.amazon_order_id} is {change.summary.order_status}")
    return UpdateCase(
        seller_account=change.seller_id,
        order_id=change.amazon_order_id,
        status=status,
        note=note,
        at=trigger.time_of_order_change,
    )


def fulfillment_order_status(payload: Mapping[str, Any]) -> UpdateCase | Ignore:
    status = payload_of(FulfillmentOrderStatus, payload, "FulfillmentOrderStatusNotification")
    returned = status.fulfillment_return_item
    if status.event_type != "Return" or returned is None:
        return Ignore(why=f"fulfillment order {status.event_type} event, not a return")
    return UpdateCase(
        seller_account=status.seller_id,
        order_id=status.seller_fulfillment_order_id,
        status=MarketplaceStatus.DELIVERED,
        note=f"{returned.returned_quantity} x {returned.seller_sku} back at Amazon",
        at=returned.received_date_time,
    )


# Before these, nothing of the order has left the warehouse.
NOT_SHIPPED = frozenset({"Pending", "Unshipped", "Canceled", "PendingAvailability"})


def read(headers: Mapping[str, str], body: bytes) -> list[Delivery]:
    """What intake applies of a notification: `parse`'s deliveries, where a cancellation of
    an order that never shipped is moot when no case knows the order (nothing was sent,
    so nothing comes back: it is never waited for)."""
    deliveries = parse(headers, body)
    reason = cancelled_before_shipment(read_json(Notification, body))
    if reason is None:
        return deliveries
    return [
        delivery.model_copy(
            update={"action": delivery.action.model_copy(update={"moot_without_case": reason})}
        )
        if isinstance(delivery.action, UpdateCase)
        else delivery
        for delivery in deliveries
    ]


def cancelled_before_shipment(notification: Notification) -> str | None:
    """Why an ORDER_CHANGE is a cancellation of an order nothing of which shipped; None
    for any other notification."""
    if notification.notification_type != "ORDER_CHANGE":
        return None
    change = payload_of(OrderChange, notification.payload, "OrderChangeNotification")
    summary = change.summary
    cancelled = summary.order_status == "Canceled" or (
        change.order_change_type == "BuyerRequestedChange"
        and "cancel" in change.order_change_trigger.change_reason.lower()
    )
    unshipped = summary.order_status in NOT_SHIPPED or summary.number_of_items_shipped == 0
    if not (cancelled and unshipped):
        return None
    why = change.order_change_trigger.change_reason or "order canceled"
    return (
        f"order {change.amazon_order_id} was cancelled before it shipped ({why}): "
        "no return can follow, so no case is waited for"
    )


NOTIFICATION_ACTIONS: dict[str, Callable[[Mapping[str, Any]], UpdateCase | Ignore]] = {
    "ORDER_CHANGE": order_change,
    "FULFILLMENT_ORDER_STATUS": fulfillment_order_status,
}


P = TypeVar("P", bound=BaseModel)


def payload_of(model: type[P], payload: Mapping[str, Any], key: str) -> P:
    if key not in payload:
        raise malformed(f"the payload has no {key}", f"Payload.{key}")
    try:
        return model.model_validate(payload[key])
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(["Payload", key, *(str(part) for part in first["loc"])])
        raise malformed(f"{field}: {first['msg']}", field) from error


def seller_of(payload: Mapping[str, Any]) -> str:
    """The seller a payload names, at its top or in its one notification object."""
    scopes = [payload, *(value for value in payload.values() if isinstance(value, dict))]
    for scope in scopes:
        for key in ("SellerId", "sellerId"):
            if isinstance(scope.get(key), str) and scope[key]:
                return scope[key]
    return ""
