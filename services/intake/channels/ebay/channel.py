"""eBay's return notifications as intake receives them. eBay signs only a notification's
Timestamp, so nothing in its body is taken on trust: every notification about a return is
completed, or confirmed, with the return read from the Post-Order API with the seller's
token. A ReturnCreated opens the case the return describes; a state change (shipped,
delivered, escalated, closed...) is applied only when the return agrees
(`returns.confirmation_of`): one it contradicts fails with the reason, one the return has
gone past is ignored. What the buyer wrote on the return (its history's messages) comes
with any notification about it and becomes a reply on the case. eBay's account deletions
have an endpoint of their own (`handlers/webhooks.py`); what intake asks of eBay is in
`marketplace_side.py`."""

from datetime import datetime

from fastapi import Request

from services.intake.channels.ebay import marketplace_side, notifications
from services.intake.channels.ebay.notifications import (
    RETURN_CREATED,
    EbayKeys,
    ReturnNotification,
)
from services.intake.channels.ebay.oauth import as_the_seller
from services.intake.channels.ebay.post_order_api import read_return
from services.intake.channels.ebay.returns import (
    Confirmation,
    EbayReturn,
    buyer_messages,
    case_from_return,
    claim_of,
    confirmation_of,
    is_state_change,
    marketplace_id_of,
    needs_return,
)
from services.intake.channels.marketplace import Headers, MarketplaceApis, MarketplaceChannel
from services.intake.domain.account import Account
from services.intake.domain.case import (
    BuyerWrote,
    Channel,
    ChannelError,
    Delivery,
    Ignore,
    UpdateCase,
)
from shared.events import ClaimNotice


def verify(headers: Headers, body: bytes, account: Account, now: datetime, _: Request) -> None:
    """Signed with the keysets of the seller's eBay application, not with secrets."""
    keysets = [EbayKeys.model_validate(keys) for keys in account.credentials.get("keysets", [])]
    notifications.verify(headers, body, keysets, now)


def delivery_id_of(headers: Headers, body: bytes) -> str:
    return notifications.delivery_id(notifications.read(body))


async def read_named_return(
    headers: Headers, body: bytes, account: Account, apis: MarketplaceApis
) -> EbayReturn | None:
    """The return the notification names, read as the seller; None for other events."""
    notification = notifications.read(body)
    if not needs_return(notification):
        return None
    return await as_the_seller(
        account,
        apis,
        lambda token: read_return(
            apis.http,
            apis.settings.ebay_api_base_url,
            token,
            notification.return_id or "",
            marketplace_id_of(notification),
        ),
    )


def parse(headers: Headers, body: bytes, found: EbayReturn | None) -> list[Delivery]:
    """The notification's deliveries, completed or confirmed by the return eBay gave, and
    what the buyer wrote on the return since (`buyer_messages`)."""
    notification = notifications.read(body)
    if notification.event == RETURN_CREATED and notification.return_id:
        opened = case_from_return(notification, read(found))
        return [*notifications.parse(headers, body, opened), *messages_of(notification, found)]
    if not is_state_change(notification):
        return notifications.parse(headers, body)
    confirmed = confirmation_of(notification, read(found))
    if confirmed.verdict is Confirmation.CONTRADICTED:
        raise ChannelError(409, "not_confirmed", confirmed.why)
    deliveries = notifications.parse(headers, body)
    if confirmed.verdict is Confirmation.OVERTAKEN:
        deliveries = [
            d.model_copy(update={"action": Ignore(why=confirmed.why)}) for d in deliveries
        ]
    claim = claim_of(notification, read(found))
    if claim is not None and confirmed.verdict is Confirmation.CONFIRMED:
        # An escalated return is eBay's Money Back Guarantee case: its clock starts now.
        deliveries = [with_claim(d, claim) for d in deliveries]
    return [*deliveries, *messages_of(notification, found)]


def with_claim(delivery: Delivery, claim: ClaimNotice) -> Delivery:
    if not isinstance(delivery.action, UpdateCase):
        return delivery
    return delivery.model_copy(
        update={"action": delivery.action.model_copy(update={"claim": claim})}
    )


def messages_of(notification: ReturnNotification, found: EbayReturn | None) -> list[Delivery]:
    """The buyer's messages on the return, as one delivery; none when there are none. eBay
    has no notification of its own for a message on a return: every notification about
    the return reads it, and what the buyer wrote comes with it (each once)."""
    messages = buyer_messages(read(found))
    if not messages or not notification.return_id:
        return []
    wrote = BuyerWrote(
        seller_account=notification.recipient,
        return_id=notification.return_id,
        messages=messages,
    )
    delivery_id = f"{notifications.delivery_id(notification)}:messages"
    return [
        Delivery(
            channel=Channel.EBAY,
            delivery_id=delivery_id,
            seller_account=notification.recipient,
            action=wrote,
        )
    ]


def read(found: EbayReturn | None) -> EbayReturn:
    if found is None:
        raise ValueError("an eBay return notification needs its return: see read_named_return")
    return found


EBAY = MarketplaceChannel(
    channel=Channel.EBAY,
    summary="eBay Platform Notifications for returns (SOAP)",
    lane="ebay",
    account_of=notifications.account_of,
    verify=verify,
    delivery_id_of=delivery_id_of,
    parse=parse,
    read_missing=read_named_return,
    pay_refund=marketplace_side.pay_refund,
    find_refund=marketplace_side.find_refund,
    act_on_return=marketplace_side.act_on_return,
    message_buyer=marketplace_side.message_buyer,
    order_shipment=marketplace_side.order_shipment,
    check_account=marketplace_side.check_account,
)
