"""The parcel of a case that names none, asked of its marketplace by the order when the
buyer says it never came (`domain/order_shipments.py`); the case then opens with it, and
resolution traces it with the carrier before any reship.

Each channel's `order_shipment` asks its own API: Shopify's order fulfillments
(`trackingInfo`), eBay's Fulfillment API (getShippingFulfillments), Walmart's purchase
order (each line's `trackingInfo`), Amazon's Orders API (getOrder with PACKAGES). A
marketplace that cannot answer now (Unavailable) delays the delivery like any other read of
it; one that refuses, or knows no shipment, leaves the case as it was: it opens without a
parcel, and resolution goes on without a trace.
"""

import logging

from services.intake.channels.registry import BY_NAME
from services.intake.domain.account import Account
from services.intake.domain.case import CanonicalCase, Channel, Delivery, OpenCase
from services.intake.domain.classification import classify
from services.intake.domain.order_shipments import wants_shipment
from services.intake.workflows.context import Intake
from shared.outbound import Refused

log = logging.getLogger(__name__)


async def with_shipments(
    deliveries: list[Delivery], channel: Channel, account_name: str, intake: Intake
) -> list[Delivery]:
    """The deliveries, each case of a parcel not received completed with the order's parcel."""
    marketplace = BY_NAME.get(channel)
    if marketplace is None or marketplace.order_shipment is None:
        return deliveries
    if not any(isinstance(delivery.action, OpenCase) for delivery in deliveries):
        return deliveries
    account = await intake.accounts.find(channel, account_name)
    if account is None:
        return deliveries
    return [await with_shipment(delivery, account, intake) for delivery in deliveries]


async def with_shipment(delivery: Delivery, account: Account, intake: Intake) -> Delivery:
    action = delivery.action
    if not isinstance(action, OpenCase):
        return delivery
    case = await case_with_parcel(action.case, account, intake)
    if case is action.case:
        return delivery
    return delivery.model_copy(update={"action": action.model_copy(update={"case": case})})


async def case_with_parcel(case: CanonicalCase, account: Account, intake: Intake) -> CanonicalCase:
    channel = BY_NAME.get(case.channel)
    if channel is None or channel.order_shipment is None:
        return case
    words = (case.reason, case.marketplace_reason, case.buyer_words, case.buyer_language)
    scenario = classify(*words).scenario
    if not wants_shipment(case, scenario):
        return case
    order_id = case.ids.order_id
    try:
        parcel = await channel.order_shipment(order_id, account, intake.marketplaces)
    except Refused as refusal:
        log.warning("no shipment of order %s from %s: %s", order_id, case.channel, refusal)
        return case
    if parcel is None:
        log.info("%s knows no shipment of order %s", case.channel, order_id)
        return case
    intake.service.counter("cases.parcel_found", "parcels found by order").add(
        1, {"channel": case.channel.value}
    )
    return case.model_copy(update={"parcel": parcel})
