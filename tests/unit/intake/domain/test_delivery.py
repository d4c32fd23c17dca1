"""A delivery's lifecycle, stated here on its own and checked for every state and move."""

import pytest

from services.intake.domain.delivery import (
    DeliveryState,
    after_failure,
    applied,
    failed,
    retried,
)
from shared.lifecycle import IllegalTransition

ACCEPTED, APPLIED, FAILED = DeliveryState.ACCEPTED, DeliveryState.APPLIED, DeliveryState.FAILED
MOVES = {"apply": applied, "retry": retried, "fail": failed}

# (state, move) -> the state it leads to; every pair not listed is refused.
EXPECTED = {
    (ACCEPTED, "apply"): APPLIED,
    (ACCEPTED, "retry"): ACCEPTED,
    (ACCEPTED, "fail"): FAILED,
}
ALL_PAIRS = [(state, move) for state in DeliveryState for move in MOVES]


def test_the_stored_values_are_unchanged():
    assert [state.value for state in DeliveryState] == ["accepted", "applied", "failed"]


@pytest.mark.parametrize(("state", "move"), [pair for pair in ALL_PAIRS if pair in EXPECTED])
def test_a_legal_move_leads_where_expected_and_emits_nothing(state, move):
    transition = MOVES[move](state)
    assert transition.state is EXPECTED[state, move]
    assert transition.events == ()


@pytest.mark.parametrize(("state", "move"), [pair for pair in ALL_PAIRS if pair not in EXPECTED])
def test_an_illegal_move_is_refused_with_the_reason(state, move):
    with pytest.raises(IllegalTransition, match=f"delivery is {state.value}: it cannot {move}"):
        MOVES[move](state)


@pytest.mark.parametrize(
    ("may_retry", "attempts", "expected"),
    [
        (True, 1, ACCEPTED),  # the marketplace was down: due again later
        (True, 7, ACCEPTED),
        (True, 8, FAILED),  # the last allowed try
        (True, 9, FAILED),
        (False, 1, FAILED),  # trying again cannot help
    ],
)
def test_a_failed_try_is_retried_while_it_may_help_and_tries_are_left(
    may_retry, attempts, expected
):
    transition = after_failure(ACCEPTED, may_retry=may_retry, attempts=attempts, max_attempts=8)
    assert transition.state is expected


@pytest.mark.parametrize("state", [APPLIED, FAILED])
def test_only_an_accepted_delivery_can_fail_a_try(state):
    with pytest.raises(IllegalTransition):
        after_failure(state, may_retry=True, attempts=1, max_attempts=8)
