"""Paying an Amazon buyer back for a seller-fulfilled case, exactly once; none for FBA.

An order Amazon fulfilled (FulfillmentChannel AFN) is Amazon's to refund: its buyer is
refunded by Amazon when the unit reaches a fulfilment centre, so a refund asked for one is
refused with that reason. A seller-fulfilled order is refunded through the Feeds API's
payment adjustment feed (POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA, "Flat File Order
Adjustments", https://developer-docs.amazon.com/sp-api/docs/order-feed-type-values): one
feed per refund, one record per order item the amount is spread over (each up to what
the item cost, in the order's own items' order), `adjustment-reason-code` CustomerReturn
for a refund of a returned unit, GeneralAdjustment otherwise, the amount in
`item-price-adj`. The feed's processing report says whether each record was applied; a
feed still in process after a short wait leaves the refund unavailable for now.

A feed takes no idempotency key, so before a retry whose answer was lost (`find_refund`)
Amazon is read back: the order's refunds in the Finances API (RefundEventList) are
searched for one of this amount and currency. While an adjustment feed of the account is
still in process, or one done in the last FINANCIAL_EVENT_LAG may not be posted to the
order's financial events yet, nothing can be said: Unavailable, asked again later. Left
to a person: two refunds of one order of the very same amount, one of them lost, are
not told apart by Amazon's events (the read-back takes the refund found as this one's:
it never pays twice, and may pay one too few).

Amazon has no call to authorise or close a seller-fulfilled return (Seller Central does
it), so the channel has no `act_on_return`.
"""

import asyncio
from datetime import timedelta
from decimal import Decimal

from services.intake.channels.amazon import feeds_api, orders_api
from services.intake.channels.amazon.reports_api import ProcessingStatus
from services.intake.channels.amazon.sp_api import SP_API, SellingPartner, call, selling_partner
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from shared.markets import MINOR_UNITS, Currency
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable

FEED_TYPE = "POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA"
CONTENT_TYPE = "text/tab-separated-values; charset=UTF-8"
COLUMNS = (
    "order-id", "order-item-id", "adjustment-reason-code", "currency", "item-price-adj",
    "item-tax-adj", "shipping-price-adj", "shipping-tax-adj",
)  # fmt: skip
# The remedy the refund is for, and Amazon's adjustment reason code.
REASON_CODES = {"return_full_refund": "CustomerReturn", "exchange": "Exchange"}
DEFAULT_REASON_CODE = "GeneralAdjustment"
# Pauses between looks at a feed being processed, within one try.
LOOKS = (0.2, 0.5, 1.0)
PENDING = feeds_api.IN_PROCESS
FINANCIAL_EVENT_LAG = timedelta(hours=6)


def authorised(account: Account) -> SellingPartner:
    partner = selling_partner(account)
    if partner is None:
        raise Refused(SP_API, f"amazon account {account.account} has no SP-API authorisation")
    return partner


async def seller_fulfilled(
    order: RefundOrder, partner: SellingPartner, apis: MarketplaceApis
) -> orders_api.Order:
    """The refund's order, which must be the seller's to refund, in the refund's currency."""
    found = await orders_api.get_order(apis, partner, order.order_id)
    if found.FulfillmentChannel == "AFN":
        raise Refused(
            SP_API,
            f"refund {order.refund_id}: order {order.order_id} was fulfilled by Amazon, which "
            "refunds its buyer itself; the seller pays no refund",
            code="fulfilled_by_amazon",
        )
    currency = found.OrderTotal.CurrencyCode if found.OrderTotal else None
    if currency and currency != order.currency.value:
        raise Refused(SP_API, f"refund {order.refund_id}: order {order.order_id} is in {currency}")
    return found


async def pay_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    partner = authorised(account)
    found = await seller_fulfilled(order, partner, apis)
    items = await orders_api.get_order_items(apis, partner, order.order_id)
    records = spread(order, items)
    marketplaces = [found.MarketplaceId] if found.MarketplaceId else list(partner.marketplace_ids)
    feed_id = await feeds_api.submit_feed(
        apis, partner, FEED_TYPE, marketplaces, feed_content(order, records), CONTENT_TYPE
    )
    return await result_of(feed_id, order, records, partner, apis)


