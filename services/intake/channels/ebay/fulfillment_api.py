"""eBay's Sell Fulfillment API: the parcels an order was shipped in, for a buyer who says it
never came.

- `shipping_fulfillments`: GET {base_url}/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment
  (getShippingFulfillments, https://developer.ebay.com/api-docs/sell/fulfillment/resources/
  order/shipping_fulfillment/methods/getShippingFulfillments), with the seller's user token
  as `Authorization: Bearer`: `{"fulfillments": [ShippingFulfillment], "total",
  "warnings"}`, each with `fulfillmentId`, `shipmentTrackingNumber`, `shippingCarrierCode`,
  `shippedDate` and `lineItems` (the tracking fields "returned if available").
Errors as the Post-Order calls' (`post_order_api.post_order_error_of`): 404 an order the
seller does not have, 401/403 the token refused, 429 and 5xx Unavailable.
"""

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.ebay.post_order_api import EBAY, post_order_error_of
from shared.outbound import answer_to, resource_of

ORDERS = "/sell/fulfillment/v1/order"


class Fulfillment(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True)

    fulfillment_id: str | None = None
    shipment_tracking_number: str | None = None
    shipping_carrier_code: str | None = None


class Fulfillments(BaseModel):
    fulfillments: list[Fulfillment] = Field(default_factory=list)


async def shipping_fulfillments(
    client: httpx.AsyncClient, base_url: str, user_token: str, order_id: str
) -> list[Fulfillment]:
    request = client.build_request(
        "GET",
        f"{base_url.rstrip('/')}{ORDERS}/{order_id}/shipping_fulfillment",
        headers={"Authorization": f"Bearer {user_token}", "Accept": "application/json"},
    )
    what = f"the shipping fulfillments of order {order_id}"
    response = await answer_to(client, request, EBAY, what, reason_of=post_order_error_of)
    return resource_of(Fulfillments, response, EBAY, what).fulfillments
