"""Walmart Orders API: a purchase order's lines and the refunds made on them, and refunds of
an amount the seller sets.

The Returns API refunds whole lines only; Walmart sends a partial refund (an adjustment
the seller sets) to the Refund Order Lines call instead
(https://developer.walmart.com/us-marketplace/reference/issuerefund: "Use the Refund Order
Lines API for ... adjustments where the seller sets a partial refund amount"):

- `refund_order_lines`: POST {base_url}/v3/orders/{purchaseOrderId}/refund with
  `{"orderRefund": {"purchaseOrderId", "orderLines": {"orderLine": [{"lineNumber",
  "isFullRefund": false, "refunds": {"refund": [{"refundComments", "refundCharges":
  {"refundCharge": [{"refundReason", "charge": {"chargeType": "PRODUCT", "chargeName":
  "ItemPrice", "chargeAmount": {"currency", "amount"}}}]}}]}}]}}}`, the amount negative and
  no more than the line was charged (https://developer.walmart.com/us-marketplace/docs/
  refund-orders, reference https://developer.walmart.com/us-marketplace/reference/refundorder);
  Walmart answers the order with the refunded lines.
- `purchase_order`: GET {base_url}/v3/orders/{purchaseOrderId}
  (https://developer.walmart.com/us-marketplace/docs/get-an-order): `{"order":
  {"purchaseOrderId", "orderLines": {"orderLine": [{"lineNumber", "charges": {"charge":
  [...]}, "refund": {"refundId", "refundComments", "refundCharges": {...}}, "orderLineStatuses":
  {"orderLineStatus": [{"status", "trackingInfo": {"shipDateTime", "carrierName":
  {"carrier", "otherCarrier"}, "methodCode", "trackingNumber", "trackingURL"}}]}}]}}}`: a
  shipped line's tracking, the parcel a buyer who says it never came is traced by.

Neither call takes an idempotency key: the refund's comment carries the key, and a
read-back of the order (`refunds_with_comment`) finds a refund made before.
"""

from collections.abc import Sequence
from decimal import Decimal

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.intake.channels.walmart.api import WALMART, reason_of, url, walmart_headers
from shared.outbound import Unavailable, answer_to, resource_of

PRODUCT = "PRODUCT"
ITEM_PRICE = "ItemPrice"
# Walmart's refund reasons name what went wrong; a goodwill adjustment is its own reason.
GOODWILL = "Finance -> Goodwill"


class WalmartModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True, populate_by_name=True)


class Amount(WalmartModel):
    currency: str
    amount: Decimal


class Charge(WalmartModel):
    charge_type: str | None = None
    charge_name: str | None = None
    charge_amount: Amount


class RefundCharge(WalmartModel):
    refund_reason: str | None = None
    charge: Charge


class RefundCharges(WalmartModel):
    refund_charge: list[RefundCharge] = []


class Refund(WalmartModel):
    refund_id: str | None = None
    refund_comments: str | None = None
    refund_charges: RefundCharges = RefundCharges()

    @property
    def amount(self) -> Decimal:
        """What was paid back: the charges are negative."""
        return -sum((c.charge.charge_amount.amount for c in self.refund_charge_list), Decimal(0))

    @property
    def refund_charge_list(self) -> list[RefundCharge]:
        return self.refund_charges.refund_charge


class CarrierName(WalmartModel):
    carrier: str | None = None  # one of Walmart's carriers ("UPS", "FedEx", "USPS"...)
    other_carrier: str | None = None  # any other, named by the seller


class TrackingInfo(WalmartModel):
    tracking_number: str | None = None
    carrier_name: CarrierName | None = None
    tracking_url: str | None = Field(default=None, alias="trackingURL")


class OrderLineStatus(WalmartModel):
    status: str | None = None
    tracking_info: TrackingInfo | None = None


class OrderLineStatuses(WalmartModel):
    order_line_status: list[OrderLineStatus] = []


class OrderLine(WalmartModel):
    line_number: str
    refund: Refund | None = None
    order_line_statuses: OrderLineStatuses = Field(default_factory=OrderLineStatuses)


class OrderLines(WalmartModel):
    order_line: list[OrderLine] = []


class PurchaseOrder(WalmartModel):
    purchase_order_id: str
    order_lines: OrderLines = Field(default_factory=OrderLines)


class OrderAnswer(WalmartModel):
    order: PurchaseOrder


async def purchase_order(
    client: httpx.AsyncClient, base_url: str, access_token: str, purchase_order_id: str
) -> PurchaseOrder:
    request = client.build_request(
        "GET",
        url(base_url, f"/v3/orders/{purchase_order_id}"),
        headers=walmart_headers(access_token),
    )
    what = f"purchase order {purchase_order_id}"
    response = await answer_to(client, request, WALMART, what, reason_of=reason_of)
    return resource_of(OrderAnswer, response, WALMART, what).order


async def refund_order_lines(
    client: httpx.AsyncClient,
    base_url: str,
    access_token: str,
    purchase_order_id: str,
    amounts: Sequence[tuple[str, Decimal]],
    currency: str,
    comments: str,
) -> PurchaseOrder:
    """Refund `amounts` (line number, positive amount) of the purchase order's lines; the
    order as Walmart answers, with the refunds made."""
    lines = [
        {
            "lineNumber": line_number,
            "isFullRefund": False,
            "refunds": {
                "refund": [
                    {
                        "refundComments": comments,
                        "refundCharges": {
                            "refundCharge": [
                                {
                                    "refundReason": GOODWILL,
                                    "charge": {
                                        "chargeType": PRODUCT,
                                        "chargeName": ITEM_PRICE,
                                        "chargeAmount": {
                                            "currency": currency,
                                            "amount": float(-amount),
                                        },
                                    },
                                }
                            ]
                        },
                    }
                ]
            },
        }
        for line_number, amount in amounts
    ]
    refund = {"purchaseOrderId": purchase_order_id, "orderLines": {"orderLine": lines}}
    body = {"orderRefund": refund}
    request = client.build_request(
        "POST",
        url(base_url, f"/v3/orders/{purchase_order_id}/refund"),
        json=body,
        headers=walmart_headers(access_token),
    )
    what = f"a refund on purchase order {purchase_order_id}"
    response = await answer_to(client, request, WALMART, what, reason_of=reason_of)
    return resource_of(OrderAnswer, response, WALMART, what, unreadable=Unavailable).order


def refunds_with_comment(order: PurchaseOrder, comments: str) -> list[tuple[str, Refund]]:
    """The refunds on the order's lines whose comment is `comments`: (line number, refund)."""
    return [
        (line.line_number, line.refund)
        for line in order.order_lines.order_line
        if line.refund is not None and line.refund.refund_comments == comments
    ]


def shipments_of(order: PurchaseOrder) -> list[tuple[str | None, str | None]]:
    """Each shipped line's (carrier, tracking number), in the order's line order."""
    found = []
    for line in order.order_lines.order_line:
        for status in line.order_line_statuses.order_line_status:
            tracking = status.tracking_info
            if tracking is None:
                continue
            names = tracking.carrier_name or CarrierName()
            found.append((names.carrier or names.other_carrier, tracking.tracking_number))
    return found
