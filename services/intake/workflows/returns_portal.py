"""The returns portal of a seller's own shop: the order a buyer names, read through the
seller's channel (Shopify's Admin API, the generic channel's own API), the lines of it no
case claims yet, and the case the buyer starts.

A case started here is a delivery parsed on arrival (`accepting.PARSED`) of the seller's
own channel, stored and applied exactly as a marketplace's webhook is (the delivery worker,
`cases.open_case`): classified, offered, told. Its delivery id is the order's and the
form's key (`portal:<order id>:<key>`), so the same form sent twice opens one case.
"""

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from services.intake.channels.generic import orders_api
from services.intake.channels.shopify import admin_api
from services.intake.channels.shopify.channel import admin_of
from services.intake.channels.shopify.graphql import legacy_id
from services.intake.domain.account import Account
from services.intake.domain.case import (
    CanonicalCase,
    Channel,
    Delivery,
    Item,
    MarketplaceIds,
    OpenCase,
)
from services.intake.domain.returns_portal import OrderLine, PortalOrder
from services.intake.tables import CaseRecord, DeliveryRecord
from services.intake.workflows.accepting import PARSED, Outcome, parsed_content
from services.intake.workflows.context import Intake
from shared.events import Reason

# The channels of sellers' own shops, which have no returns page of their own.
PORTAL_CHANNELS = (Channel.SHOPIFY, Channel.GENERIC)


async def find_order(intake: Intake, account: Account, number: str) -> PortalOrder | None:
    """The account's order of that number; None when it has none. Raises shared.outbound's
    Unavailable or Refused when the channel cannot say."""
    if account.channel is Channel.SHOPIFY:
        name = f"#{number}" if number.isdigit() else number
        found = await admin_api.find_order_named(admin_of(account, intake.marketplaces), name)
        if found is None:
            return None
        order_gid, order = found
        return PortalOrder(
            order_id=legacy_id(order_gid),
            name=name,
            market=order.market,
            currency=order.currency,
            buyer_ref=order.buyer_ref,
            buyer=order.buyer,
            lines=tuple(
                OrderLine(str(line_id), i.sku, i.title or i.sku, i.quantity, i.unit_price)
                for line_id, i in order.items.items()
            ),
        )
    return await orders_api.find_order_numbered(intake.marketplaces, number)


async def claimed(intake: Intake, account: Account, order_id: str) -> Counter[str]:
    """How many of each SKU of the order the account's cases claim already."""
    cases = CaseRecord.__table__
    async with intake.service.transaction() as session:
        rows = await session.execute(
            select(cases.c.case).where(
                cases.c.channel == account.channel.value,
                cases.c.account == account.account,
                cases.c.order_id == order_id,
            )
        )
    counted: Counter[str] = Counter()
    for (case,) in rows:
        for item in (case or {}).get("items") or []:
            counted[item["sku"]] += int(item.get("quantity") or 1)
    return counted


def delivery_of(
    account: Account,
    order: PortalOrder,
    picked: list[tuple[OrderLine, int]],
    reason: str,
    words: str,
    language: str,
    key: str,
    now: datetime,
) -> Delivery:
    """The case the buyer starts, as the delivery their form is."""
    case = CanonicalCase(
        channel=account.channel,
        seller_account=account.account,
        ids=MarketplaceIds(order_id=order.order_id),
        market=order.market,
        currency=order.currency,
        items=[
            Item(sku=line.sku, title=line.title, quantity=quantity, unit_price=line.unit_price)
            for line, quantity in picked
        ],
        marketplace_reason=f"portal:{reason}",
        reason=Reason(reason),
        buyer_words=words,
        buyer_language=language,
        buyer_ref=order.buyer_ref,
        buyer=order.buyer,
        requested_at=now,
    )
    return Delivery(
        channel=account.channel,
        delivery_id=portal_delivery_id(order.order_id, key),
        seller_account=account.account,
        action=OpenCase(case=case),
    )


def portal_delivery_id(order_id: str, key: str) -> str:
    return f"portal:{order_id}:{key}"


async def stored_before(intake: Intake, account: Account, delivery_id: str) -> bool:
    """Whether the form's delivery was stored before (a double submit)."""
    deliveries = DeliveryRecord.__table__
    async with intake.service.transaction() as session:
        found = await session.scalar(
            select(deliveries.c.delivery_id).where(
                deliveries.c.channel == account.channel.value,
                deliveries.c.account == account.account,
                deliveries.c.delivery_id == delivery_id,
            )
        )
    return found is not None


async def case_started_before(intake: Intake, account: Account, delivery_id: str) -> str:
    """The id of the case a delivery stored before opens."""
    return await intake.acceptance.case_named(
        account.channel, account.account, delivery_id, Outcome.DUPLICATE
    )


async def start_case(intake: Intake, delivery: Delivery) -> str:
    """Store the delivery (once) and the id of the case it opens."""
    outcome = await intake.acceptance.accept(
        delivery.channel,
        delivery.delivery_id,
        delivery.seller_account,
        PARSED,
        parsed_content(delivery),
    )
    return await intake.acceptance.case_named(
        delivery.channel, delivery.seller_account, delivery.delivery_id, outcome
    )
