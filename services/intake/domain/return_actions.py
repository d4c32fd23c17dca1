"""What intake owes the marketplace's return of a case, and each action's lifecycle:
`RETURN_ACTION`.

A case decided with a remedy that takes the unit back (a full refund on its return: the
one remedy fulfillment issues a return label for) owes an APPROVE of the marketplace's
return: the buyer may send it. A case resolved without the unit (a partial refund, an
exchange, a troubleshooting guide, a part, a reship, a refund without return) owes a
DECLINE of it: the buyer keeps the item, the return request is answered. A unit scanned in
at a warehouse owes MARK_RECEIVED.

Only a return the marketplace holds can be acted on: a case without a marketplace return
id (a generic channel's case, one opened by hand, an Amazon report row without one) owes
nothing to act on, nor does a return the marketplace has already ended (declined,
cancelled, closed, refunded). The action is still recorded, as not needed, with why.

An action is owed in the transaction that consumes its cause, under an id derived from the
case and the action (a redelivered event owes nothing new); the return action worker
performs it (done), or it fails with the marketplace's reason (listed for an agent, and
retried from there). Pure: no I/O.
"""

import uuid
from enum import StrEnum

from services.intake.domain.marketplace_side import ReturnAction
from shared.events import MarketplaceStatus, Remedy
from shared.lifecycle import Lifecycle, Transition


class ActionState(StrEnum):
    OWED = "owed"  # the worker performs it
    DONE = "done"  # the marketplace took it
    FAILED = "failed"  # refused, or unavailable too many times: an agent looks
    NOT_NEEDED = "not_needed"  # nothing to act on at the marketplace (why: `error`)


OWED, DONE, FAILED, NOT_NEEDED = ActionState

RETURN_ACTION = Lifecycle(
    "return action",
    {
        "perform": {OWED: DONE},
        "retry_later": {OWED: OWED},
        "fail": {OWED: FAILED},
        "skip": {OWED: NOT_NEEDED},
        "retry": {FAILED: OWED},
    },
    done={"perform": {DONE}, "fail": {FAILED}, "skip": {NOT_NEEDED}, "retry": {OWED}},
)

# The remedies whose unit comes back through the marketplace's return.
UNIT_COMES_BACK = frozenset({Remedy.RETURN_FULL_REFUND})
# A return the marketplace has ended: nothing left to approve, decline or mark.
RETURN_ENDED = frozenset(
    {
        MarketplaceStatus.DECLINED,
        MarketplaceStatus.CANCELLED,
        MarketplaceStatus.CLOSED,
        MarketplaceStatus.REFUNDED,
    }
)


def action_id_of(case_id: str, action: ReturnAction) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/return/{action.value}"))


def owed_by_decision(remedy: Remedy) -> ReturnAction:
    """Approve the return when the unit is to come back; decline it otherwise."""
    return ReturnAction.APPROVE if remedy in UNIT_COMES_BACK else ReturnAction.DECLINE


def nothing_to_act_on(return_id: str | None, status: MarketplaceStatus) -> str | None:
    """Why the marketplace holds no return to act on; None when it does."""
    if return_id is None:
        return "the marketplace holds no return for this case"
    if status in RETURN_ENDED:
        return f"the marketplace's return is {status.value} already"
    return None


def takes_no_actions(channel: str) -> str:
    """Why an action of a channel without `act_on_return` is not needed."""
    return f"{channel} takes no return actions from intake"


def perform(state: ActionState, action_id: str) -> Transition[ActionState]:
    return Transition(RETURN_ACTION.next(state, "perform", f"return action {action_id}") or state)


def retry_later(state: ActionState, action_id: str) -> Transition[ActionState]:
    return Transition(RETURN_ACTION.next(state, "retry_later", f"return action {action_id}"))


def fail(state: ActionState, action_id: str) -> Transition[ActionState]:
    return Transition(RETURN_ACTION.next(state, "fail", f"return action {action_id}") or state)


def skip(state: ActionState, action_id: str) -> Transition[ActionState]:
    return Transition(RETURN_ACTION.next(state, "skip", f"return action {action_id}") or state)


def retry(state: ActionState, action_id: str) -> Transition[ActionState]:
    """An agent asks for another try of a failed action."""
    return Transition(RETURN_ACTION.next(state, "retry", f"return action {action_id}") or state)


def after_unavailable(
    state: ActionState, action_id: str, attempts: int, max_attempts: int
) -> Transition[ActionState]:
    """Tried again later while tries are left; failed after the last."""
    if attempts < max_attempts:
        return retry_later(state, action_id)
    return fail(state, action_id)
