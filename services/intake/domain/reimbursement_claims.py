"""A reimbursement claim: what Amazon owes a seller for an FBA unit it damaged (in its
warehouse, or its carrier did) and has not paid for yet: `CLAIM`.

The SP-API has no call to file one: a claim is a case in Seller Central ("Lost and
damaged inventory"), filed by a person. So intake records the claim as owed, with the
evidence Seller Central asks for (the order, SKU, FNSKU, license plate, disposition,
fulfilment centre, dates, the unit's value), lists it for the agents, and keeps what they
say of it: filed (with Seller Central's case id), then settled (with Amazon's
reimbursement id and amount) or rejected. A claim Amazon settles unprompted (a later
report says "Reimbursed") is settled by that report. One claim per case
(`claim_id_of`); a claim still owed is dropped when the unit turns out not to need it.
Pure: no I/O.
"""

import uuid
from enum import StrEnum

from shared.lifecycle import Lifecycle, Transition


class ClaimState(StrEnum):
    OWED = "owed"  # to be filed in Seller Central
    FILED = "filed"  # filed: Amazon is looking at it
    SETTLED = "settled"  # Amazon reimbursed the seller
    REJECTED = "rejected"  # Amazon said no
    NOT_NEEDED = "not_needed"  # the unit turned out not to be Amazon's damage


OWED, FILED, SETTLED, REJECTED, NOT_NEEDED = ClaimState

CLAIM = Lifecycle(
    "reimbursement claim",
    {
        "file": {OWED: FILED},
        "settle": {OWED: SETTLED, FILED: SETTLED},
        "reject": {FILED: REJECTED},
        "drop": {OWED: NOT_NEEDED},
        "owe": {NOT_NEEDED: OWED},  # the unit is Amazon's damage after all
    },
    done={
        "file": {FILED},
        "settle": {SETTLED},
        "reject": {REJECTED},
        "drop": {NOT_NEEDED},
        "owe": {OWED},
    },
)

CLAIM_IDS = uuid.UUID("4e0f7f2c-8d0a-4a55-b3a6-1f9f0d6c2b71")


def claim_id_of(case_id: str) -> str:
    return f"claim-{uuid.uuid5(CLAIM_IDS, case_id)}"


def move(state: ClaimState, action: str, claim_id: str) -> Transition[ClaimState]:
    """The claim after `action`; a repeat leaves it where it is."""
    to = CLAIM.next(state, action, f"reimbursement claim {claim_id}")
    return Transition(to or state)


def value_claimed(unit_price_minor: int | None, quantity: int) -> int | None:
    """What the units cost the buyer, in minor units: the value the claim asks for (None
    when intake could not read the order's price)."""
    if not unit_price_minor:
        return None
    return unit_price_minor * quantity
