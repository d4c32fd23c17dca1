"""Which action a case's decision owes its marketplace's return, per remedy, marketplace
and the buyer's reason; what a returned unit owes it; and what a decision that changed
does to the actions owed before. Pure: no I/O.

What the remedy does with the unit (`Settlement`) and why the buyer sent it back (`Ground`)
decide, marketplace by marketplace (`owed_by_decision`; the table is in the README):
- the unit comes back (a full refund on its return): approve, at Shopify and eBay; nothing
  at Walmart and Amazon, which authorise returns themselves;
- kept and refunded through the marketplace (a partial refund, a refund without return, an
  exchange refunding a difference): close; at eBay the refund issued on the return closes
  it (intake confirms it did); nothing at Walmart and Amazon, whose refund closes it;
- kept, nothing paid (an exchange, a part, a guide, a reship): close at Shopify; at eBay
  decline when the buyer changed their mind, nothing when the item is at fault (eBay lets
  no seller decline a "not as described" return); nothing at Walmart and Amazon (no call);
- an Amazon FBA unit: nothing, Amazon takes it back and refunds the buyer itself.
"Nothing" is an action recorded not needed, with the marketplace's reason, never sent.
Shopify closes a kept return as its status allows: a requested one is declined (reason
OTHER, the note saying how the case was resolved), an open one closed (`returnClose`).

A later decision of the same case (an exchange out of stock, then a return; an agent's)
supersedes the earlier one (`after_decision`): an action owed and not performed that it
no longer owes is dropped, with why; one performed is not undone, and the action the new
decision owes is owed when the marketplace takes it after the one performed
(`blocked_after`): after an approval a kept unit's return is still closed (Shopify's
`returnClose`, eBay's refund), not declined; after a decline or a close nothing more is
taken on that return (Shopify approves only a requested return, eBay only a requested one
and takes one seller refund per return).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.intake.domain.marketplace_side import ReturnAction
from services.intake.domain.return_actions import ActionState
from shared.events import Reason, Remedy

APPROVE, DECLINE, CLOSE, MARK_RECEIVED = ReturnAction
SHOPIFY, EBAY, WALMART, AMAZON, AMAZON_FBA = "shopify", "ebay", "walmart", "amazon", "amazon_fba"
NAMES = {
    SHOPIFY: "Shopify",
    EBAY: "eBay",
    WALMART: "Walmart",
    AMAZON: "Amazon",
    AMAZON_FBA: "Amazon (FBA)",
}
# Actions a decision owes; a receipt owes MARK_RECEIVED, whatever was decided.
DECIDED = frozenset({APPROVE, DECLINE, CLOSE})
# Actions after which the marketplace's return is over.
ENDS_RETURN = frozenset({DECLINE, CLOSE})


class Settlement(StrEnum):
    """What the remedy does with the unit."""

    COMES_BACK = "comes back"  # a full refund on its return: the one remedy with a label
    KEPT_REFUNDED = "kept, refunded"  # the buyer keeps it and is paid through the marketplace
    KEPT = "kept"  # the buyer keeps it; nothing is paid through the marketplace


class Ground(StrEnum):
    """Why the buyer sent it back, as marketplaces sort returns (eBay's reasonType)."""

    FAULT = "fault"  # the item or its delivery is at fault: eBay's SNAD, not as described
    REMORSE = "remorse"  # nothing wrong with the item: the buyer's choice
    UNKNOWN = "unknown"


FAULT_REASONS = frozenset(
    {
        Reason.DEFECTIVE,
        Reason.DAMAGED,
        Reason.MISSING_PARTS,
        Reason.NOT_AS_DESCRIBED,
        Reason.QUALITY,
        Reason.WRONG_ITEM,
        Reason.NOT_RECEIVED,
    }
)
REMORSE_REASONS = frozenset(
    {
        Reason.CHANGED_MIND,
        Reason.SIZE_TOO_SMALL,
        Reason.SIZE_TOO_LARGE,
        Reason.SIZE_FIT,
        Reason.STYLE,
        Reason.HARD_TO_USE,
    }
)


@dataclass(frozen=True)
class Owed:
    """An action owed on the return; `not_needed`: nothing to send, and why."""

    action: ReturnAction
    not_needed: str | None = None


def settlement_of(remedy: Remedy, refund_minor: int = 0) -> Settlement:
    if remedy is Remedy.RETURN_FULL_REFUND:
        return Settlement.COMES_BACK
    if remedy is Remedy.STORE_CREDIT:  # a gift card in the seller's shop: no marketplace money
        return Settlement.KEPT
    return Settlement.KEPT_REFUNDED if refund_minor > 0 else Settlement.KEPT


def ground_of(reason: str | None) -> Ground:
    """The case's canonical reason (eBay's codes and reasonType map onto it: DEFECTIVE_ITEM,
    ARRIVED_DAMAGED, NOT_AS_DESCRIBED... are faults; NO_LONGER_NEED_ITEM, WRONG_SIZE...
    remorse); a reason that says nothing is unknown, and counts as a fault where it matters."""
    try:
        known = Reason(reason or Reason.OTHER)
    except ValueError:
        return Ground.UNKNOWN
    if known in FAULT_REASONS:
        return Ground.FAULT
    if known in REMORSE_REASONS:
        return Ground.REMORSE
    return Ground.UNKNOWN


def marketplace_of(channel: str, published: Mapping[str, object]) -> str:
    """The case's marketplace as `case.opened` named it (`amazon_fba` for a unit Amazon
    fulfilled), else its channel."""
    named = published.get("marketplace")
    return named if isinstance(named, str) and named else channel


def words(remedy: Remedy) -> str:
    return remedy.value.replace("_", " ")


def owed_by_decision(
    remedy: Remedy, marketplace: str, ground: Ground, refund_minor: int = 0
) -> Owed:
    """The action the decision owes the case's return at `marketplace` (see the table)."""
    settlement = settlement_of(remedy, refund_minor)
    action = APPROVE if settlement is Settlement.COMES_BACK else CLOSE
    if marketplace == SHOPIFY:
        return Owed(action)
    if marketplace == EBAY:
        return ebay_owes(remedy, settlement, ground)
    if marketplace == WALMART:
        return Owed(action, WALMART_DOES_NOT[settlement])
    if marketplace == AMAZON:
        return Owed(action, AMAZON_DOES_NOT[settlement])
    if marketplace == AMAZON_FBA:
        return Owed(action, FBA)
    # Any other channel: its worker finds whether it takes return actions at all.
    return Owed(action)


def ebay_owes(remedy: Remedy, settlement: Settlement, ground: Ground) -> Owed:
    if settlement is Settlement.COMES_BACK:
        return Owed(APPROVE)  # Process Return Request, APPROVE
    if settlement is Settlement.KEPT_REFUNDED:
        return Owed(CLOSE)  # the refund issued on the return (Issue Return Refund) closes it
    if ground is Ground.REMORSE:
        return Owed(DECLINE)  # Process Return Request, DECLINE: a remorse return only
    why = (
        "eBay lets no seller decline a return opened as not as described (or one whose reason "
        f"is not known): the buyer closes it once the {words(remedy)} reached them, or asks "
        "eBay to step in"
    )
    return Owed(CLOSE, why)


WALMART_DOES_NOT = {
    Settlement.COMES_BACK: (
        "Walmart authorises every return itself: its Returns API has no call to approve one"
    ),
    Settlement.KEPT_REFUNDED: (
        "Walmart completes a return with its refund (Returns API, Issue refund); a smaller "
        "refund goes through the Orders API, and no call of Walmart's closes a return"
    ),
    Settlement.KEPT: "Walmart's Returns API has no call to decline or close a return",
}
AMAZON_DOES_NOT = {
    Settlement.COMES_BACK: (
        "Amazon authorises a seller-fulfilled return within its policy itself (outside it, "
        "the seller does in Seller Central): the SP-API has no call to authorise one"
    ),
    Settlement.KEPT_REFUNDED: (
        "Amazon closes a seller-fulfilled return with its refund (the payment adjustment "
        "feed): the SP-API has no call to close one"
    ),
    Settlement.KEPT: (
        "the SP-API has no call to close a seller-fulfilled return: the seller closes it in "
        "Seller Central"
    ),
}
FBA = "Amazon takes an FBA unit back and refunds the buyer itself"

RECEIPT_NOT_NEEDED = {
    SHOPIFY: (
        "Shopify has no call to mark a return received: receiving is returnProcess, which "
        "settles the return's money too, and intake refunds through refundCreate"
    ),
    WALMART: "Walmart's Returns API has no call to mark a return received",
    AMAZON: "the SP-API has no call to mark a seller-fulfilled return received",
    AMAZON_FBA: FBA,
}


def owed_by_receipt(marketplace: str) -> Owed:
    """A unit scanned in at a warehouse: eBay is told (mark as received); the others have
    no such call."""
    return Owed(MARK_RECEIVED, RECEIPT_NOT_NEEDED.get(marketplace))


def blocked_after(marketplace: str, performed: ReturnAction, then: ReturnAction) -> str | None:
    """Why the marketplace takes no `then` on a return intake did `performed` to already;
    None when it does."""
    name = NAMES.get(marketplace, marketplace)
    if performed in ENDS_RETURN:
        return (
            f"{name}'s return was ended ({performed.value}) before the decision changed: "
            f"{name} takes no {then.value.replace('_', ' ')} on it since"
        )
    if performed is APPROVE and then is DECLINE:
        return (
            f"{name} declines only a return not approved yet, and this one was approved "
            "before the decision changed"
        )
    return None


class Move(StrEnum):
    """What a decision does to one action of the case."""

    OWE = "owe"  # a new action, owed
    SKIP = "skip"  # a new action, not needed (why)
    REFRESH = "refresh"  # owed (or failed) still: its note says the latest decision
    DROP = "drop"  # owed or failed, not performed: no longer owed (why)
    OWE_AGAIN = "owe again"  # not needed or dropped before, owed now
    KEEP = "keep"  # as it is: performed, or not needed / dropped and not owed now


@dataclass(frozen=True)
class Change:
    action: ReturnAction
    move: Move
    why: str | None = None


NOT_PERFORMED = frozenset({ActionState.OWED, ActionState.FAILED})
SETTLED_UNPERFORMED = frozenset({ActionState.NOT_NEEDED, ActionState.DROPPED})


def after_decision(
    owed: Owed,
    held: Mapping[ReturnAction, ActionState],
    marketplace: str,
    remedy: Remedy,
    nothing_open: str | None = None,
) -> list[Change]:
    """What the latest decision does to the case's actions: `held` are the actions owed so
    far and their states, `nothing_open` why the marketplace holds no return open (if so).
    A receipt's MARK_RECEIVED is no decision's to change."""
    changes = [
        Change(action, Move.DROP, f"not performed: the case is resolved by {words(remedy)} since")
        for action, state in held.items()
        if action in DECIDED and action is not owed.action and state in NOT_PERFORMED
    ]
    why = nothing_open or owed.not_needed or performed_before(owed.action, held, marketplace)
    state = held.get(owed.action)
    if state is None:
        changes.append(Change(owed.action, Move.SKIP if why else Move.OWE, why))
    elif state in NOT_PERFORMED:
        changes.append(Change(owed.action, Move.DROP if why else Move.REFRESH, why))
    elif state in SETTLED_UNPERFORMED and why is None:
        changes.append(Change(owed.action, Move.OWE_AGAIN))
    else:
        changes.append(Change(owed.action, Move.KEEP))
    return changes


def performed_before(
    then: ReturnAction, held: Mapping[ReturnAction, ActionState], marketplace: str
) -> str | None:
    """Why an action performed already keeps the marketplace from taking `then`."""
    for performed, state in held.items():
        if state is ActionState.DONE and performed is not then and performed in DECIDED:
            why = blocked_after(marketplace, performed, then)
            if why:
                return why
    return None


def after_receipt(
    owed: Owed,
    held: Mapping[ReturnAction, ActionState],
    marketplace: str,
    nothing_open: str | None = None,
) -> Change:
    """A unit received: MARK_RECEIVED owed once, unless the return is over or the
    marketplace has no such call."""
    if owed.action in held:
        return Change(owed.action, Move.KEEP)
    why = nothing_open or owed.not_needed or performed_before(owed.action, held, marketplace)
    return Change(owed.action, Move.SKIP if why else Move.OWE, why)
