"""A refund's lifecycle: every (state, move) pair of `REFUND`, stated here on its own."""

from datetime import UTC, datetime

import pytest

from services.resolution.domain.refunds import REFUND, RefundState, issue, refuse
from shared.events import RefundIssued, Remedy
from shared.lifecycle import IllegalTransition

STATES = ("pending", "issued", "refused")
MOVES = {"issue": ("pending", "issued"), "refuse": ("pending", "refused")}  # from, to
ISSUED = RefundIssued(
    case_id="case-1",
    refund_id="re-1",
    marketplace="shopify",
    marketplace_refund_id="mkt-re-1",
    amount_minor=499,
    currency="USD",
    remedy=Remedy.PARTIAL_REFUND,
    at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
)


def test_the_states_are_stored_as_before():
    assert [state.value for state in RefundState] == list(STATES)
    assert set(REFUND.actions) == set(MOVES)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(MOVES))
def test_every_move_from_every_state(state, action):
    start, end = MOVES[action]
    if state == start:
        assert REFUND.next(RefundState(state), action) is RefundState(end)
    elif state == end:
        assert REFUND.next(RefundState(state), action) is None
    else:
        with pytest.raises(IllegalTransition, match=f"refund is {state}: it cannot {action}"):
            REFUND.next(RefundState(state), action)


@pytest.mark.parametrize("state", STATES)
def test_issuing_tells_of_the_money_paid_once(state):
    if state == "refused":
        with pytest.raises(IllegalTransition, match="refund re-1 is refused"):
            issue(RefundState(state), ISSUED)
        return
    transition = issue(RefundState(state), ISSUED)
    assert transition.state is RefundState.ISSUED
    assert transition.events == (() if state == "issued" else (ISSUED,))


@pytest.mark.parametrize("state", STATES)
def test_a_refusal_leaves_the_case_to_its_own_move(state):
    if state == "issued":
        with pytest.raises(IllegalTransition, match="refund re-1 is issued"):
            refuse(RefundState(state), "re-1")
        return
    transition = refuse(RefundState(state), "re-1")
    assert (transition.state, transition.events) == (RefundState.REFUSED, ())
