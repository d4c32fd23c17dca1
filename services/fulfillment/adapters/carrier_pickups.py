"""Carrier collections booked through EasyPost's Pickup API: `CarrierPickups`.

What it follows (docs.easypost.com, Pickups): a pickup is created for a bought shipment, at
an address, between `min_datetime` and `max_datetime`, with our `reference`; EasyPost
answers it with the `pickup_rates` of the carriers that collect (status "unknown"); buying
one rate (carrier and service) schedules it ("scheduled", with the carrier's
`confirmation`); a scheduled pickup can be cancelled ("canceled").

    POST /v2/pickups              {"pickup": {"address", "shipment": {"id"}, "reference",
                                   "min_datetime", "max_datetime", "instructions"}}
    GET  /v2/pickups/{id}
    POST /v2/pickups/{id}/buy     {"carrier", "service"}
    POST /v2/pickups/{id}/cancel

Like a label, a pickup is bought once: its id is kept before it is bought, a refused
purchase is answered with the pickup read back when it is scheduled already, and a refused
cancellation likewise when it is cancelled already.
"""

from datetime import datetime

from pydantic import BaseModel, Field

from services.fulfillment.adapters.easypost import EasyPostApi, wire_address
from services.fulfillment.domain.carrier_pickups import CarrierPickup, PickupRate
from shared.labels import PostalAddress
from shared.outbound import Refused, Unavailable


class WirePickupRate(BaseModel):
    carrier: str
    service: str
    rate: str
    currency: str


class WirePickup(BaseModel):
    """The part of EasyPost's Pickup read here."""

    id: str = Field(min_length=1)
    reference: str | None = None
    status: str
    confirmation: str | None = None
    pickup_rates: list[WirePickupRate] = Field(default_factory=list)


class CarrierPickups:
    """EasyPost's pickups, through `api`."""

    def __init__(self, api: EasyPostApi) -> None:
        self.api = api

    async def create(
        self,
        reference: str,
        address: PostalAddress,
        shipment_id: str,
        earliest: datetime,
        latest: datetime,
        instructions: str,
    ) -> CarrierPickup:
        pickup = {
            "address": wire_address(address),
            "shipment": {"id": shipment_id},
            "reference": reference,
            "min_datetime": earliest.isoformat(),
            "max_datetime": latest.isoformat(),
            "instructions": instructions,
            "is_account_address": False,
        }
        wire = await self.api.call(
            WirePickup, "POST", "/v2/pickups", f"pickup {reference}", {"pickup": pickup}
        )
        return carrier_pickup(wire)

    async def pickup(self, pickup_id: str) -> CarrierPickup:
        wire = await self.api.call(
            WirePickup, "GET", f"/v2/pickups/{pickup_id}", f"pickup {pickup_id}"
        )
        return carrier_pickup(wire)

    async def buy(self, pickup_id: str, carrier: str, service: str) -> CarrierPickup:
        """Scheduled; the pickup as scheduled already when it was."""
        try:
            wire = await self.api.call(
                WirePickup,
                "POST",
                f"/v2/pickups/{pickup_id}/buy",
                f"pickup {pickup_id}",
                {"carrier": carrier, "service": service},
                unreadable=Unavailable,
            )
        except Refused:
            pickup = await self.pickup(pickup_id)
            if not pickup.is_scheduled:
                raise
            return pickup
        return carrier_pickup(wire)

    async def cancel(self, pickup_id: str) -> CarrierPickup:
        """Cancelled; the pickup as cancelled already when it was."""
        try:
            wire = await self.api.call(
                WirePickup, "POST", f"/v2/pickups/{pickup_id}/cancel", f"pickup {pickup_id}", {}
            )
        except Refused:
            pickup = await self.pickup(pickup_id)
            if not pickup.is_cancelled:
                raise
            return pickup
        return carrier_pickup(wire)


def carrier_pickup(wire: WirePickup) -> CarrierPickup:
    return CarrierPickup(
        pickup_id=wire.id,
        reference=wire.reference,
        status=wire.status,
        confirmation=wire.confirmation,
        rates=tuple(
            PickupRate(rate.carrier, rate.service, rate.rate, rate.currency)
            for rate in wire.pickup_rates
        ),
    )
