"""A refund's lifecycle: every (state, move) pair of `REFUND`, stated here on its own."""

from datetime import UTC, datetime

import pytest

from services.resolution.domain.refunds import (
    REFUND,
    RefundState,
    discard,
    issue,
    refuse,
    retry,
)
from shared.events import RefundIssued, Remedy
from shared.lifecycle import IllegalTransition

STATES = ("pending", "issued", "refused", "discarded")
# action: (from, to, whether taking it again where it led is a repeat rather than refused)
MOVES = {
    "issue": ("pending", "issued", True),
    "refuse": ("pending", "refused", True),
    "retry": ("refused", "pending", True),
    "discard": ("refused", "discarded", False),
}
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
    start, end, repeats = MOVES[action]
    if state == start:
        assert REFUND.next(RefundState(state), action) is RefundState(end)
    elif state == end and repeats:
        assert REFUND.next(RefundState(state), action) is None
    else:
        with pytest.raises(IllegalTransition, match=f"refund is {state}: it cannot {action}"):
            REFUND.next(RefundState(state), action)


@pytest.mark.parametrize("state", STATES)
def test_issuing_tells_of_the_money_paid_once(state):
    if state in ("refused", "discarded"):
        with pytest.raises(IllegalTransition, match=f"refund re-1 is {state}"):
            issue(RefundState(state), ISSUED)
        return
    transition = issue(RefundState(state), ISSUED)
    assert transition.state is RefundState.ISSUED
    assert transition.events == (() if state == "issued" else (ISSUED,))


@pytest.mark.parametrize("state", STATES)
def test_a_refusal_leaves_the_case_to_its_own_move(state):
    if state in ("issued", "discarded"):
        with pytest.raises(IllegalTransition, match=f"refund re-1 is {state}"):
            refuse(RefundState(state), "re-1")
        return
    transition = refuse(RefundState(state), "re-1")
    assert (transition.state, transition.events) == (RefundState.REFUSED, ())


def test_an_agent_asks_again_for_a_refused_refund_or_sets_it_aside():
    assert retry(RefundState.REFUSED, "re-1").state is RefundState.PENDING
    assert discard(RefundState.REFUSED, "re-1").state is RefundState.DISCARDED
    with pytest.raises(IllegalTransition, match="refund re-1 is discarded"):
        discard(RefundState.DISCARDED, "re-1")  # set aside once: a second time is refused
    with pytest.raises(IllegalTransition, match="refund re-1 is issued"):
        retry(RefundState.ISSUED, "re-1")
