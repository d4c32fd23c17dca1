"""What intake asks of eBay for a case, with the seller's user token (`oauth.py`): pay the
buyer back, act on the return, check an account's credentials. The channel's hooks
(`channels/marketplace.py`); each raises only shared.outbound's `Unavailable` or `Refused`.

- `pay_refund`: eBay's Issue Return Refund takes no idempotency key, so the return is read
  first: a refund the seller made already on it (`returns.refund_issued`) is this order's
  when it is of the same amount and currency, and is answered without paying again; one of
  another amount means the return cannot take this refund (eBay takes one seller refund
  per return), refused. Otherwise the purchase price is refunded, and the return read back
  for eBay's reference of the refund.
- `find_refund`: the same read-back, for the caller to run before retrying a refund whose
  answer was lost.
- `act_on_return`: approve or decline (Process Return Request: decisions APPROVE and
  DECLINE; eBay refuses a seller's DECLINE of a return opened as not as described, which
  the domain never owes), or mark the item received; nothing is sent when the return shows
  the action taken already. A close is eBay's own: the refund issued on the return (Issue
  Return Refund, paid through `pay_refund`) closes it, so closing is confirming that the
  return shows a refund issued, or has ended; until then it is not available yet.
- `message_buyer`: the message in the return's conversation (Send Return Message), with a
  reference line naming the message; the return is read first, and a message of that
  reference already in its history (an earlier try whose answer was lost) is not sent again.
- `order_shipment`: the order's first shipping fulfillment with a tracking number (Sell
  Fulfillment API, `fulfillment_api.py`), for a buyer who says the parcel never came.
- `check_account`: a user token minted afresh from the account's credentials (or the one
  given) and one page of the seller's returns read with it.
"""

from decimal import Decimal

from services.intake.channels.ebay import fulfillment_api, post_order_api
from services.intake.channels.ebay.oauth import (
    as_the_seller,
    credentials_of,
    mint_user_token,
    user_token,
)
from services.intake.channels.ebay.returns import (
    EbayReturn,
    IssuedRefund,
    action_taken,
    marketplace_id_of_return,
    refund_issued,
)
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.marketplace_side import (
    MarketplaceRefund,
    MessageOrder,
    RefundOrder,
    ReturnAction,
    ReturnOrder,
)
from services.intake.domain.order_shipments import first_parcel
from shared.events import Parcel
from shared.markets import MINOR_UNITS, Currency, Market
from shared.outbound import Refused, Unavailable

EBAY = "eBay"
DECISIONS = {ReturnAction.APPROVE: "APPROVE", ReturnAction.DECLINE: "DECLINE"}
DEFAULT_NOTES = {
    ReturnAction.APPROVE: "Your return is approved.",
    ReturnAction.DECLINE: "We have resolved your request without a return.",
    ReturnAction.CLOSE: "Resolved with a refund: please keep the item.",
    ReturnAction.MARK_RECEIVED: "The returned item has arrived.",
}


async def pay_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    return_id = return_of(order.return_id, order.order_id)
    found = await read(account, apis, return_id)
    earlier = refund_issued(found)
    if earlier is not None:
        return same_refund(order, earlier, return_id)
    currency = currency_of(found)
    if currency != order.currency.value:
        reason = f"return {return_id} was paid in {currency}, the refund is in {order.currency}"
        raise Refused(EBAY, reason)
    marketplace_id = marketplace_id_of_return(found, default_marketplace(account))
    amount = Decimal(order.amount_minor) / MINOR_UNITS[order.currency]
    comment = f"Refund for your return {return_id} (our reference {order.refund_id})."
    await as_the_seller(
        account,
        apis,
        lambda token: post_order_api.issue_refund(
            apis.http,
            apis.settings.ebay_api_base_url,
            token,
            return_id,
            amount,
            order.currency.value,
            comment,
            marketplace_id,
        ),
    )
    made = refund_issued(await read(account, apis, return_id))
    reference = made.refund_ref if made else f"return-{return_id}"
    return MarketplaceRefund(reference, order.amount_minor, order.currency)


async def find_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund | None:
    """The refund an earlier try made on the return, if any, of this order's amount."""
    return_id = return_of(order.return_id, order.order_id)
    earlier = refund_issued(await read(account, apis, return_id))
    if earlier is None or minor_of(earlier, order.currency) != order.amount_minor:
        return None
    return MarketplaceRefund(earlier.refund_ref, order.amount_minor, order.currency)


