"""The case as resolution sees it: every (state, move) pair of `CASE`, stated here on its
own, and what each move emits."""

from datetime import UTC, datetime

import pytest

from services.resolution.domain import cases
from services.resolution.domain.cases import CASE, CaseState
from shared.events import (
    CaseItem,
    Remedy,
    ResolutionDecided,
    ResolutionDeclined,
    ResolutionHeldForAgent,
    ResolutionOffered,
    Scenario,
    StockUnavailable,
)
from shared.lifecycle import IllegalTransition, Transition

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
STATES = ("waiting", "tracing", "offered", "decided", "held")
REPEAT = "repeat"  # taken already, or moot: changes nothing

# Where each move leads from each state; a pair not listed is illegal.
EXPECTED = {
    ("waiting", "classify"): "waiting",
    ("tracing", "classify"): REPEAT,
    ("offered", "classify"): REPEAT,
    ("decided", "classify"): REPEAT,
    ("held", "classify"): REPEAT,
    ("waiting", "trace"): "tracing",
    ("tracing", "trace"): REPEAT,
    ("tracing", "hear the carrier"): "tracing",
    ("waiting", "hear the carrier"): REPEAT,
    ("offered", "hear the carrier"): REPEAT,
    ("decided", "hear the carrier"): REPEAT,
    ("held", "hear the carrier"): REPEAT,
    **{(state, "offer"): "offered" for state in STATES},
    **{(state, "decide"): "decided" for state in STATES},
    **{(state, "hold"): "held" for state in STATES},
    ("decided", "undo"): "decided",
    ("waiting", "undo"): REPEAT,
    ("tracing", "undo"): REPEAT,
    ("offered", "undo"): REPEAT,
    ("held", "undo"): REPEAT,
}
ACTIONS = ("classify", "trace", "hear the carrier", "offer", "decide", "hold", "undo")
PAIRS = [(state, action) for state in STATES for action in ACTIONS]


def test_the_states_are_stored_as_before():
    assert [state.value for state in CaseState] == list(STATES)


def test_the_table_has_exactly_these_moves():
    assert set(CASE.actions) == set(ACTIONS)


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_every_move_from_every_state(state, action):
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition, match=f"case is {state}: it cannot {action}"):
            CASE.next(CaseState(state), action)
    elif expected == REPEAT:
        assert CASE.next(CaseState(state), action) is None
    else:
        assert CASE.next(CaseState(state), action) is CaseState(expected)


@pytest.mark.parametrize("state", STATES)
def test_only_a_waiting_case_takes_a_classification(state):
    assert cases.takes_classification(CaseState(state)) is (state == "waiting")


@pytest.mark.parametrize("state", STATES)
def test_only_a_tracing_case_goes_on_from_the_carriers_word(state):
    assert cases.takes_carriers_word(CaseState(state)) is (state == "tracing")


@pytest.mark.parametrize("state", STATES)
def test_trace(state):
    expected = EXPECTED.get((state, "trace"))
    if expected is None:
        with pytest.raises(IllegalTransition):
            cases.trace(CaseState(state))
        return
    transition = cases.trace(CaseState(state))
    assert transition.state == (state if expected == REPEAT else expected)
    assert transition.events == ()


def offered() -> ResolutionOffered:
    return ResolutionOffered(
        case_id="case-1",
        offer_id="offer-1",
        step=1,
        remedy=Remedy.PARTIAL_REFUND,
        amount_minor=499,
        currency="USD",
        language="en",
        message="Hello",
        expires_at=NOW,
        needs_answer=True,
    )


def decided() -> ResolutionDecided:
    item = CaseItem(sku="BT-SPK-200-BLK", quantity=1, unit_price_minor=4999)
    return ResolutionDecided(
        case_id="case-1",
        scenario=Scenario.MINOR_DEFECT,
        remedy=Remedy.PARTIAL_REFUND,
        market="US",
        region="NA",
        currency="USD",
        refund_minor=499,
        items=[item],
        rule="minor defect",
    )


@pytest.mark.parametrize("state", STATES)
def test_an_offer_leaves_the_case_offered_and_tells_the_buyer(state):
    event = offered()
    assert cases.offer(CaseState(state), event) == Transition(CaseState.OFFERED, (event,))


@pytest.mark.parametrize("state", STATES)
def test_a_decision_leaves_the_case_decided_with_its_notice_first(state):
    event, notice = decided(), offered()
    plain = cases.decide(CaseState(state), event)
    assert (plain.state, plain.events) == (CaseState.DECIDED, (event,))
    owed = cases.decide(CaseState(state), event, notice)
    assert (owed.state, owed.events) == (CaseState.DECIDED, (notice, event))


@pytest.mark.parametrize("state", STATES)
def test_a_hold_hands_the_case_to_an_agent_with_the_reasons(state):
    transition = cases.hold(CaseState(state), "case-1", ["lint: banned"], NOW, Remedy.EXCHANGE)
    assert transition.state is CaseState.HELD
    assert transition.events == (
        ResolutionHeldForAgent(
            case_id="case-1", remedy=Remedy.EXCHANGE, findings=["lint: banned"], at=NOW
        ),
    )


def shortage(remedy: Remedy = Remedy.EXCHANGE) -> StockUnavailable:
    return StockUnavailable(
        case_id="case-1", remedy=remedy, missing_skus=["BT-SPK-300-BLU"], region="NA"
    )


@pytest.mark.parametrize("state", STATES)
def test_a_shortage_undoes_only_the_decided_remedy(state):
    transition = cases.undo(CaseState(state), "exchange", shortage(), NOW)
    if EXPECTED[(state, "undo")] == REPEAT:
        assert (transition.state, transition.events) == (CaseState(state), ())
        return
    assert transition.state is CaseState.DECIDED
    assert transition.events == (
        ResolutionDeclined(
            case_id="case-1",
            offer_id="",
            remedy=Remedy.EXCHANGE,
            cause="impossible",
            note="exchange impossible: BT-SPK-300-BLU out of stock in NA",
            at=NOW,
        ),
    )


def test_a_shortage_of_a_remedy_the_case_no_longer_ends_with_changes_nothing():
    transition = cases.undo(CaseState.DECIDED, "return_full_refund", shortage(), NOW)
    assert (transition.state, transition.events) == (CaseState.DECIDED, ())
