"""An FBA order Amazon refunded, and whether its unit came back: `verdict`.

Amazon refunds the buyer of an FBA order as soon as a return is asked for. The unit then
has Amazon's window (45 days from the refund, `AMAZON_REFUND_RETURN_DAYS`) to reach a
fulfilment centre; one that never does is in no returns report, and Amazon owes the seller
its value (FBA customer return reimbursement policy). So each FBA refund (order, SKU,
quantity, when it was posted) is kept and compared with the units of the same order and
SKU the returns reports have brought (`amazon_fba_units`), `verdict`:

- waiting, as many units back as refunded: matched, nothing owed;
- waiting, fewer back, before the due date: waiting;
- waiting, fewer back, the due date passed and the reports read past it: claimed (a
  reimbursement claim owed for the units not back);
- waiting, fewer back, the due date passed, the reports not read that far: waiting (a
  unit may be in a report not read yet);
- claimed, as many back as refunded: arrived late (the claim says so, for the agents);
- claimed, fewer back: claimed; matched or arrived late: as it is.

"The reports read past it": the account's FBA returns report has been read up to the due
date or later and every return it brought is recorded (`reported_until`), so a unit not
found was not returned. A unit that comes back after the window but before the claim is
owed is matched: it came back, nothing is missing. Pure: no I/O.
"""

import uuid
from datetime import datetime, timedelta
from enum import StrEnum


class RefundState(StrEnum):
    WAITING = "waiting"  # refunded, the unit not back yet, the window still open
    MATCHED = "matched"  # the unit came back: nothing owed
    CLAIMED = "claimed"  # the window passed without it: a reimbursement claim owed
    ARRIVED_LATE = "arrived_late"  # it came back after the claim was owed


OPEN = frozenset({RefundState.WAITING, RefundState.CLAIMED})

REFUND_CLAIMS = uuid.UUID("9b8f3a4e-2c61-4d0e-9a57-3f1c6e2d8b40")


def due_at(refunded_at: datetime, window_days: int) -> datetime:
    """When the unit should have reached Amazon at the latest."""
    return refunded_at + timedelta(days=window_days)


def verdict(
    state: RefundState,
    quantity: int,
    units_back: int,
    due: datetime,
    now: datetime,
    reported_until: datetime | None,
) -> RefundState:
    """What the refund is now (the rules above). `reported_until`: how far the returns
    reports have been read with every unit recorded; None: not known."""
    back = units_back >= quantity
    if state is RefundState.WAITING:
        if back:
            return RefundState.MATCHED
        reported = reported_until is not None and reported_until >= due
        return RefundState.CLAIMED if now >= due and reported else RefundState.WAITING
    if state is RefundState.CLAIMED and back:
        return RefundState.ARRIVED_LATE
    return state


def missing(quantity: int, units_back: int) -> int:
    """The units the claim asks for: refunded, not back."""
    return max(quantity - units_back, 0)


def refund_key(order_id: str, sku: str, refunded_at: datetime) -> str:
    return f"{order_id}/{sku}@{refunded_at.isoformat()}"


def claim_id_of(account: str, order_id: str, sku: str, refunded_at: datetime) -> str:
    """The claim of one refund, the same every time it is owed."""
    key = f"{account}:{refund_key(order_id, sku, refunded_at)}"
    return f"claim-{uuid.uuid5(REFUND_CLAIMS, key)}"


NOT_RETURNED = "refunded, not returned"


def late_note(license_plates: list[str], returned_at: datetime) -> str:
    plates = ", ".join(license_plates) or "no license plate"
    return (
        f"the unit came back to Amazon on {returned_at.date().isoformat()} ({plates}) after "
        "the claim was owed: Amazon may take back what it reimburses, or the claim be withdrawn"
    )
