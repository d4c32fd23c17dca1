"""FAQ gaps: which grouped cases make one, and a gap's lifecycle (open, then covered)."""

import itertools

import pytest

from services.analytics.domain.faq_gaps import FAQ_GAP, MIN_CASES, GapState, cover, found, gaps

MOVES = {("open", "cover"): "covered"}
REPEATS = {("covered", "cover")}


def group(reason="size_fit", language="en", cases=MIN_CASES, cost=0, sku="CRT-1"):
    return {
        "seller_account": "s",
        "sku": sku,
        "asin": None,
        "title": "Curtain",
        "language": language,
        "reason": reason,
        "cases": cases,
        "cost_minor": cost,
        "currency": "USD",
        "latest_case_id": f"case-{sku}-{reason}-{language}",
    }


def test_gaps_need_enough_cases_a_preventable_reason_and_no_entry_costliest_first():
    groups = [
        group(cases=MIN_CASES - 1),
        group(reason="changed_mind", cases=9),
        group(language="de", cases=5, cost=900),
        group(reason="hard_to_use", cases=2, cost=4000),
        group(sku="SPK-1", cases=3, cost=900),
    ]
    covered = {("s", "CRT-1", "de", "size_fit", "")}
    found = gaps(groups, covered)
    assert [(g.sku, g.language, g.reason, g.cost_minor) for g in found] == [
        ("CRT-1", "en", "hard_to_use", 4000),
        ("SPK-1", "en", "size_fit", 900),
    ]
    assert found[0].suggestion.reason == "hard_to_use"


def test_the_lifecycle_is_the_expected_one():
    assert {s.value for s in GapState} == {"open", "covered"}
    moves = {(s.value, a): t.value for a, steps in FAQ_GAP.moves.items() for s, t in steps.items()}
    assert moves == MOVES
    assert {(s.value, a) for a, states in FAQ_GAP.done.items() for s in states} == REPEATS


@pytest.mark.parametrize(("state", "action"), itertools.product(("open", "covered"), ("cover",)))
def test_every_state_and_action(state, action):
    assert (state, action) in MOVES.keys() | REPEATS  # nothing here is refused
    covering = cover(GapState(state))
    assert covering.state == MOVES.get((state, action), state)
    assert covering.events == ()


def test_a_gap_found_is_open_and_published_with_its_suggested_entry():
    (gap,) = gaps([group(cases=3, cost=700)], set())
    opened = found(gap)
    assert opened.state == "open"
    (event,) = opened.events
    assert event.event_type == "analytics.faq_gap_found"
    assert (event.case_id, event.seller_account, event.sku, event.language) == (
        "case-CRT-1-size_fit-en",
        "s",
        "CRT-1",
        "en",
    )
    assert (event.reason, event.topic, event.cases, event.cost_minor) == ("size_fit", "", 3, 700)
    assert (event.question, event.answer_outline) == (
        gap.suggestion.question,
        gap.suggestion.answer_outline,
    )
