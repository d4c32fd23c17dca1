"""Completing a stored delivery: what its channel's webhook lacks, read from the marketplace.

Shopify's return request names line items only, Walmart's names return orders only and
eBay's names the return only; after the webhook has been answered, the worker reads the
rest from their APIs (each channel's `read_missing`) and parses the whole. Generic and
Amazon webhooks lack nothing, and deliveries parsed on arrival are complete already. A case
of a parcel not received that names none gets the order's shipment from its marketplace
(`order_shipments.py`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.intake.channels.registry import channel_of
from services.intake.domain.case import Channel, ChannelError, Delivery
from services.intake.domain.delivery import DeliveryState
from services.intake.workflows.accepting import PARSED, parsed_delivery, webhook_of
from services.intake.workflows.context import Intake
from services.intake.workflows.order_shipments import with_shipments
from shared.outbound import OutboundError, Unavailable


@dataclass(frozen=True)
class StoredDelivery:
    channel: Channel
    delivery_id: str
    account: str
    kind: str
    content: dict[str, Any]  # opened: it may hold personal data
    trace_headers: dict[str, str]
    attempts: int
    state: DeliveryState
    trying_since: datetime  # its first receipt, or its last revival: its tries' budget runs
    legacy_case_id: bool = False  # its case keeps the id named before accounts were in it


@dataclass(frozen=True)
class Completion:
    stored: StoredDelivery
    deliveries: list[Delivery]
    failure: tuple[str, bool] | None = None  # (cause, whether trying later may help)
    retry_after: float | None = None  # seconds the marketplace asked to wait, if it said


async def complete(stored: StoredDelivery, intake: Intake) -> Completion:
    try:
        if stored.kind == PARSED:
            deliveries = [parsed_delivery(stored.content)]
        else:
            deliveries = await read_and_parse(stored, intake)
        found = await with_shipments(deliveries, stored.channel, stored.account, intake)
        return Completion(stored, found)
    except Unavailable as error:
        return Completion(stored, [], (str(error), True), error.retry_after)
    except OutboundError as error:
        return Completion(stored, [], (str(error), False))
    except ChannelError as error:
        return Completion(stored, [], (error.detail, False))


async def read_and_parse(stored: StoredDelivery, intake: Intake) -> list[Delivery]:
    account = await intake.accounts.find(stored.channel, stored.account)
    if account is None:
        raise ChannelError(
            404, "unknown_account", f"account {stored.account} is no longer known or disabled"
        )
    marketplace = channel_of(stored.channel)
    headers, body = webhook_of(stored.content)
    missing = None
    if marketplace.read_missing is not None:
        missing = await marketplace.read_missing(headers, body, account, intake.marketplaces)
    return marketplace.parse(headers, body, missing)
