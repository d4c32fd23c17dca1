"""An accepted exchange: the variant the buyer chose, and the price difference it makes.

The buyer pays only the difference (or gets it back), never a second shipping fee. The
choice replaces the case's first item line, which is the line a marketplace return is
about; a seller's policy caps how large a difference an exchange may settle.
"""

from dataclasses import dataclass

from shared.events import CaseItem, ExchangeChoice


@dataclass(frozen=True)
class Swap:
    items: list[CaseItem]  # what the warehouse ships
    price_difference_minor: int  # > 0: the buyer pays it; < 0: the buyer gets it back

    @property
    def refund_minor(self) -> int:
        return max(0, -self.price_difference_minor)


def swap_for(items: list[CaseItem], choice: ExchangeChoice | None) -> Swap:
    """Without a choice the same item comes again (another unit of the same SKU)."""
    if choice is None:
        return Swap(items, 0)
    first, *rest = items
    chosen = CaseItem(
        sku=choice.sku,
        title=choice.title or first.title,
        category=first.category,
        quantity=first.quantity,
        unit_price_minor=choice.unit_price_minor,
    )
    difference = (choice.unit_price_minor - first.unit_price_minor) * first.quantity
    return Swap([chosen, *rest], difference)


def settles(swap: Swap, max_difference_minor: int) -> bool:
    return abs(swap.price_difference_minor) <= max_difference_minor
