"""A removal order's lifecycle: every (state, move) pair of `REMOVAL_ORDER`; its id; the
next step of sending it exactly once; the address it goes to."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.intake.domain.removal_orders import (
    REMOVAL_ORDER,
    RemovalAddress,
    RemovalState,
    Step,
    discard,
    droppable,
    fails_after,
    move,
    next_step,
    removal_order_id_of,
)
from shared.lifecycle import IllegalTransition

# action: ({from: to}, the states where it was taken already)
MOVES = {
    "accept": ({"owed": "done"}, {"done"}),
    "fail": ({"owed": "failed"}, {"failed"}),
    "drop": ({"owed": "not_needed"}, {"not_needed"}),
    "retry": ({"failed": "owed"}, {"owed"}),
    "owe": ({"not_needed": "owed"}, {"owed"}),
    "discard": ({"failed": "discarded"}, set()),  # a second discard is refused: not failed
}


@pytest.mark.parametrize("state", list(RemovalState))
@pytest.mark.parametrize("action", list(MOVES))
def test_every_state_and_move(state, action):
    steps, repeats = MOVES[action]
    if state.value in steps:
        assert move(state, action, "RMV1").state.value == steps[state.value]
    elif state.value in repeats:
        assert move(state, action, "RMV1").state is state  # a repeat changes nothing
    else:
        with pytest.raises(IllegalTransition) as refused:
            move(state, action, "RMV1")
        assert "removal order RMV1" in refused.value.reason
    assert set(REMOVAL_ORDER.actions) == set(MOVES)


def test_only_a_failed_order_is_discarded():
    assert discard(RemovalState.FAILED, "RMV1").state is RemovalState.DISCARDED
    for state in set(RemovalState) - {RemovalState.FAILED}:
        with pytest.raises(IllegalTransition, match="removal order RMV1"):
            discard(state, "RMV1")


def test_the_id_is_the_cases_own_and_amazon_takes_it():
    first = removal_order_id_of("case-1")
    assert first == removal_order_id_of("case-1") != removal_order_id_of("case-2")
    assert first.isalnum() and len(first) <= 50


NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_a_sent_order_is_read_back_before_it_is_sent_again():
    assert next_step(None, None, None) is Step.SUBMIT
    assert next_step(NOW, "feed-1", None) is Step.LOOK_AT_FEED
    assert next_step(NOW, None, None) is Step.ASK_FOR_READ_BACK  # its answer was lost
    assert next_step(NOW, None, "report-1") is Step.READ_BACK


def test_only_an_order_never_sent_is_dropped():
    assert droppable(RemovalState.OWED, None)
    assert not droppable(RemovalState.OWED, NOW)  # may be Amazon's already
    assert not droppable(RemovalState.DONE, None)


def test_amazon_unavailable_too_many_times_in_a_row_fails_the_order():
    assert not fails_after(19, 20)
    assert fails_after(20, 20)


def test_an_address_names_its_country_as_iso_does():
    address = RemovalAddress(
        name="Coventry", line1="Unit 4", city="Coventry", postal_code="CV3 4LA", country_code="GB"
    )
    assert address.line2 == ""
    with pytest.raises(ValidationError):
        RemovalAddress(name="x", line1="y", city="z", postal_code="1", country_code="UK1")
