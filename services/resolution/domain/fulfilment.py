"""Who takes a return back: the seller, or the marketplace itself.

A seller-fulfilled return is the seller's: a prepaid label, a refund from the seller, a
remedy steered by the plan. An order the marketplace fulfilled from its own warehouses
(Amazon FBA: `case.opened` names its marketplace `amazon_fba`) comes back to the
marketplace: Amazon takes the unit back at its fulfilment centre and refunds the buyer
itself. The seller owes neither a label nor a refund, so resolution plans no remedy for
it; intake follows the unit (what the fulfilment centre found, and what that calls for).
"""

FULFILLED_BY_MARKETPLACE: dict[str, str] = {"amazon_fba": "Amazon"}


def fulfilled_by_marketplace(marketplace: str) -> bool:
    return marketplace.strip().lower() in FULFILLED_BY_MARKETPLACE


def marketplace_takes_it_back(marketplace: str) -> str:
    """Why nothing is planned for the case, in words."""
    who = FULFILLED_BY_MARKETPLACE[marketplace.strip().lower()]
    return (
        f"fulfilled by {who}: {who} takes the unit back and refunds the buyer; the seller "
        "owes no return label and no refund (the unit's way is on the case's timeline)"
    )
