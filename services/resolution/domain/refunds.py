"""Money owed to a buyer, until the marketplace pays it or refuses: `REFUND`.

A refund is owed pending in the transaction that decides it; the refund worker pays it
and it is issued, or refused (the marketplace said no, or kept failing): an agent looks.
"""

from enum import StrEnum

from shared.events import RefundIssued
from shared.lifecycle import Lifecycle, Transition


class RefundState(StrEnum):
    PENDING = "pending"  # the refund worker pays it
    ISSUED = "issued"  # the marketplace confirmed it
    REFUSED = "refused"  # never paid as asked: an agent must look


PENDING, ISSUED, REFUSED = RefundState

REFUND = Lifecycle(
    "refund",
    {"issue": {PENDING: ISSUED}, "refuse": {PENDING: REFUSED}},
    done={"issue": {ISSUED}, "refuse": {REFUSED}},
)


def issue(state: RefundState, issued: RefundIssued) -> Transition[RefundState]:
    """The marketplace paid it."""
    to = REFUND.next(state, "issue", f"refund {issued.refund_id}")
    return Transition(state) if to is None else Transition(to, (issued,))


def refuse(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """Never paid as asked; the case goes to an agent (its own move, with the reason)."""
    return Transition(REFUND.next(state, "refuse", f"refund {refund_id}") or state)
