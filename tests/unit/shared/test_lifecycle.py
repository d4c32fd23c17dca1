"""A lifecycle table: moves, harmless repeats, refusals in words."""

from enum import StrEnum

import pytest

from shared.events import CaseClassified, Scenario
from shared.lifecycle import IllegalTransition, Lifecycle, Transition


class Door(StrEnum):
    SHUT = "shut"
    OPEN = "open"
    LOCKED = "locked"


DOOR = Lifecycle(
    "door",
    moves={"open": {Door.SHUT: Door.OPEN}, "lock": {Door.SHUT: Door.LOCKED}},
    done={"open": {Door.OPEN}},
)


def test_a_move_leads_where_its_table_says():
    assert DOOR.next(Door.SHUT, "open") is Door.OPEN
    assert DOOR.next(Door.SHUT, "lock") is Door.LOCKED


def test_an_action_taken_already_is_a_repeat():
    assert DOOR.next(Door.OPEN, "open") is None


def test_a_move_the_table_does_not_allow_is_refused_in_words():
    with pytest.raises(IllegalTransition) as refused:
        DOOR.next(Door.LOCKED, "open")
    assert refused.value.reason == "door is locked: it cannot open"
    with pytest.raises(IllegalTransition, match="^the back door is open: it cannot lock$"):
        DOOR.next(Door.OPEN, "lock", what="the back door")
    with pytest.raises(IllegalTransition, match="^unlock it first$"):
        DOOR.next(Door.LOCKED, "open", refusal="unlock it first")


def test_allows_and_actions_read_the_table():
    assert DOOR.actions == ("open", "lock")
    assert DOOR.allows(Door.SHUT, "lock") and not DOOR.allows(Door.OPEN, "lock")


def test_a_transition_without_events_is_a_repeat():
    event = CaseClassified(case_id="case-1", scenario=Scenario.MINOR_DEFECT, agent="ana")
    assert Transition(Door.OPEN).repeated
    assert not Transition(Door.OPEN, (event,)).repeated
