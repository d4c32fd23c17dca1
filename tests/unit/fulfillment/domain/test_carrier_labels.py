"""A carrier label's lifecycle: every move from every state, stated here independently."""

import pytest

from services.fulfillment.domain import carrier_labels
from services.fulfillment.domain.carrier_labels import LABEL, LabelState
from shared.lifecycle import IllegalTransition

REFUSED = "refused"
STATES = ("owed", "bought", "failed", "void_owed", "voided", "void_refused")
# (state, action) → the state it leads to (itself for a repeat), or a refusal.
EXPECTED = {
    "buy": {"owed": "bought", "bought": "bought"},
    "fail": {"owed": "failed", "failed": "failed"},
    "owe again": {"failed": "owed", "owed": "owed"},
    "give up": {
        "owed": "void_owed",
        "bought": "void_owed",
        "failed": "void_owed",
        "voided": "void_owed",  # a purchase may have landed after the void found none
        "void_owed": "void_owed",
        "void_refused": "void_refused",
    },
    "void": {"void_owed": "voided", "voided": "voided"},
    "refuse the void": {"void_owed": "void_refused", "void_refused": "void_refused"},
}


def move(state: str, action: str) -> LabelState:
    if action == "buy":
        return carrier_labels.buy(state, "shp-1")
    if action == "fail":
        return carrier_labels.fail(state, "shp-1")
    if action == "owe again":
        return carrier_labels.owe_again(state, "shp-1")
    if action == "give up":
        return carrier_labels.give_up(state, "shp-1")
    if action == "void":
        return carrier_labels.void(state, "shp-1", "submitted")
    return carrier_labels.void(state, "shp-1", "rejected")


def test_the_table_has_every_state_and_action_of_the_expected_one():
    assert {state.value for state in LabelState} == set(STATES)
    assert set(LABEL.actions) == set(EXPECTED)


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("state", STATES)
def test_every_move_from_every_state(state, action):
    expected = EXPECTED[action].get(state, REFUSED)
    if expected == REFUSED:
        with pytest.raises(IllegalTransition, match=f"label shp-1 is {state}"):
            move(state, action)
        return
    assert move(state, action) == expected


@pytest.mark.parametrize(
    ("refund_status", "to"),
    [
        ("submitted", "voided"),
        ("refunded", "voided"),
        (None, "voided"),
        ("rejected", "void_refused"),
        ("not_applicable", "void_refused"),
    ],
)
def test_a_void_is_taken_or_refused_by_easyposts_refund_status(refund_status, to):
    assert carrier_labels.void("void_owed", "shp-1", refund_status) == to
