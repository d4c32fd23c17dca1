"""The unit on the bench: which item of the returned parcel it is, and how the
marketplace warehouse knows it."""

from collections.abc import Sequence
from decimal import Decimal

from shared.events import CaseItem

DEFAULT_CATEGORY = "default"


class UnitNotValued(ValueError):
    """The unit has no price to weigh its outlets by: its parcel lists no items, or came
    without the shop's currency (an old event). Grading it is refused with this reason."""


def main_item(items: Sequence[CaseItem]) -> CaseItem:
    """The parcel's most valuable line: the one grading and disposition are about
    (accessories and cheap add-ons travel with it)."""
    if not items:
        raise UnitNotValued("the returned parcel lists no items")
    return max(items, key=lambda item: item.unit_price_minor * item.quantity)


def category_of(item: CaseItem) -> str:
    return (item.category or "").strip().lower() or DEFAULT_CATEGORY


def fnsku_of(item: CaseItem) -> str:
    """The label Amazon's warehouse scans: the product's FNSKU from the seller's catalog;
    without one, the ASIN (Amazon accepts it for units tracked by manufacturer barcode),
    else the SKU."""
    if item.product is not None and item.product.fnsku:
        return item.product.fnsku
    return item.asin or item.sku


def unit_weight_kg(item: CaseItem) -> Decimal | None:
    """The unit's weight from the seller's catalog; None when the catalog does not weigh
    it (its category's estimate is used then)."""
    if item.product is None or item.product.weight_g is None:
        return None
    return Decimal(item.product.weight_g) / 1000
