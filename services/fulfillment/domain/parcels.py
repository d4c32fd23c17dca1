"""The parcel a remedy's units make before anyone weighs it: what a label is bought and a
warehouse chosen for. Each unit counts with its weight and size from the seller's catalog
when its case item carries them (`CaseItem.product`), else with its category's estimate
(and no size). The scale at packing, or the carrier's, has the last word."""

from collections.abc import Sequence

from shared.events import CaseItem

# Estimated unit weights (grams) by listing category, for a unit the catalog does not weigh.
UNIT_WEIGHT_G: dict[str, int] = {
    "electronics": 600,
    "home": 1500,
    "apparel": 400,
    "default": 800,
}
SPARE_PART_WEIGHT_G = 150
SPARE_PART_SUFFIX = "-PART"
PACKAGING_G = 200  # box or mailer, dunnage and label
PACKAGING_MM = 20  # what the box's walls and dunnage add to each side of what it holds

# An estimate is never heavier than what every carrier service takes: it picks a
# warehouse and a label, and the scale at packing (or the carrier's) has the last word.
ESTIMATE_CAP_G = 30_000


def parcel_weight_g(items: Sequence[CaseItem]) -> int:
    """An estimate of the packed parcel: each unit by its catalog weight, else its
    category (spare parts by their own weight), plus the packaging, at most
    ESTIMATE_CAP_G."""
    estimate = PACKAGING_G + sum(unit_weight_g(item) * item.quantity for item in items)
    return min(estimate, ESTIMATE_CAP_G)


def unit_weight_g(item: CaseItem) -> int:
    if item.sku.upper().endswith(SPARE_PART_SUFFIX):
        return SPARE_PART_WEIGHT_G
    if item.product is not None and item.product.weight_g is not None:
        return item.product.weight_g
    category = (item.category or "").strip().lower()
    return UNIT_WEIGHT_G.get(category, UNIT_WEIGHT_G["default"])


def parcel_dimensions_mm(items: Sequence[CaseItem]) -> tuple[int, int, int] | None:
    """The box the units fit in (length, width, height, longest first): every unit laid
    flat and stacked, in the packaging. None when a unit's size is not in the catalog
    (a spare part's never is): the carrier then rates the weight alone."""
    units: list[tuple[int, int, int]] = []
    for item in items:
        size = unit_dimensions_mm(item)
        if size is None:
            return None
        units += [size] * item.quantity
    if not units:
        return None
    length = max(unit[0] for unit in units) + PACKAGING_MM
    width = max(unit[1] for unit in units) + PACKAGING_MM
    height = sum(unit[2] for unit in units) + PACKAGING_MM
    longest_first = sorted((length, width, height), reverse=True)
    return longest_first[0], longest_first[1], longest_first[2]


def unit_dimensions_mm(item: CaseItem) -> tuple[int, int, int] | None:
    """The unit's sides, longest first; None for a spare part or a unit the catalog
    does not measure."""
    if item.sku.upper().endswith(SPARE_PART_SUFFIX) or item.product is None:
        return None
    sides = item.product.dimensions_mm
    if sides is None or min(sides) <= 0:
        return None
    length, width, height = sorted(sides, reverse=True)
    return length, width, height
