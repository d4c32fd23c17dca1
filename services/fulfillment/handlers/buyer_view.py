"""What a buyer's own page shows of their case's parcels, for intake (which serves the
page): the return (its carrier, tracking number, pickup booked and the windows the
carrier offers, received or not) and each
shipment to the buyer (part, exchange unit, reship: its status and tracking). Internal
Service token only: intake asks on behalf of a buyer holding a valid link."""

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from services.fulfillment.domain.pickups import PickupRefused, PickupWindow, pickup_windows
from services.fulfillment.tables import ReturnParcel, Shipment
from shared.identity import ServiceCall
from shared.markets import Market
from shared.messaging_tables import utc_now
from shared.service import CurrentService

router = APIRouter(tags=["buyers' page"])


@router.get("/cases/{case_id}/buyer-view", summary="The parcels of a case, as its buyer sees them")
async def buyer_view(case_id: str, service: CurrentService, _: ServiceCall) -> dict[str, Any]:
    async with service.sessions() as session:
        parcel = await session.scalar(select(ReturnParcel).where(ReturnParcel.case_id == case_id))
        shipments = list(
            await session.scalars(
                select(Shipment).where(Shipment.case_id == case_id).order_by(Shipment.requested_at)
            )
        )
    return {
        "case_id": case_id,
        "return": None
        if parcel is None
        else {
            "rma_id": parcel.rma_id,
            "carrier": parcel.carrier,
            "tracking_number": parcel.tracking_number,
            "issued_at": parcel.issued_at,
            "received_at": parcel.received_at,
            "pickup": None
            if parcel.pickup_day is None
            else {
                "day": parcel.pickup_day,
                "starts": parcel.pickup_starts,
                "ends": parcel.pickup_ends,
            },
            "pickup_windows": windows_of(parcel),
        },
        "shipments": [
            {
                "remedy": shipment.remedy,
                "status": shipment.status,
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "shipped_at": shipment.shipped_at,
            }
            for shipment in shipments
        ],
    }


def windows_of(parcel: ReturnParcel) -> list[PickupWindow]:
    """When the carrier can collect the return; none once it is received, or where the
    carrier collects nothing (the buyer drops it off)."""
    if parcel.received_at is not None:
        return []
    try:
        return pickup_windows(parcel.carrier, Market(parcel.market), utc_now())
    except (PickupRefused, ValueError):
        return []
