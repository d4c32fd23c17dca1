"""The parcel a Walmart purchase order was shipped in: its lines' tracking, read from the
Orders API (`orders_api.purchase_order`), for a buyer who says it never came."""

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.walmart import orders_api
from services.intake.channels.walmart.access import with_token
from services.intake.domain.account import Account
from services.intake.domain.order_shipments import first_parcel
from shared.events import Parcel


async def order_shipment(
    purchase_order_id: str, account: Account, apis: MarketplaceApis
) -> Parcel | None:
    order = await with_token(
        account,
        apis,
        lambda token: orders_api.purchase_order(
            apis.http, apis.settings.walmart_api_base_url, token, purchase_order_id
        ),
    )
    return first_parcel(orders_api.shipments_of(order))
