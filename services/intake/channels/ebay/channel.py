"""eBay's return notifications as intake receives them: a ReturnCreated is completed with
the return, read from the Post-Order API; later events update the case as they come.
eBay's account deletions have an endpoint of their own (`handlers/webhooks.py`)."""

from datetime import datetime

from fastapi import Request

from services.intake.channels.ebay import notifications
from services.intake.channels.ebay.notifications import EbayKeys
from services.intake.channels.ebay.post_order_api import read_return
from services.intake.channels.ebay.returns import case_from_return, marketplace_id_of
from services.intake.channels.marketplace import Headers, MarketplaceApis, MarketplaceChannel
from services.intake.domain.account import Account
from services.intake.domain.case import CanonicalCase, Channel


def verify(headers: Headers, body: bytes, account: Account, now: datetime, _: Request) -> None:
    """Signed with the keysets of the seller's eBay application, not with secrets."""
    keysets = [EbayKeys.model_validate(keys) for keys in account.credentials.get("keysets", [])]
    notifications.verify(headers, body, keysets, now)


def delivery_id_of(headers: Headers, body: bytes) -> str:
    return notifications.delivery_id(notifications.read(body))


async def read_opened_case(
    headers: Headers, body: bytes, account: Account, apis: MarketplaceApis
) -> CanonicalCase | None:
    return_id = notifications.return_to_fetch(body)
    if return_id is None:
        return None
    notification = notifications.read(body)
    found = await read_return(
        apis.http,
        apis.settings.ebay_api_base_url,
        account.credentials.get("user_token", ""),
        return_id,
        marketplace_id_of(notification),
    )
    return case_from_return(notification, found)


EBAY = MarketplaceChannel(
    channel=Channel.EBAY,
    summary="eBay Platform Notifications for returns (SOAP)",
    lane="ebay",
    account_of=notifications.account_of,
    verify=verify,
    delivery_id_of=delivery_id_of,
    parse=notifications.parse,
    read_missing=read_opened_case,
)
