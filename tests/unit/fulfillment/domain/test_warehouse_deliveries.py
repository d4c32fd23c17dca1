"""A task's delivery to a warehouse system: delivered, tried again, given up, cancelled;
a failed one retried or discarded by an operator."""

import pytest

from services.fulfillment.domain import warehouse_deliveries
from services.fulfillment.domain.warehouse_deliveries import DELIVERY, DeliveryState
from shared.lifecycle import IllegalTransition

ACTIONS = ("deliver", "try again", "give up", "cancel", "retry", "discard")
EXPECTED = {
    ("pending", "deliver"): "delivered",
    ("pending", "try again"): "pending",
    ("pending", "give up"): "failed",
    ("pending", "cancel"): "cancelled",
    ("pending", "retry"): None,
    ("pending", "discard"): None,
    ("failed", "retry"): "pending",
    ("failed", "discard"): "discarded",
} | {
    (done, action): None
    for done in ("delivered", "failed", "cancelled", "discarded")
    for action in ACTIONS
    if (done, action) not in {("failed", "retry"), ("failed", "discard")}
}


def test_the_table_has_every_state_and_action_of_the_expected_one():
    assert {s.value for s in DeliveryState} == {state for state, _ in EXPECTED}
    assert set(DELIVERY.actions) == set(ACTIONS)


@pytest.mark.parametrize(("state", "action"), list(EXPECTED))
def test_only_a_pending_delivery_is_sent_and_only_a_failed_one_retried_or_discarded(state, action):
    expected = EXPECTED[(state, action)]
    if expected is None:
        with pytest.raises(IllegalTransition):
            DELIVERY.next(DeliveryState(state), action)
    else:
        assert DELIVERY.next(DeliveryState(state), action) == expected


@pytest.mark.parametrize(
    ("taken", "attempts", "state"),
    [
        (True, 1, "delivered"),
        (True, 8, "delivered"),
        (False, 1, "pending"),
        (False, 7, "pending"),
        (False, 8, "failed"),
    ],
)
def test_after_an_attempt_a_delivery_is_taken_tried_again_or_given_up(taken, attempts, state):
    moved = warehouse_deliveries.after_attempt("pending", taken, attempts, max_attempts=8)
    assert moved.state == state and moved.events == ()


def test_a_delivery_with_nowhere_to_go_is_cancelled():
    assert warehouse_deliveries.cancel("pending").state == "cancelled"
    with pytest.raises(IllegalTransition):
        warehouse_deliveries.after_attempt("delivered", True, 1, 8)


def test_an_operator_retries_or_discards_only_a_failed_delivery():
    assert warehouse_deliveries.retry("failed", "d-1").state == "pending"
    assert warehouse_deliveries.discard("failed", "d-1").state == "discarded"
    with pytest.raises(IllegalTransition, match="delivery d-1 is delivered"):
        warehouse_deliveries.discard("delivered", "d-1")
    with pytest.raises(IllegalTransition, match="delivery d-1 is discarded"):
        warehouse_deliveries.retry("discarded", "d-1")
