"""Shopify as intake receives it and acts on it.

In: a returns/request is checked on arrival and completed with its order, read from the
Admin API; a state-changing topic (returns/approve ... refunds/create) is applied only once
the Admin API confirms it (`confirmation.py`); customers/redact is whole as it comes.
Out: refunds through `refundCreate` (read back by their note before a retry), returns
approved, declined or closed (a kept unit's return: declined while requested, closed once
open), an account's token checked with the shop's name; the variants of a returned line's product
offered in exchange.
"""

from services.intake.channels.marketplace import (
    Headers,
    MarketplaceApis,
    MarketplaceChannel,
    verified_with_secrets,
)
from services.intake.channels.shopify import (
    admin_api,
    confirmation,
    gift_cards_api,
    refunds_api,
    returns_api,
    shipments_api,
    variants_api,
    webhook,
)
from services.intake.channels.shopify.graphql import SHOPIFY as SHOPIFY_API
from services.intake.channels.shopify.graphql import ShopifyAdmin
from services.intake.channels.shopify.webhook import ShopifyOrder
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.domain.exchange_variants import Variant
from services.intake.domain.marketplace_side import (
    MarketplaceRefund,
    RefundOrder,
    ReturnAction,
    ReturnOrder,
)
from shared.events import Parcel
from shared.outbound import Refused


def admin_of(account: Account, apis: MarketplaceApis) -> ShopifyAdmin:
    """The account's shop, reached with its app's access token."""
    return ShopifyAdmin(
        apis.http,
        account.account,
        account.credentials.get("access_token", ""),
        apis.settings.shopify_admin_base_url,
    )


def delivery_id_of(headers: Headers, body: bytes) -> str:
    """A return request is checked now and completed later, keyed by its return; any other
    topic is parsed now."""
    if webhook.order_to_read(headers, body) is None:
        return webhook.parse(headers, body)[0].delivery_id
    return webhook.request_key_of(body)


async def read_missing(
    headers: Headers, body: bytes, account: Account, apis: MarketplaceApis
) -> ShopifyOrder | None:
    """A return request's order; for a state change, nothing, once Shopify confirms it."""
    order_id = webhook.order_to_read(headers, body)
    if order_id is not None:
        return await admin_api.read_shop_order(admin_of(account, apis), order_id)
    change = confirmation.state_change_to_confirm(headers, body)
    if change is not None:
        admin = admin_of(account, apis)
        if change.of_refund:
            found = await refunds_api.read_refund_state(admin, change.gid)
        else:
            found = await returns_api.read_return_state(admin, change.gid)
        confirmation.ensure_confirmed(change, found)
    return None


async def pay_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    return await refunds_api.pay_refund(admin_of(account, apis), order)


async def find_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund | None:
    return await refunds_api.find_refund(admin_of(account, apis), order)


async def issue_store_credit(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    return await gift_cards_api.issue_store_credit(admin_of(account, apis), order)


async def find_store_credit(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund | None:
    return await gift_cards_api.find_store_credit(admin_of(account, apis), order)


async def act_on_return(order: ReturnOrder, account: Account, apis: MarketplaceApis) -> None:
    """Approve, decline or close the case's return; marking it received has no call at
    Shopify (the domain owes it as not needed)."""
    if order.action is ReturnAction.MARK_RECEIVED:
        return
    if order.return_id is None:
        raise Refused(
            SHOPIFY_API, f"case {order.case_id} names no Shopify return to {order.action}"
        )
    admin = admin_of(account, apis)
    if order.action is ReturnAction.APPROVE:
        await returns_api.approve_return(admin, order.return_id)
    elif order.action is ReturnAction.CLOSE:
        await returns_api.close_return(admin, order.return_id, order.note)
    else:
        await returns_api.decline_return(admin, order.return_id, order.note)


async def order_shipment(order_id: str, account: Account, apis: MarketplaceApis) -> Parcel | None:
    return await shipments_api.order_shipment(admin_of(account, apis), order_id)


async def check_account(account: Account, apis: MarketplaceApis) -> None:
    await admin_api.read_shop_name(admin_of(account, apis))


async def exchange_variants(
    order_id: str, sku: str, account: Account, apis: MarketplaceApis
) -> list[Variant]:
    return await variants_api.exchange_variants(admin_of(account, apis), order_id, sku)


SHOPIFY = MarketplaceChannel(
    channel=Channel.SHOPIFY,
    summary="Shopify returns, refunds and customers/redact",
    lane="shopify",
    account_of=webhook.account_of,
    verify=verified_with_secrets(webhook.verify),
    delivery_id_of=delivery_id_of,
    parse=webhook.parse,
    read_missing=read_missing,
    pay_refund=pay_refund,
    find_refund=find_refund,
    issue_store_credit=issue_store_credit,
    find_store_credit=find_store_credit,
    act_on_return=act_on_return,
    check_account=check_account,
    exchange_variants=exchange_variants,
    order_shipment=order_shipment,
)
