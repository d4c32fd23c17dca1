"""Actions on a marketplace's return: every (state, move) pair of `RETURN_ACTION`, stated
here on its own, and when there is nothing to act on (which action a decision owes:
`test_return_decisions.py`)."""

import pytest

from services.intake.domain.marketplace_side import ReturnAction
from services.intake.domain.return_actions import (
    RETURN_ACTION,
    ActionState,
    action_id_of,
    after_unavailable,
    discard,
    drop,
    fail,
    nothing_to_act_on,
    owe_again,
    perform,
    retry,
    retry_later,
    skip,
    takes_no_actions,
)
from shared.events import MarketplaceStatus
from shared.lifecycle import IllegalTransition

STATES = ("owed", "done", "failed", "not_needed", "dropped")
# action: ({from: to}, the states where it was taken already)
MOVES = {
    "perform": ({"owed": "done"}, {"done"}),
    "retry_later": ({"owed": "owed"}, set()),
    "fail": ({"owed": "failed"}, {"failed"}),
    "skip": ({"owed": "not_needed"}, {"not_needed"}),
    "retry": ({"failed": "owed"}, {"owed"}),
    "drop": ({"owed": "dropped", "failed": "dropped"}, {"dropped"}),
    "owe again": ({"not_needed": "owed", "dropped": "owed"}, {"owed"}),
    "discard": ({"failed": "dropped"}, set()),  # an operator, with the reason
}
MOVE_OF = {
    "perform": perform,
    "retry_later": retry_later,
    "fail": fail,
    "skip": skip,
    "retry": retry,
    "drop": drop,
    "owe again": owe_again,
    "discard": discard,
}


def test_the_states_are_stored_by_these_names():
    assert [state.value for state in ActionState] == list(STATES)
    assert set(RETURN_ACTION.actions) == set(MOVES)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(MOVES))
def test_every_move_from_every_state(state, action):
    steps, done = MOVES[action]
    move = MOVE_OF[action]
    if state in steps:
        transition = move(ActionState(state), "ra-1")
        assert (transition.state, transition.events) == (ActionState(steps[state]), ())
    elif state in done:
        assert move(ActionState(state), "ra-1").state is ActionState(state)
    else:
        with pytest.raises(
            IllegalTransition, match=f"return action ra-1 is {state}: it cannot {action}"
        ):
            move(ActionState(state), "ra-1")


@pytest.mark.parametrize(("attempts", "state"), [(1, "owed"), (4, "owed"), (5, "failed")])
def test_an_unavailable_marketplace_is_tried_again_until_the_last_try(attempts, state):
    assert after_unavailable(ActionState.OWED, "ra-1", attempts, 5).state is ActionState(state)


@pytest.mark.parametrize("status", list(MarketplaceStatus))
def test_only_a_return_the_marketplace_holds_open_is_acted_on(status):
    ended = {"declined", "cancelled", "closed", "refunded"}
    why = nothing_to_act_on("RET-1", status)
    if status.value in ended:
        assert why == f"the marketplace's return is {status.value} already"
    else:
        assert why is None
    assert nothing_to_act_on(None, status) == "the marketplace holds no return for this case"


def test_a_channel_without_return_actions_says_so():
    assert takes_no_actions("walmart") == "walmart takes no return actions from intake"


def test_one_action_per_case_and_kind():
    assert action_id_of("case-1", ReturnAction.APPROVE) == action_id_of(
        "case-1", ReturnAction.APPROVE
    )
    ids = {action_id_of(case, action) for case in ("case-1", "case-2") for action in ReturnAction}
    assert len(ids) == 2 * len(ReturnAction)
