"""What a remedy needs from a warehouse, and the numbers its parcels carry."""

import secrets
import string
import uuid

from shared.events import CaseItem, Remedy

SHIPPED_REMEDIES = (Remedy.PART_SHIPMENT, Remedy.EXCHANGE, Remedy.RESHIP)
# Remedies whose parcel holds the buyer's own unit, shipped back from the repair shop:
# nothing is taken from stock, and no other warehouse can ship it instead.
BUYERS_OWN_UNIT = frozenset({Remedy.REPAIR})


def spare_part_sku(sku: str) -> str:
    return f"{sku}-PART"


def shipped_items(remedy: Remedy, items: list[CaseItem]) -> list[CaseItem]:
    """What goes in the parcel: one spare part per item line, or a replacement unit per
    unit bought (an exchange, or a reship of a parcel that never arrived). A part is not
    its unit: the unit's catalog facts (weight, size, HS code) do not go with it."""
    if remedy is not Remedy.PART_SHIPMENT:
        return list(items)
    return [
        item.model_copy(update={"sku": spare_part_sku(item.sku), "quantity": 1, "product": None})
        for item in items
    ]


def units_to_reserve(remedy: Remedy, items: list[CaseItem]) -> dict[str, int]:
    """SKU → quantity to reserve for the parcel; nothing for the buyer's own unit."""
    if remedy in BUYERS_OWN_UNIT:
        return {}
    needed: dict[str, int] = {}
    for item in shipped_items(remedy, items):
        needed[item.sku] = needed.get(item.sku, 0) + item.quantity
    return needed


def new_shipment_id() -> str:
    return f"shp-{uuid.uuid4()}"


def new_rma_id() -> str:
    return f"RMA-{secrets.token_hex(6).upper()}"


def new_holding_id() -> str:
    """A parcel on the holding list, until it is matched to its return."""
    return f"hold-{secrets.token_hex(6)}"


def new_pickup_confirmation() -> str:
    return f"PU-{secrets.token_hex(4).upper()}"


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def _s10(prefix: str, country: str) -> str:
    """A UPU S10 number (Royal Mail, Canada Post international): 8 digits and the
    check digit the standard defines."""
    body = _digits(8)
    total = sum(int(d) * w for d, w in zip(body, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{prefix}{body}{check}{country}"


# No carrier API is called: numbers are minted here in each carrier's own format, and a
# carrier integration would replace this table with the number its label API returns.
TRACKING_FORMATS = {
    "USPS": lambda: "9400" + _digits(18),
    "UPS": lambda: (
        "1Z"
        + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        + _digits(10)
    ),
    "FedEx": lambda: _digits(12),
    "DHL": lambda: _digits(20),
    "DPD": lambda: _digits(14),
    "Royal Mail": lambda: _s10("TT", "GB"),
    "Canada Post": lambda: _digits(16),
}


def new_tracking_number(carrier: str) -> str:
    mint = TRACKING_FORMATS.get(carrier)
    if mint is None:
        return "".join(word[0] for word in carrier.upper().split()) + _digits(12)
    return mint()


def drop_off_code(rma_id: str) -> str:
    """What a buyer shows at a drop-off point: the RMA, read by the carrier's scanner."""
    return f"RETURN:{rma_id}"
