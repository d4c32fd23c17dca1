"""A delivery's lifecycle, stated here on its own and checked for every state and move;
its tries' time budget and the pause between them."""

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.delivery import (
    DeliveryState,
    Retries,
    after_failure,
    applied,
    discarded,
    failed,
    pause_before_next_try,
    retried,
    revivable,
    revived,
)
from shared.lifecycle import IllegalTransition

ACCEPTED, APPLIED, FAILED, DISCARDED = DeliveryState
MOVES = {
    "apply": applied,
    "retry": retried,
    "fail": failed,
    "revive": revived,
    "discard": discarded,
}

# (state, move) -> the state it leads to; every pair not listed (nor a repeat) is refused.
EXPECTED = {
    (ACCEPTED, "apply"): APPLIED,
    (ACCEPTED, "retry"): ACCEPTED,
    (ACCEPTED, "fail"): FAILED,
    (FAILED, "revive"): ACCEPTED,  # an operator's retry, or the marketplace's redelivery
    (FAILED, "discard"): DISCARDED,  # an operator sets it aside, with the reason
}
# Taken already: a harmless repeat that changes nothing.
REPEATS = {(ACCEPTED, "revive")}
ALL_PAIRS = [(state, move) for state in DeliveryState for move in MOVES]
RECEIVED = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
THREE_DAYS = Retries(budget=timedelta(hours=72), longest_pause=timedelta(minutes=5))


def test_the_stored_values_are_unchanged():
    assert [state.value for state in DeliveryState] == [
        "accepted",
        "applied",
        "failed",
        "discarded",
    ]


@pytest.mark.parametrize(("state", "move"), [pair for pair in ALL_PAIRS if pair in EXPECTED])
def test_a_legal_move_leads_where_expected_and_emits_nothing(state, move):
    transition = MOVES[move](state)
    assert transition.state is EXPECTED[state, move]
    assert transition.events == ()


@pytest.mark.parametrize(("state", "move"), sorted(REPEATS))
def test_a_repeat_changes_nothing(state, move):
    assert MOVES[move](state) is None


@pytest.mark.parametrize(
    ("state", "move"), [pair for pair in ALL_PAIRS if pair not in EXPECTED | dict.fromkeys(REPEATS)]
)
def test_an_illegal_move_is_refused_with_the_reason(state, move):
    with pytest.raises(IllegalTransition, match=f"delivery is {state.value}: it cannot {move}"):
        MOVES[move](state)


def test_only_a_failed_delivery_is_revived():
    assert revivable() == (FAILED,)


@pytest.mark.parametrize(
    ("may_retry", "tried_after", "expected"),
    [
        (True, timedelta(seconds=1), ACCEPTED),  # the marketplace was down: due again later
        (True, timedelta(hours=71, minutes=59), ACCEPTED),
        (True, timedelta(hours=72), FAILED),  # the budget is spent
        (True, timedelta(days=9), FAILED),
        (False, timedelta(seconds=1), FAILED),  # trying again cannot help
    ],
)
def test_a_failed_try_is_retried_while_it_may_help_and_the_budget_lasts(
    may_retry, tried_after, expected
):
    transition = after_failure(
        ACCEPTED,
        may_retry=may_retry,
        trying_since=RECEIVED,
        now=RECEIVED + tried_after,
        retries=THREE_DAYS,
    )
    assert transition.state is expected


@pytest.mark.parametrize("state", [APPLIED, FAILED])
def test_only_an_accepted_delivery_can_fail_a_try(state):
    with pytest.raises(IllegalTransition):
        after_failure(
            state, may_retry=True, trying_since=RECEIVED, now=RECEIVED, retries=THREE_DAYS
        )


@pytest.mark.parametrize(
    ("attempts", "ceiling"),
    [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (500, 300), (0, 1)],
)
def test_the_pause_doubles_up_to_the_longest_and_is_drawn_from_its_upper_half(attempts, ceiling):
    shortest = pause_before_next_try(attempts, THREE_DAYS, jitter=0.0)
    longest = pause_before_next_try(attempts, THREE_DAYS, jitter=0.999999)
    assert shortest == timedelta(seconds=ceiling / 2)
    assert longest == pytest.approx(timedelta(seconds=ceiling), abs=timedelta(milliseconds=1))


def test_deliveries_failed_together_come_back_spread_out():
    pauses = {pause_before_next_try(6, THREE_DAYS, jitter=j / 10) for j in range(10)}
    assert len(pauses) == 10
    assert min(pauses) >= timedelta(seconds=16) and max(pauses) < timedelta(seconds=32)


@pytest.mark.parametrize(("retry_after", "expected"), [(120.0, 120.0), (0.5, 1.0), (900.0, 900.0)])
def test_the_marketplaces_retry_after_is_the_shortest_pause(retry_after, expected):
    pause = pause_before_next_try(2, THREE_DAYS, jitter=0.0, retry_after=retry_after)
    assert pause == timedelta(seconds=expected)  # 900 s: past the cap, as the marketplace asked
