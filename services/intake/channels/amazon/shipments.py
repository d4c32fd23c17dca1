"""The parcel an Amazon order the seller shipped went in (Orders API v2026-01-01 getOrder
with its packages, `orders_api.order_packages`), for a buyer who says it never came."""

from services.intake.channels.amazon import orders_api
from services.intake.channels.amazon.messaging import authorised
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.order_shipments import first_parcel
from shared.events import Parcel


async def order_shipment(order_id: str, account: Account, apis: MarketplaceApis) -> Parcel | None:
    partner = authorised(account, f"read the packages of order {order_id}")
    return first_parcel(await orders_api.order_packages(apis, partner, order_id))
