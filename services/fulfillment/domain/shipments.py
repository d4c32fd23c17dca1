"""What a remedy needs from a warehouse."""

import secrets
import uuid

from shared.events import CaseItem, Remedy

SHIPPED_REMEDIES = (Remedy.PART_SHIPMENT, Remedy.EXCHANGE, Remedy.RESHIP)


def spare_part_sku(sku: str) -> str:
    return f"{sku}-PART"


def units_to_reserve(remedy: Remedy, items: list[CaseItem]) -> dict[str, int]:
    """SKU → quantity: one spare part per item line, or a replacement unit per unit bought
    (an exchange, or a reship of a parcel that never arrived)."""
    needed: dict[str, int] = {}
    for item in items:
        if remedy is Remedy.PART_SHIPMENT:
            sku, quantity = spare_part_sku(item.sku), 1
        else:
            sku, quantity = item.sku, item.quantity
        needed[sku] = needed.get(sku, 0) + quantity
    return needed


def new_shipment_id() -> str:
    return f"shp-{uuid.uuid4()}"


def new_rma_id() -> str:
    return f"RMA-{secrets.token_hex(6).upper()}"


def new_tracking_number(carrier: str) -> str:
    prefix = "".join(word[0] for word in carrier.upper().split())
    return f"{prefix}{secrets.randbelow(10**12):012d}"
