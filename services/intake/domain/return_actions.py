"""An action on the marketplace's return of a case, and its lifecycle: `RETURN_ACTION`.

Which action a decision or a returned unit owes, per remedy, marketplace and reason, and
what a later decision does to those owed before, is `domain/return_decisions.py`'s.

    owed ── perform ──▶ done
      │ ├── fail ──▶ failed ── retry (an agent) ──▶ owed
      │ └── skip ──▶ not needed ── owe again ──▶ owed
      └── drop (the decision changed) ──▶ dropped ── owe again ──▶ owed
            (a failed action is dropped too)

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
from shared.events import MarketplaceStatus
from shared.lifecycle import Lifecycle, Transition


class ActionState(StrEnum):
    OWED = "owed"  # the worker performs it
    DONE = "done"  # the marketplace took it
    FAILED = "failed"  # refused, or unavailable too many times: an agent looks
    NOT_NEEDED = "not_needed"  # nothing to act on at the marketplace (why: `error`)
    DROPPED = "dropped"  # not performed: a later decision no longer owes it (why: `error`)


OWED, DONE, FAILED, NOT_NEEDED, DROPPED = ActionState

RETURN_ACTION = Lifecycle(
    "return action",
    {
        "perform": {OWED: DONE},
        "retry_later": {OWED: OWED},
        "fail": {OWED: FAILED},
        "skip": {OWED: NOT_NEEDED},
        "retry": {FAILED: OWED},
        "drop": {OWED: DROPPED, FAILED: DROPPED},
        "owe again": {NOT_NEEDED: OWED, DROPPED: OWED},
        "discard": {FAILED: DROPPED},  # an operator sets a failed action aside, saying why
    },
    done={
        "perform": {DONE},
        "fail": {FAILED},
        "skip": {NOT_NEEDED},
        "retry": {OWED},
        "drop": {DROPPED},
        "owe again": {OWED},
    },
)

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


def drop(state: ActionState, action_id: str) -> Transition[ActionState]:
    """A later decision no longer owes an action not performed yet."""
    return Transition(RETURN_ACTION.next(state, "drop", f"return action {action_id}") or state)


def discard(state: ActionState, action_id: str) -> Transition[ActionState]:
    """An operator sets a failed action aside (why: `error`); a later decision may owe it
    again."""
    return Transition(RETURN_ACTION.next(state, "discard", f"return action {action_id}") or state)


def owe_again(state: ActionState, action_id: str) -> Transition[ActionState]:
    """A later decision owes an action that was not needed, or dropped, before."""
    return Transition(RETURN_ACTION.next(state, "owe again", f"return action {action_id}") or state)


def after_unavailable(
    state: ActionState, action_id: str, attempts: int, max_attempts: int
) -> Transition[ActionState]:
    """Tried again later while tries are left; failed after the last."""
    if attempts < max_attempts:
        return retry_later(state, action_id)
    return fail(state, action_id)
