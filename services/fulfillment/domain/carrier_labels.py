"""A label bought from the carrier through EasyPost, one per reference: a dispatch task's
shipment id (bought while staff pack the parcel) or a return's RMA (bought by a worker once
the return is decided). The reference is also the EasyPost shipment's, and the shipment's
id is kept before anything is bought, so a try whose answer was lost reads the shipment
back instead of buying a second label.

owed → bought; a return label that cannot be bought fails with its cause (and can be owed
again); a label not used (its task given up) is owed a void → voided, or void refused when
the carrier will not take it back (scanned already). Giving up a label voided already owes
its void again: a try may have bought it after the void found nothing bought, and the void
reads the shipment back before it asks for a refund, so none is asked twice."""

from enum import StrEnum

from shared.lifecycle import Lifecycle


class LabelKind(StrEnum):
    DISPATCH = "dispatch"
    RETURN = "return"


class LabelState(StrEnum):
    OWED = "owed"
    BOUGHT = "bought"
    FAILED = "failed"
    VOID_OWED = "void_owed"
    VOIDED = "voided"
    VOID_REFUSED = "void_refused"


OWED, BOUGHT, FAILED, VOID_OWED, VOIDED, VOID_REFUSED = LabelState

LABEL = Lifecycle(
    "carrier label",
    moves={
        "buy": {OWED: BOUGHT},
        "fail": {OWED: FAILED},
        "owe again": {FAILED: OWED},
        "give up": {state: VOID_OWED for state in (OWED, BOUGHT, FAILED, VOIDED)},
        "void": {VOID_OWED: VOIDED},
        "refuse the void": {VOID_OWED: VOID_REFUSED},
    },
    done={
        "buy": {BOUGHT},
        "fail": {FAILED},
        "owe again": {OWED},
        "give up": {VOID_OWED, VOID_REFUSED},
        "void": {VOIDED},
        "refuse the void": {VOID_REFUSED},
    },
)

# EasyPost's refund statuses that mean the carrier takes the label back.
REFUND_TAKEN = frozenset({"submitted", "refunded"})


def buy(state: str, reference: str) -> LabelState:
    """Bought once; bought again (the same purchase read back) changes nothing."""
    return _move(state, "buy", reference)


def fail(state: str, reference: str) -> LabelState:
    return _move(state, "fail", reference)


def owe_again(state: str, reference: str) -> LabelState:
    """A failed label tried again, once its cause is fixed."""
    return _move(state, "owe again", reference)


def give_up(state: str, reference: str) -> LabelState:
    """The label will not be used: owed a void at the carrier."""
    return _move(state, "give up", reference)


def void(state: str, reference: str, refund_status: str | None) -> LabelState:
    """Voided when EasyPost took the refund (or no label was ever bought: `None`); void
    refused when EasyPost rejected it."""
    action = "refuse the void" if refund_status not in REFUND_TAKEN | {None} else "void"
    return _move(state, action, reference)


def _move(state: str, action: str, reference: str) -> LabelState:
    """The state the move leads to; the same state for a repeat. `IllegalTransition`
    for a move the label's state does not allow."""
    current = LabelState(state)
    return LABEL.next(current, action, what=f"label {reference}") or current
