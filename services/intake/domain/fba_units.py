"""An Amazon FBA unit a buyer sent back, as Amazon's fulfilment centre found it, and what
that calls for: `outcome_of`, `FOLLOW_UPS`.

Amazon takes an FBA unit back and refunds its buyer itself; it grades the unit (the FBA
customer returns report's `detailed-disposition`, its "condition codes",
https://sellercentral.amazon.com/gp/help/external/200453320) and says what it did with it
(`status`: "Unit returned to inventory", "Reimbursed", "Repackaged successfully"...):
- SELLABLE: back in the seller's sellable stock. Nothing owed.
- DEFECTIVE, CUSTOMER_DAMAGED, DISTRIBUTOR_DAMAGED (the seller sent it in damaged),
  EXPIRED: set aside as unsellable, still the seller's, and disposed of by Amazon unless it
  is removed: a removal order ships it to the seller's local warehouse (inspect, repair,
  grade, resell).
- DAMAGED (damaged in Amazon's warehouse), CARRIER_DAMAGED: Amazon's damage. Amazon takes
  the unit and owes the seller its value (FBA lost and damaged inventory reimbursement
  policy): a reimbursement claim, unless Amazon reimbursed already.
- no disposition yet: received, not graded: a later report says.
- any other: kept as Amazon wrote it; an agent decides what it calls for.
A unit whose status says Amazon reimbursed it is Amazon's, whatever its disposition: nothing
is owed. Each report's word is kept; a later one that says otherwise moves the unit on
(`moves_on`), an older one changes nothing. Pure.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    """What the unit's grading calls for."""

    PENDING = "pending"  # received, not graded yet
    BACK_IN_STOCK = "back_in_stock"  # sellable again: nothing owed
    REMOVAL = "removal"  # unsellable, the seller's: a removal order to a local warehouse
    CLAIM = "claim"  # Amazon's damage: a reimbursement claim
    REIMBURSED = "reimbursed"  # Amazon paid the seller for it already
    AGENT = "agent"  # a disposition intake does not know: an agent decides


SELLABLE = frozenset({"SELLABLE"})
UNSELLABLE = frozenset({"DEFECTIVE", "CUSTOMER_DAMAGED", "DISTRIBUTOR_DAMAGED", "EXPIRED"})
# Amazon's own damage ("Warehouse Damaged" is DAMAGED in the download).
AMAZONS_DAMAGE = frozenset({"DAMAGED", "WAREHOUSE_DAMAGED", "CARRIER_DAMAGED"})
KNOWN_DISPOSITIONS = SELLABLE | UNSELLABLE | AMAZONS_DAMAGE
# What an agent may decide for a unit of a disposition intake does not know.
DECIDABLE = frozenset({Outcome.BACK_IN_STOCK, Outcome.REMOVAL, Outcome.CLAIM, Outcome.REIMBURSED})


def disposition_key(disposition: str) -> str:
    """Amazon's condition code as the download writes it, from what a file says
    ("Customer Damaged", "customer-damaged" → CUSTOMER_DAMAGED)."""
    return "_".join(disposition.replace("-", " ").replace("_", " ").upper().split())


def reimbursed(amazon_status: str) -> bool:
    return "reimburs" in amazon_status.lower()


def outcome_of(disposition: str, amazon_status: str) -> Outcome:
    key = disposition_key(disposition)
    if reimbursed(amazon_status):
        return Outcome.REIMBURSED
    if not key:
        return Outcome.PENDING
    if key in SELLABLE:
        return Outcome.BACK_IN_STOCK
    if key in UNSELLABLE:
        return Outcome.REMOVAL
    if key in AMAZONS_DAMAGE:
        return Outcome.CLAIM
    return Outcome.AGENT


WORDS = {
    Outcome.PENDING: "received, not graded yet",
    Outcome.BACK_IN_STOCK: "back in sellable stock, nothing owed",
    Outcome.REMOVAL: "unsellable: a removal order to a local warehouse is owed (inspect, repair)",
    Outcome.CLAIM: "Amazon's damage: a reimbursement claim is owed to the seller",
    Outcome.REIMBURSED: "Amazon took the unit and reimbursed the seller",
    Outcome.AGENT: "a disposition intake does not know: an agent decides what it calls for",
}


def note_of(fulfillment_center: str, disposition: str, amazon_status: str) -> str:
    """The unit on the case's timeline: where it is, what Amazon found, what that calls for."""
    found = disposition or "not graded"
    outcome = outcome_of(disposition, amazon_status)
    return (
        f"back at Amazon {fulfillment_center}: {found}, {amazon_status or 'processed'}; "
        + (WORDS[outcome])
    )


@dataclass(frozen=True)
class FollowUp:
    """What an outcome does to the unit's removal order and reimbursement claim.

    removal: "owe" one (once per case), or "drop" one still owed and not yet sent to Amazon.
    claim: "owe" one, "drop" one still owed, or "settle" one owed or filed (Amazon paid).
    """

    removal: str | None = None
    claim: str | None = None


FOLLOW_UPS: dict[Outcome, FollowUp] = {
    Outcome.PENDING: FollowUp(),
    Outcome.AGENT: FollowUp(),
    Outcome.BACK_IN_STOCK: FollowUp(removal="drop", claim="drop"),
    Outcome.REMOVAL: FollowUp(removal="owe", claim="drop"),
    Outcome.CLAIM: FollowUp(removal="drop", claim="owe"),
    Outcome.REIMBURSED: FollowUp(removal="drop", claim="settle"),
}


def moves_on(
    known: tuple[str, str, datetime] | None, disposition: str, amazon_status: str, seen_at: datetime
) -> bool:
    """Whether a report seen at `seen_at` changes what is known of the unit (`known`: its
    disposition, status and when that was seen; None: nothing yet). An older report, or one
    that says the same, changes nothing."""
    if known is None:
        return True
    known_disposition, known_status, known_seen_at = known
    if seen_at < known_seen_at:
        return False
    return (disposition, amazon_status) != (known_disposition, known_status)
