"""A reimbursement claim's lifecycle: every (state, move) pair of `CLAIM`; its id; the value
it asks for."""

import pytest

from services.intake.domain.reimbursement_claims import (
    CLAIM,
    ClaimState,
    claim_id_of,
    move,
    value_claimed,
)
from shared.lifecycle import IllegalTransition

MOVES = {
    "file": ({"owed": "filed"}, {"filed"}),
    "settle": ({"owed": "settled", "filed": "settled"}, {"settled"}),
    "reject": ({"filed": "rejected"}, {"rejected"}),
    "drop": ({"owed": "not_needed"}, {"not_needed"}),
    "owe": ({"not_needed": "owed"}, {"owed"}),
}


@pytest.mark.parametrize("state", list(ClaimState))
@pytest.mark.parametrize("action", list(MOVES))
def test_every_state_and_move(state, action):
    steps, repeats = MOVES[action]
    if state.value in steps:
        assert move(state, action, "claim-1").state.value == steps[state.value]
    elif state.value in repeats:
        assert move(state, action, "claim-1").state is state
    else:
        with pytest.raises(IllegalTransition) as refused:
            move(state, action, "claim-1")
        assert "reimbursement claim claim-1" in refused.value.reason
    assert set(CLAIM.actions) == set(MOVES)


def test_one_claim_per_case():
    assert claim_id_of("case-1") == claim_id_of("case-1") != claim_id_of("case-2")


def test_the_claim_asks_for_what_the_units_cost_when_the_price_is_known():
    assert value_claimed(2999, 2) == 5998
    assert value_claimed(0, 1) is None  # the order could not be read for its price
    assert value_claimed(None, 1) is None
