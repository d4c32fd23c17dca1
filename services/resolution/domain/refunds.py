"""Money owed to a buyer, until the marketplace pays it or refuses: `REFUND`.

A refund is owed pending in the transaction that decides it; the refund worker pays it
and it is issued, or refused (the marketplace said no, or kept failing): an agent looks,
and either asks for it again once its cause is fixed (refused → pending: the worker pays it
under the same key) or sets it aside with the reason (refused → discarded: paid by hand, say).
"""

from enum import StrEnum

from shared.events import RefundIssued
from shared.lifecycle import Lifecycle, Transition


class RefundState(StrEnum):
    PENDING = "pending"  # the refund worker pays it
    ISSUED = "issued"  # the marketplace confirmed it
    REFUSED = "refused"  # never paid as asked: an agent must look
    DISCARDED = "discarded"  # refused, then set aside by an agent, with the reason


PENDING, ISSUED, REFUSED, DISCARDED = RefundState

REFUND = Lifecycle(
    "refund",
    {
        "issue": {PENDING: ISSUED},
        "refuse": {PENDING: REFUSED},
        "retry": {REFUSED: PENDING},
        "discard": {REFUSED: DISCARDED},
    },
    done={"issue": {ISSUED}, "refuse": {REFUSED}, "retry": {PENDING}},
)


def issue(state: RefundState, issued: RefundIssued) -> Transition[RefundState]:
    """The marketplace paid it."""
    to = REFUND.next(state, "issue", f"refund {issued.refund_id}")
    return Transition(state) if to is None else Transition(to, (issued,))


def refuse(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """Never paid as asked; the case goes to an agent (its own move, with the reason)."""
    return Transition(REFUND.next(state, "refuse", f"refund {refund_id}") or state)


def retry(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """Refused, its cause since fixed: owed again, under the same key."""
    return Transition(REFUND.next(state, "retry", f"refund {refund_id}") or state)


def discard(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """Refused, and set aside by an agent for good."""
    return Transition(REFUND.next(state, "discard", f"refund {refund_id}") or state)
