"""The inspection's lifecycle: every state and action, the events a grade causes, the
same findings again a repeat and other findings for a graded unit refused."""

import itertools

import pytest

from services.refurbish.domain.checklists import parse_checklist
from services.refurbish.domain.disposition import DispositionPlan, Recovery
from services.refurbish.domain.grading import Grading
from services.refurbish.domain.inspections import (
    INSPECTION,
    Findings,
    InspectionState,
    UnitOnBench,
    grade,
    new_inspection_id,
    reopen,
)
from shared.events import CaseItem, CostLine, Disposition, Grade, ReturnRoute
from shared.lifecycle import IllegalTransition
from shared.markets import Currency
from tests.unit.refurbish.domain.conftest import findings

# (state, action) → the state it leads to; every other pair is refused.
MOVES = {
    ("open", "dispose"): "decided",
    ("open", "send to repair"): "repairing",
    ("repairing", "reopen"): "open",
}
STATES = ("open", "repairing", "decided")
ACTIONS = ("dispose", "send to repair", "reopen")
GRADE_EVENTS = ["refurbish.graded", "refurbish.disposition_decided"]

SPEAKER = CaseItem(sku="SPK", category="electronics", quantity=1, unit_price_minor=12000)
CABLE = CaseItem(sku="CBL", category="electronics", quantity=2, unit_price_minor=900)
CHECKLIST = parse_checklist("electronics", findings("electronics"))
SCRATCHED = parse_checklist("electronics", findings("electronics", cosmetic="light"))


def unit(state: str, grade: Grade | None = None, checklist=None) -> UnitOnBench:
    return UnitOnBench(
        inspection_id="insp-1",
        case_id="case-1",
        rma_id="RMA-1",
        warehouse="BOS1",
        items=(CABLE, SPEAKER),
        currency=Currency.USD,
        route=ReturnRoute.LOCAL,
        repairs_done=0,
        state=InspectionState(state),
        grade=grade,
        checklist=checklist.model_dump(mode="json") if checklist else None,
    )


def plan_of(disposition: Disposition) -> DispositionPlan:
    best = Recovery(disposition, 4000, (CostLine(item="resale", amount_minor=-4000),))
    recycle = Recovery(Disposition.RECYCLE, -300, (CostLine(item="fee", amount_minor=300),))
    return DispositionPlan(best, (best, recycle))


def graded_as(grade_: Grade = Grade.A, checklist=CHECKLIST) -> Findings:
    return Findings(checklist, Grading(grade_, grade_, ()), "ben", "grille bent")


def move(state: str, action: str):
    if action == "reopen":
        return reopen(InspectionState(state), "insp-1")
    disposition = Disposition.REPAIR if action == "send to repair" else Disposition.LIQUIDATE
    return grade(unit(state), graded_as(), plan_of(disposition))


def test_the_table_is_the_expected_one():
    assert {s.value for s in InspectionState} == set(STATES)
    assert set(INSPECTION.actions) == set(ACTIONS)
    table = {
        (state.value, action): to.value
        for action, steps in INSPECTION.moves.items()
        for state, to in steps.items()
    }
    assert table == MOVES


@pytest.mark.parametrize(("state", "action"), itertools.product(STATES, ACTIONS))
def test_every_state_and_action(state, action):
    if (state, action) not in MOVES:
        with pytest.raises(IllegalTransition):
            move(state, action)
        return
    transition = move(state, action)
    assert transition.state == MOVES[state, action]
    expected = [] if action == "reopen" else GRADE_EVENTS
    assert [event.event_type for event in transition.events] == expected


def test_grading_says_the_grade_and_the_disposition_of_the_parcels_main_unit():
    overridden = Grading(Grade.C, Grade.A, ("r",), "ben", "grille bent, not listed")
    found = Findings(CHECKLIST, overridden, "ben", "see photos")
    graded, decided = grade(unit("open"), found, plan_of(Disposition.LIQUIDATE)).events
    assert (graded.grade, graded.computed_grade, graded.reasons) == (Grade.C, Grade.A, ["r"])
    assert (graded.override_reason, graded.technician, graded.notes) == (
        "grille bent, not listed",
        "ben",
        "see photos",
    )
    assert (decided.grade, decided.disposition, decided.net_minor) == (
        Grade.C,
        Disposition.LIQUIDATE,
        4000,
    )
    assert (decided.rma_id, decided.warehouse, decided.currency) == ("RMA-1", "BOS1", "USD")
    assert decided.items == [CABLE, SPEAKER]
    assert [a.disposition for a in decided.alternatives] == ["liquidate", "recycle"]
    assert decided.alternatives[1].lines == [CostLine(item="fee", amount_minor=300)]
    assert unit("open").item == SPEAKER and unit("open").category == "electronics"


@pytest.mark.parametrize("state", ["repairing", "decided"])
def test_the_same_findings_again_are_a_repeat(state):
    recorded = unit(state, Grade.A, CHECKLIST)
    again = grade(recorded, graded_as(Grade.A), plan_of(Disposition.LIQUIDATE))
    assert (again.state, again.events) == (state, ())


@pytest.mark.parametrize(
    "other", [graded_as(Grade.B), graded_as(Grade.A, SCRATCHED)], ids=["grade", "checklist"]
)
@pytest.mark.parametrize("state", ["repairing", "decided"])
def test_other_findings_for_a_graded_unit_are_refused(state, other):
    recorded = unit(state, Grade.A, CHECKLIST)
    with pytest.raises(IllegalTransition) as refused:
        grade(recorded, other, plan_of(Disposition.LIQUIDATE))
    assert refused.value.reason == f"inspection insp-1 is {state} (grade A)"


def test_back_on_the_bench_the_same_findings_are_graded_again():
    repaired = unit("open", Grade.D, CHECKLIST)
    again = grade(repaired, graded_as(Grade.D), plan_of(Disposition.LIQUIDATE))
    assert again.state == "decided" and len(again.events) == 2


def test_reopening_a_unit_not_in_repair_names_it():
    with pytest.raises(IllegalTransition, match="inspection insp-1 is decided"):
        reopen(InspectionState.DECIDED, "insp-1")


def test_inspection_ids_are_unique_and_prefixed():
    first, second = new_inspection_id(), new_inspection_id()
    assert first.startswith("insp-") and first != second
