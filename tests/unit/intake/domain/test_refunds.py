"""A refund intake pays: every (state, move) pair of `REFUND`, stated here on its own; the
read-back rule, the status a refusal is answered with, and what must match the case."""

import pytest
from pydantic import ValidationError

from services.intake.domain.refunds import (
    CREDIT_CODE_ALPHABET,
    REFUND,
    RefundAsked,
    RefundState,
    credit_code,
    discard,
    mismatch,
    reads_back_first,
    refusal_status,
    refuse,
    retry,
    settle,
    start_paying,
)
from shared.lifecycle import IllegalTransition

STATES = ("asked", "paying", "paid", "refused", "discarded")
# action: ({from: to}, the states where it was taken already)
MOVES = {
    "pay": ({"asked": "paying"}, {"paying"}),
    "settle": ({"paying": "paid"}, {"paid"}),
    "refuse": ({"asked": "refused", "paying": "refused"}, {"refused"}),
    "retry": ({"refused": "asked"}, {"asked"}),
    "discard": ({"refused": "discarded"}, set()),  # set aside once: a second time is refused
}
MOVE_OF = {
    "pay": start_paying,
    "settle": settle,
    "refuse": refuse,
    "retry": retry,
    "discard": discard,
}

ASKED = {
    "case_id": "case-1",
    "marketplace": "generic",
    "seller_account": "test-seller",
    "order_id": "ORD-1",
    "return_id": None,
    "amount": {"minor": 499, "currency": "USD"},
    "reason": "partial_refund",
}


def test_the_states_are_stored_by_these_names():
    assert [state.value for state in RefundState] == list(STATES)
    assert set(REFUND.actions) == set(MOVES)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(MOVES))
def test_every_move_from_every_state(state, action):
    steps, done = MOVES[action]
    move = MOVE_OF[action]
    if state in steps:
        transition = move(RefundState(state), "re-1")
        assert transition.state is RefundState(steps[state])
        assert transition.events == ()  # resolution tells of the refund, not intake
    elif state in done:
        assert move(RefundState(state), "re-1").state is RefundState(state)
        assert REFUND.next(RefundState(state), action) is None
    else:
        with pytest.raises(IllegalTransition, match=f"refund re-1 is {state}: it cannot {action}"):
            move(RefundState(state), "re-1")


@pytest.mark.parametrize("state", STATES)
def test_only_a_refund_found_paying_is_read_back_before_it_is_paid(state):
    assert reads_back_first(RefundState(state)) is (state == "paying")


@pytest.mark.parametrize(
    ("marketplace_status", "answered"),
    [
        (None, 422),
        (400, 400),
        (404, 404),
        (409, 409),
        (422, 422),
        (401, 422),  # the seller's credentials, not resolution's token
        (403, 422),
        (429, 422),  # never a refusal, and never answered as one
        (500, 422),
        (302, 422),
    ],
)
def test_a_marketplace_refusal_keeps_its_status_unless_it_means_something_else_here(
    marketplace_status, answered
):
    assert refusal_status(marketplace_status) == answered


def test_the_asked_refund_must_be_the_cases_own():
    asked = RefundAsked.model_validate(ASKED)
    facts = {"channel": "generic", "account": "test-seller", "order_id": "ORD-1"}
    assert mismatch(asked, **facts, currency="USD") is None
    for field, changed in (
        ("channel", {"channel": "shopify"}),
        ("account", {"account": "someone-else"}),
        ("order_id", {"order_id": "ORD-2"}),
    ):
        problem = mismatch(asked, **{**facts, **changed}, currency="USD")
        assert problem is not None, field
    assert mismatch(asked, **{**facts, "channel": "shopify"}, currency="USD").startswith(
        "marketplace:"
    )
    assert mismatch(asked, **{**facts, "account": "x"}, currency="USD").startswith(
        "seller_account:"
    )
    assert mismatch(asked, **{**facts, "order_id": "x"}, currency="USD").startswith("order_id:")
    assert mismatch(asked, **facts, currency="EUR").startswith("amount.currency:")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": {"minor": 0, "currency": "USD"}}, "amount.minor"),
        ({"amount": {"minor": "499", "currency": "USD"}}, "amount.minor"),
        ({"amount": {"minor": 499, "currency": "XYZ"}}, "amount.currency"),
        ({"case_id": ""}, "case_id"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_an_invalid_body_names_its_field(change, field):
    with pytest.raises(ValidationError) as error:
        RefundAsked.model_validate({**ASKED, **change})
    assert ".".join(str(part) for part in error.value.errors()[0]["loc"]) == field


def test_two_bodies_are_one_refund_only_when_equal():
    assert RefundAsked.model_validate(ASKED) == RefundAsked.model_validate(dict(ASKED))
    other = {**ASKED, "amount": {"minor": 500, "currency": "USD"}}
    assert RefundAsked.model_validate(ASKED) != RefundAsked.model_validate(other)


def test_a_gift_card_code_is_sixteen_unambiguous_characters_of_its_random_bytes():
    code = credit_code(bytes(range(16)))
    assert len(code) == 16 and set(code) <= set(CREDIT_CODE_ALPHABET)
    assert not set(code) & set("01OI")
    assert code == credit_code(bytes(range(16)))  # the bytes decide, nothing else
    assert credit_code(bytes(range(1, 17))) != code
    with pytest.raises(ValueError):
        credit_code(b"short")
