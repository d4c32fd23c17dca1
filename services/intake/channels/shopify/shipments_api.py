"""Shopify Admin GraphQL API: the parcels an order was shipped in, for a buyer who says it
never came (https://shopify.dev/docs/api/admin-graphql/latest/objects/Order: `fulfillments`,
each a Fulfillment with its `status` and `trackingInfo` [FulfillmentTrackingInfo: `company`,
`number`, `url`]). A cancelled, failed or erroneous fulfillment shipped nothing. Needs
read_orders (or read_fulfillments), which the app has already.
"""

from services.intake.channels.shopify.graphql import GraphQLModel, ShopifyAdmin, ask, gid
from services.intake.domain.order_shipments import first_parcel
from shared.events import Parcel
from shared.outbound import Refused

FULFILLMENTS = 10
TRACKING_EACH = 5
NOT_SHIPPED = frozenset({"CANCELLED", "ERROR", "FAILURE"})

SHIPMENTS_QUERY = """
query OrderShipments($id: ID!, $first: Int!, $tracking: Int!) {
  order(id: $id) {
    fulfillments(first: $first) { status trackingInfo(first: $tracking) { company number } }
  }
}
"""


class TrackingInfo(GraphQLModel):
    company: str | None = None
    number: str | None = None


class Fulfillment(GraphQLModel):
    status: str
    tracking_info: list[TrackingInfo] = []


class Order(GraphQLModel):
    fulfillments: list[Fulfillment] = []


class OrderData(GraphQLModel):
    order: Order | None = None


async def order_shipment(admin: ShopifyAdmin, order_id: str) -> Parcel | None:
    variables = {"id": gid("Order", order_id), "first": FULFILLMENTS, "tracking": TRACKING_EACH}
    data = await ask(admin, OrderData, SHIPMENTS_QUERY, variables, f"order {order_id}")
    if data.order is None:
        raise Refused("shopify", f"no order {order_id}")
    shipped = [f for f in data.order.fulfillments if f.status not in NOT_SHIPPED]
    return first_parcel((t.company, t.number) for f in shipped for t in f.tracking_info)
