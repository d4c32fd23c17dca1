"""Shopify as intake receives it: a returns/request is checked on arrival and completed
with its order, read from the Admin API; every other topic is whole as it comes."""

from services.intake.channels.marketplace import (
    Headers,
    MarketplaceApis,
    MarketplaceChannel,
    verified_with_secrets,
)
from services.intake.channels.shopify import admin_api, webhook
from services.intake.channels.shopify.webhook import ShopifyOrder
from services.intake.domain.account import Account
from services.intake.domain.case import Channel


def delivery_id_of(headers: Headers, body: bytes) -> str:
    """A return request is checked now and completed later; any other topic is parsed now."""
    if webhook.order_to_read(headers, body) is None:
        return webhook.parse(headers, body)[0].delivery_id
    return headers["x-shopify-event-id"]  # present: order_to_read read the headers


async def read_order(
    headers: Headers, body: bytes, account: Account, apis: MarketplaceApis
) -> ShopifyOrder | None:
    order_id = webhook.order_to_read(headers, body)
    if order_id is None:
        return None
    return await admin_api.read_order(
        apis.http,
        account.account,
        account.credentials.get("access_token", ""),
        order_id,
        base_url=apis.settings.shopify_admin_base_url,
    )


SHOPIFY = MarketplaceChannel(
    channel=Channel.SHOPIFY,
    summary="Shopify returns, refunds and customers/redact",
    lane="shopify",
    account_of=webhook.account_of,
    verify=verified_with_secrets(webhook.verify),
    delivery_id_of=delivery_id_of,
    parse=webhook.parse,
    read_missing=read_order,
)