async def act_on_return(order: ReturnOrder, account: Account, apis: MarketplaceApis) -> None:
    return_id = return_of(order.return_id, order.order_id)
    found = await read(account, apis, return_id)
    if action_taken(order.action, found):
        return
    if order.action is ReturnAction.CLOSE:
        state = found.summary.state if found.summary else "-"
        raise Unavailable(EBAY, f"return {return_id} is {state}: no refund has closed it yet")
    marketplace_id = marketplace_id_of_return(found, default_marketplace(account))
    base_url, note = apis.settings.ebay_api_base_url, order.note or DEFAULT_NOTES[order.action]
    if order.action is ReturnAction.MARK_RECEIVED:
        await as_the_seller(
            account,
            apis,
            lambda token: post_order_api.mark_as_received(
                apis.http, base_url, token, return_id, note, marketplace_id
            ),
        )
        return
    decision = DECISIONS[order.action]
    await as_the_seller(
        account,
        apis,
        lambda token: post_order_api.decide(
            apis.http, base_url, token, return_id, decision, note, marketplace_id
        ),
    )


SENT_MESSAGE = "SELLER_SEND_MESSAGE"
MESSAGE_CHARS = 2000  # eBay's longest message content


async def message_buyer(order: MessageOrder, account: Account, apis: MarketplaceApis) -> None:
    return_id = return_of(order.return_id, order.order_id)
    found = await read(account, apis, return_id)
    reference = message_reference(order.message_id)
    history = found.detail.response_history if found.detail else []
    if any(step.activity == SENT_MESSAGE and reference in (step.notes or "") for step in history):
        return  # an earlier try got through
    marketplace_id = marketplace_id_of_return(found, default_marketplace(account))
    content = f"{order.text.strip()[: MESSAGE_CHARS - len(reference) - 2]}\n\n{reference}"
    await as_the_seller(
        account,
        apis,
        lambda token: post_order_api.send_message(
            apis.http,
            apis.settings.ebay_api_base_url,
            token,
            return_id,
            content,
            order.language,
            marketplace_id,
        ),
    )


async def order_shipment(order_id: str, account: Account, apis: MarketplaceApis) -> Parcel | None:
    found = await as_the_seller(
        account,
        apis,
        lambda token: fulfillment_api.shipping_fulfillments(
            apis.http, apis.settings.ebay_api_base_url, token, order_id
        ),
    )
    return first_parcel((f.shipping_carrier_code, f.shipment_tracking_number) for f in found)


def message_reference(message_id: str) -> str:
    return f"Ref. {message_id[:8].upper()}"


async def check_account(account: Account, apis: MarketplaceApis) -> None:
    """The account's credentials as they are now (no kept token): a user token minted from
    them, or the one given, and one page of the seller's returns read with it."""
    base_url = apis.settings.ebay_api_base_url
    credentials = credentials_of(account)
    if credentials.mints:
        token = (await mint_user_token(apis.http, base_url, credentials)).value
    else:
        token = await user_token(account, apis)
    await post_order_api.search_returns(apis.http, base_url, token, default_marketplace(account))


async def read(account: Account, apis: MarketplaceApis, return_id: str) -> EbayReturn:
    return await as_the_seller(
        account,
        apis,
        lambda token: post_order_api.read_return(
            apis.http,
            apis.settings.ebay_api_base_url,
            token,
            return_id,
            default_marketplace(account),
        ),
    )


def return_of(return_id: str | None, order_id: str) -> str:
    if not return_id:
        raise Refused(EBAY, f"eBay refunds and acts through a return; order {order_id} has none")
    return return_id


def same_refund(order: RefundOrder, earlier: IssuedRefund, return_id: str) -> MarketplaceRefund:
    """The refund made before, when it is this order's; refused when it is another."""
    if minor_of(earlier, order.currency) != order.amount_minor:
        paid = f"{earlier.amount} {earlier.currency}"
        reason = f"return {return_id} was refunded already ({paid}); eBay takes one refund a return"
        raise Refused(EBAY, reason)
    return MarketplaceRefund(earlier.refund_ref, order.amount_minor, order.currency)


def minor_of(refund: IssuedRefund, currency: Currency) -> int | None:
    if refund.currency != currency.value:
        return None
    return int((refund.amount * MINOR_UNITS[currency]).to_integral_value())


def currency_of(found: EbayReturn) -> str:
    detail = found.detail.item_detail if found.detail else None
    if detail is None or detail.item_price is None:
        raise Refused(EBAY, "the return shows no item price to refund against")
    return detail.item_price.currency


def default_marketplace(account: Account) -> str:
    """The X-EBAY-C-MARKETPLACE-ID of the seller's home site, until the return names its own."""
    try:
        market = Market(account.default_market or Market.US)
    except ValueError:
        market = Market.US
    return f"EBAY_{'GB' if market is Market.UK else market.value}"
