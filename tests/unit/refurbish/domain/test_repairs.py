"""The repair job's lifecycle: open until done; done again is a repeat."""

import itertools
from datetime import UTC, datetime

import pytest

from services.refurbish.domain.repairs import REPAIR, RepairState, finish

MOVES = {("open", "finish"): "done"}
REPEATS = {("done", "finish")}
STATES = ("open", "done")
ACTIONS = ("finish",)
AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def finished(state: str):
    return finish(
        RepairState(state),
        case_id="case-1",
        inspection_id="insp-1",
        repair_id="rep-1",
        technician="ben",
        at=AT,
    )


def test_the_table_is_the_expected_one():
    assert {s.value for s in RepairState} == set(STATES)
    moves = {(s.value, a): t.value for a, steps in REPAIR.moves.items() for s, t in steps.items()}
    assert moves == MOVES
    assert {(s.value, a) for a, states in REPAIR.done.items() for s in states} == REPEATS


@pytest.mark.parametrize(("state", "action"), itertools.product(STATES, ACTIONS))
def test_every_state_and_action(state, action):
    assert (state, action) in MOVES.keys() | REPEATS  # nothing here is refused
    transition = finished(state)
    if (state, action) in REPEATS:
        assert (transition.state, transition.events) == (state, ())
        return
    assert transition.state == MOVES[state, action]
    (completed,) = transition.events
    assert completed.event_type == "refurbish.repair_completed"
    assert (completed.case_id, completed.inspection_id, completed.repair_id) == (
        "case-1",
        "insp-1",
        "rep-1",
    )
    assert (completed.technician, completed.at) == ("ben", AT)
