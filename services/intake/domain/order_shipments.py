"""The order's shipment, asked of the marketplace when a buyer says a parcel never came and
the case names none (`workflows/order_shipments.py`): resolution traces it with the carrier
before sending anything again. Pure.
"""

from collections.abc import Iterable

from services.intake.domain.case import CanonicalCase
from shared.events import Parcel, Reason, Scenario

CARRIER_CHARS = 40
STATUS_CHARS = 40
TRACKING_CHARS = range(4, 65)
UNNAMED_CARRIER = "other"


def wants_shipment(case: CanonicalCase, scenario: Scenario | None) -> bool:
    """A case of a parcel not received (by its reason or as classified) that names no
    parcel, shipped by the seller (the marketplace answers for the parcels it ships)."""
    not_received = case.reason is Reason.NOT_RECEIVED or scenario is Scenario.NOT_RECEIVED
    return not_received and case.parcel is None and not case.fulfilled_by_marketplace


def parcel_of(
    carrier: str | None, tracking_number: str | None, status: str | None = None
) -> Parcel | None:
    """A parcel the carrier can be asked about; None without a usable tracking number.
    `status`: what the marketplace says of it (e.g. Amazon's DELIVERED), kept as evidence."""
    number = (tracking_number or "").strip()
    if len(number) not in TRACKING_CHARS:
        return None
    name = (carrier or "").strip()[:CARRIER_CHARS] or UNNAMED_CARRIER
    said = (status or "").strip().upper()[:STATUS_CHARS] or None
    return Parcel(carrier=name, tracking_number=number, marketplace_status=said)


def first_parcel(found: Iterable[tuple[str | None, ...]]) -> Parcel | None:
    """The first (carrier, tracking number[, marketplace status]) that makes a parcel, in the
    marketplace's order."""
    return next((p for shipment in found if (p := parcel_of(*shipment)) is not None), None)
