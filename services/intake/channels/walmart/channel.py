"""Walmart as intake receives it and asks of it: a RETURN_CREATED is checked on arrival and
completed with its return orders' items, reasons and buyers, read from the Returns API with
the account's OAuth token (`access.py`); a case's refund is paid through the Returns or
Orders API (`refunds.py`); `check_account` proves an account's client credentials.

Walmart's Returns API has no call to approve, decline or mark a return received: Walmart
authorises every return itself and the seller's part is the refund, so `act_on_return` is
None (https://developer.walmart.com/us-marketplace/docs/choose-an-returns-api: retrieve,
refund, and item-level return rules).
"""

from datetime import datetime

from fastapi import Request

from services.intake.channels.common import read_json
from services.intake.channels.marketplace import Headers, MarketplaceApis, MarketplaceChannel
from services.intake.channels.walmart import access, refunds, returns_api, shipments, webhook
from services.intake.channels.walmart.returns_api import WalmartReturns
from services.intake.domain.account import Account
from services.intake.domain.case import Channel, Delivery


def verify(
    headers: Headers, body: bytes, account: Account, now: datetime, request: Request
) -> None:
    """Walmart signs the method and the path with its query, as received, with the body."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    webhook.verify(headers, body, account.secrets, now, path=path, method=request.method)


def delivery_id_of(headers: Headers, body: bytes) -> str:
    webhook.return_orders_to_read(body)
    return read_json(webhook.Event, body).source.event_id


async def read_return_orders(
    headers: Headers, body: bytes, account: Account, apis: MarketplaceApis
) -> WalmartReturns:
    return_order_ids = webhook.return_orders_to_read(body)
    return await access.with_token(
        account,
        apis,
        lambda token: returns_api.read_return_orders(
            apis.http, apis.settings.walmart_api_base_url, token, return_order_ids
        ),
    )


def parse(headers: Headers, body: bytes, found: WalmartReturns | None) -> list[Delivery]:
    found = found or WalmartReturns(items={}, buyers={})
    return webhook.parse(
        headers, body, found.items, found.buyers, found.reasons, found.line_numbers
    )


WALMART = MarketplaceChannel(
    channel=Channel.WALMART,
    summary="Walmart RETURN_CREATED notifications",
    lane="walmart",
    account_of=webhook.account_of,
    verify=verify,
    delivery_id_of=delivery_id_of,
    parse=parse,
    read_missing=read_return_orders,
    pay_refund=refunds.pay_refund,
    find_refund=refunds.find_refund,
    act_on_return=None,  # Walmart has no such call: see above
    check_account=access.check_account,
    order_shipment=shipments.order_shipment,
)
