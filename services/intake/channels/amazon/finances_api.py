"""The refunds Amazon posted in a window, from the Finances API (v0): what intake compares
with the FBA units that came back (`workflows/fba_refunds.py`).

Follows the Finances API v0 reference
(https://developer-docs.amazon.com/sp-api/docs/finances-api-reference), listFinancialEvents:
`GET /finances/v0/financialEvents?PostedAfter=&PostedBefore=&MaxResultsPerPage=`, answered
`{"payload": {"NextToken"?, "FinancialEvents": {"RefundEventList": [ShipmentEvent]}}}`,
the next page asked for with `NextToken` alone. A ShipmentEvent: `AmazonOrderId`,
`PostedDate`, `ShipmentItemAdjustmentList` of items (`SellerSKU`, `QuantityShipped`,
`ItemChargeAdjustmentList`: the Principal charged back, negative). Each item is one
`PostedRefund`; which orders Amazon fulfilled is the Orders API's to say.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.intake.channels.amazon.feeds_api import ChargeComponent
from services.intake.channels.amazon.sp_api import SP_API, SellingPartner, call
from services.intake.channels.marketplace import MarketplaceApis
from shared.outbound import Refused, resource_of

PATH = "/finances/v0/financialEvents"
PAGE_SIZE = 100  # Amazon's largest
MAX_PAGES = 200


class RefundedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    SellerSKU: str | None = None
    QuantityShipped: int = 1
    ItemChargeAdjustmentList: list[ChargeComponent] = Field(default_factory=list)


class ShipmentEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    AmazonOrderId: str | None = None
    PostedDate: AwareDatetime | None = None
    ShipmentItemAdjustmentList: list[RefundedItem] = Field(default_factory=list)


class Events(BaseModel):
    RefundEventList: list[ShipmentEvent] = Field(default_factory=list)


class Page(BaseModel):
    NextToken: str | None = None
    FinancialEvents: Events = Events()


class ListFinancialEventsResponse(BaseModel):
    payload: Page = Page()


@dataclass(frozen=True)
class PostedRefund:
    """One SKU of an order refunded: how many units, when, and the principal given back."""

    order_id: str
    sku: str
    quantity: int
    refunded_at: datetime
    amount: Decimal  # positive: what the buyer got back
    currency: str | None


def refunds_of(event: ShipmentEvent) -> list[PostedRefund]:
    """The event's items; one without an order, a SKU or a date says nothing to follow."""
    if not event.AmazonOrderId or event.PostedDate is None:
        return []
    refunds = []
    for item in event.ShipmentItemAdjustmentList:
        if not item.SellerSKU:
            continue
        principal = [c for c in item.ItemChargeAdjustmentList if c.ChargeType == "Principal"]
        refunds.append(
            PostedRefund(
                order_id=event.AmazonOrderId,
                sku=item.SellerSKU,
                quantity=max(abs(item.QuantityShipped), 1),
                refunded_at=event.PostedDate,
                amount=-sum((c.ChargeAmount.CurrencyAmount for c in principal), Decimal(0)),
                currency=next((c.ChargeAmount.CurrencyCode for c in principal), None),
            )
        )
    return refunds


async def refunds_posted(
    apis: MarketplaceApis, partner: SellingPartner, after: datetime, before: datetime
) -> list[PostedRefund]:
    """Every refund Amazon posted in [after, before), page after page. A 429 or an outage
    is Unavailable: the whole window is asked for again (refunds are kept once)."""
    what = f"the refunds posted from {after.isoformat()} to {before.isoformat()}"
    params: dict[str, str | int] = {
        "PostedAfter": after.isoformat(),
        "PostedBefore": before.isoformat(),
        "MaxResultsPerPage": PAGE_SIZE,
    }
    refunds: list[PostedRefund] = []
    for _ in range(MAX_PAGES):
        response = await call(apis, partner, "GET", PATH, what, params=params)
        page = resource_of(ListFinancialEventsResponse, response, SP_API, what).payload
        for event in page.FinancialEvents.RefundEventList:
            refunds += refunds_of(event)
        if not page.NextToken:
            return refunds
        params = {"NextToken": page.NextToken}
    raise Refused(SP_API, f"{what}: more than {MAX_PAGES} pages")
