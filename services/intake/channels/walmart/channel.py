"""Walmart as intake receives it: a RETURN_CREATED is checked on arrival and completed
with its return orders' items and buyers, read from the Returns API."""

from datetime import datetime

from fastapi import Request

from services.intake.channels.common import read_json
from services.intake.channels.marketplace import Headers, MarketplaceApis, MarketplaceChannel
from services.intake.channels.walmart import returns_api, webhook
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
    return await returns_api.read_return_orders(
        apis.http,
        apis.settings.walmart_api_base_url,
        account.credentials.get("access_token", ""),
        webhook.return_orders_to_read(body),
    )


def parse(headers: Headers, body: bytes, found: WalmartReturns | None) -> list[Delivery]:
    found = found or WalmartReturns(items={}, buyers={})
    return webhook.parse(headers, body, found.items, found.buyers)


WALMART = MarketplaceChannel(
    channel=Channel.WALMART,
    summary="Walmart RETURN_CREATED notifications",
    lane="walmart",
    account_of=webhook.account_of,
    verify=verify,
    delivery_id_of=delivery_id_of,
    parse=parse,
    read_missing=read_return_orders,
)