async def find_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund | None:
    """The refund an earlier try of `order` made, read back from Amazon; None if none."""
    partner = authorised(account)
    await seller_fulfilled(order, partner, apis)
    now = utc_now()
    recent = await feeds_api.feeds_since(apis, partner, FEED_TYPE, now - FINANCIAL_EVENT_LAG)
    pending = [feed for feed in recent if feed.processing_status in PENDING]
    if pending:
        raise Unavailable(
            SP_API,
            f"refund {order.refund_id}: adjustment feed {pending[0].feed_id} is still being "
            "processed; whether it holds this refund is known once it is done",
            retry_after=60,
        )
    for event in await feeds_api.refund_events(apis, partner, order.order_id):
        if refunded_minor(event, order.currency) == order.amount_minor:
            ids = [item.OrderAdjustmentItemId or "" for item in event.ShipmentItemAdjustmentList]
            return MarketplaceRefund(",".join(filter(None, ids)) or f"order {order.order_id}",
                                     order.amount_minor, order.currency)  # fmt: skip
    applied = [feed for feed in recent if feed.processing_status is ProcessingStatus.DONE]
    for feed in applied:
        if feed.result_feed_document_id and feeds_api.records_successful(
            await feeds_api.feed_result(apis, partner, feed.result_feed_document_id)
        ):
            raise Unavailable(
                SP_API,
                f"refund {order.refund_id}: adjustment feed {feed.feed_id} applied records "
                "not yet among the order's financial events; asked again later",
                retry_after=600,
            )
    return None


def spread(order: RefundOrder, items: list[orders_api.OrderItem]) -> list[tuple[str, Decimal]]:
    """The refund over the order's items, each up to what it cost: (order item id, amount)."""
    left = Decimal(order.amount_minor) / MINOR_UNITS[order.currency]
    records = []
    for item in items:
        cost = item.ItemPrice.Amount if item.ItemPrice and item.ItemPrice.Amount else Decimal(0)
        share = min(left, cost)
        if share > 0:
            records.append((item.OrderItemId, share.quantize(Decimal("0.01"))))
            left -= share
    if left > 0:
        raise Refused(
            SP_API,
            f"refund {order.refund_id}: {order.amount_minor} is more than order "
            f"{order.order_id} cost",
        )
    return records


def feed_content(order: RefundOrder, records: list[tuple[str, Decimal]]) -> bytes:
    reason = REASON_CODES.get(order.reason, DEFAULT_REASON_CODE)
    lines = ["\t".join(COLUMNS)] + [
        "\t".join((order.order_id, item_id, reason, order.currency.value, f"{amount:.2f}",
                   "0.00", "0.00", "0.00"))
        for item_id, amount in records
    ]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


async def result_of(
    feed_id: str,
    order: RefundOrder,
    records: list[tuple[str, Decimal]],
    partner: SellingPartner,
    apis: MarketplaceApis,
) -> MarketplaceRefund:
    """What the feed did, once Amazon has processed it (a short wait at most)."""
    for pause in (*LOOKS, None):
        feed = await feeds_api.get_feed(apis, partner, feed_id)
        if feed.processing_status not in PENDING or pause is None:
            break
        await asyncio.sleep(pause)
    if feed.processing_status in PENDING:
        raise Unavailable(
            SP_API, f"refund {order.refund_id}: feed {feed_id} is still being processed", None, 60
        )
    if feed.processing_status is not ProcessingStatus.DONE or not feed.result_feed_document_id:
        raise Refused(
            SP_API, f"refund {order.refund_id}: feed {feed_id} {feed.processing_status.value}"
        )
    report = await feeds_api.feed_result(apis, partner, feed.result_feed_document_id)
    failed = feeds_api.record_errors(report)
    paid = sum(
        (amount for index, (_, amount) in enumerate(records, start=1) if index not in failed),
        Decimal(0),
    )
    if paid == 0:
        refusal = "; ".join(failed.values()) or "no record applied"
        raise Refused(SP_API, f"refund {order.refund_id}: Amazon applied none of it: {refusal}")
    minor = int(paid * MINOR_UNITS[order.currency])
    return MarketplaceRefund(f"feed:{feed_id}", minor, order.currency)


def refunded_minor(event: feeds_api.RefundEvent, currency: Currency) -> int:
    """What the event gave back to the buyer (the Principal charged back), in minor units."""
    total = Decimal(0)
    for item in event.ShipmentItemAdjustmentList:
        for charge in item.ItemChargeAdjustmentList:
            amount = charge.ChargeAmount
            if charge.ChargeType == "Principal" and amount.CurrencyCode == currency.value:
                total -= amount.CurrencyAmount
    return int((total * MINOR_UNITS[currency]).quantize(Decimal(1)))


async def check_account(account: Account, apis: MarketplaceApis) -> None:
    """One cheap call the credentials must pass: the seller's marketplace participations
    (Sellers API, `GET /sellers/v1/marketplaceParticipations`)."""
    await call(apis, authorised(account), "GET", "/sellers/v1/marketplaceParticipations",
               f"the marketplaces of seller {account.account}")  # fmt: skip
