"""The outlets' lifecycles: a relabel task open until relabelled, a liquidation lot open
until closed (never empty); each done again is a repeat, and neither causes an event."""

import itertools

import pytest

from services.refurbish.domain.outlets import (
    LOT,
    RELABEL_TASK,
    LotState,
    RelabelState,
    close,
    relabelled,
)
from shared.lifecycle import IllegalTransition


def table(lifecycle) -> tuple[dict, set]:
    moves = {
        (s.value, a): t.value for a, steps in lifecycle.moves.items() for s, t in steps.items()
    }
    return moves, {(s.value, a) for a, states in lifecycle.done.items() for s in states}


RELABEL_MOVES = {("open", "relabel"): "done"}
RELABEL_REPEATS = {("done", "relabel")}
LOT_MOVES = {("open", "close"): "closed"}
LOT_REPEATS = {("closed", "close")}


def test_the_tables_are_the_expected_ones():
    assert {s.value for s in RelabelState} == {"open", "done"}
    assert {s.value for s in LotState} == {"open", "closed"}
    assert table(RELABEL_TASK) == (RELABEL_MOVES, RELABEL_REPEATS)
    assert table(LOT) == (LOT_MOVES, LOT_REPEATS)


@pytest.mark.parametrize(("state", "action"), itertools.product(("open", "done"), ("relabel",)))
def test_every_relabel_task_state_and_action(state, action):
    assert (state, action) in RELABEL_MOVES.keys() | RELABEL_REPEATS
    transition = relabelled(RelabelState(state))
    assert transition.state == RELABEL_MOVES.get((state, action), state)
    assert transition.events == ()


@pytest.mark.parametrize(("state", "action"), itertools.product(("open", "closed"), ("close",)))
def test_every_lot_state_and_action(state, action):
    assert (state, action) in LOT_MOVES.keys() | LOT_REPEATS
    transition = close(LotState(state), "lot-1", units=3)
    assert transition.state == LOT_MOVES.get((state, action), state)
    assert transition.events == ()


def test_a_lot_holding_no_units_is_not_closed_but_a_closed_one_stays_closed():
    with pytest.raises(IllegalTransition) as refused:
        close(LotState.OPEN, "lot-1", units=0)
    assert refused.value.reason == "lot lot-1 holds no units"
    assert close(LotState.CLOSED, "lot-1", units=0).state == "closed"
