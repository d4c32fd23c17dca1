"""Completing a stored delivery: what its channel's webhook lacks, read from the marketplace.

Shopify's return request names line items only, Walmart's names return orders only and
eBay's names the return only; the worker reads the rest from their APIs here, after the
webhook has been answered. Generic and Amazon deliveries are complete as they come.
"""

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.intake.channels.amazon import reports as amazon
from services.intake.channels.ebay import notifications as ebay
from services.intake.channels.ebay.post_order_api import read_return
from services.intake.channels.ebay.returns import case_from_return, marketplace_id_of
from services.intake.channels.generic import webhook as generic
from services.intake.channels.shopify import webhook as shopify
from services.intake.channels.shopify.admin_api import read_order
from services.intake.channels.walmart import webhook as walmart
from services.intake.channels.walmart.returns_api import read_return_orders
from services.intake.domain.case import Channel, ChannelError, Delivery
from services.intake.workflows.accounts import Account
from shared.outbound import OutboundError, Unavailable

if TYPE_CHECKING:
    from services.intake.workflows.context import Intake

WEBHOOK = "webhook"  # content: the request's headers and body, as received
PARSED = "parsed"  # content: one Delivery, parsed when it was accepted (report rows, agents)
# What completing a delivery reads of its request's headers: the channels' own.
KEPT_HEADERS = ("x-", "wm_", "content-type")


@dataclass(frozen=True)
class StoredDelivery:
    channel: Channel
    delivery_id: str
    account: str
    kind: str
    content: dict[str, Any]
    trace_headers: dict[str, str]
    attempts: int


@dataclass(frozen=True)
class Completion:
    stored: StoredDelivery
    deliveries: list[Delivery]
    failure: tuple[str, bool] | None = None  # (cause, whether trying later may help)


def webhook_content(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    kept = {k: v for k, v in headers.items() if k.lower().startswith(KEPT_HEADERS)}
    return {"headers": kept, "body": base64.b64encode(body).decode()}


def parsed_content(delivery: Delivery) -> dict[str, Any]:
    return {"delivery": delivery.model_dump(mode="json")}


async def complete(stored: StoredDelivery, intake: "Intake") -> Completion:
    try:
        if stored.kind == PARSED:
            return Completion(stored, [Delivery.model_validate(stored.content["delivery"])])
        account = await intake.accounts.find(stored.channel, stored.account)
        if account is None:
            return Completion(stored, [], (f"account {stored.account} is no longer known", False))
        headers = stored.content["headers"]
        body = base64.b64decode(stored.content["body"])
        deliveries = await COMPLETERS[stored.channel](headers, body, account, intake)
        return Completion(stored, deliveries)
    except OutboundError as error:
        return Completion(stored, [], (str(error), isinstance(error, Unavailable)))
    except ChannelError as error:
        return Completion(stored, [], (error.detail, False))


async def complete_shopify(
    headers, body: bytes, account: Account, intake: "Intake"
) -> list[Delivery]:
    order_id = shopify.order_to_read(headers, body)
    if order_id is None:
        return shopify.parse(headers, body)
    order = await read_order(
        intake.http,
        account.account,
        account.credentials.get("access_token", ""),
        order_id,
        base_url=intake.service.settings.shopify_admin_base_url,
    )
    return shopify.parse(headers, body, order)


async def complete_walmart(
    headers, body: bytes, account: Account, intake: "Intake"
) -> list[Delivery]:
    found = await read_return_orders(
        intake.http,
        intake.service.settings.walmart_api_base_url,
        account.credentials.get("access_token", ""),
        walmart.return_orders_to_read(body),
    )
    return walmart.parse(headers, body, found.items, found.buyers)


async def complete_ebay(headers, body: bytes, account: Account, intake: "Intake") -> list[Delivery]:
    return_id = ebay.return_to_fetch(body)
    if return_id is None:
        return ebay.parse(headers, body)
    notification = ebay.read(body)
    found = await read_return(
        intake.http,
        intake.service.settings.ebay_api_base_url,
        account.credentials.get("user_token", ""),
        return_id,
        marketplace_id_of(notification),
    )
    return ebay.parse(headers, body, case_from_return(notification, found))


async def complete_as_sent(
    headers, body: bytes, account: Account, intake: "Intake"
) -> list[Delivery]:
    module = generic if account.channel is Channel.GENERIC else amazon
    return module.parse(headers, body)


Completer = Callable[[dict[str, str], bytes, Account, "Intake"], Awaitable[list[Delivery]]]
COMPLETERS: dict[Channel, Completer] = {
    Channel.SHOPIFY: complete_shopify,
    Channel.WALMART: complete_walmart,
    Channel.EBAY: complete_ebay,
    Channel.GENERIC: complete_as_sent,
    Channel.AMAZON: complete_as_sent,
}
