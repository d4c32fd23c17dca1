"""The inspection's lifecycle: every state and action, the events a grade causes, the
same findings again a repeat and other findings for a graded unit refused."""

import itertools
from datetime import UTC, datetime

import pytest

from services.refurbish.domain import inspections
from services.refurbish.domain.checklists import parse_checklist
from services.refurbish.domain.disposition import (
    DispositionPlan,
    Recovery,
    plan_buyer_repair,
)
from services.refurbish.domain.grading import Grading, grade_checklist
from services.refurbish.domain.inspections import (
    INSPECTION,
    Findings,
    InspectionState,
    UnitOnBench,
    grade,
    new_inspection_id,
    reopen,
)
from shared.events import CaseItem, CostLine, Disposition, Grade, ReturnRoute, UnitHeldForAgent
from shared.lifecycle import IllegalTransition
from shared.markets import Currency
from tests.unit.refurbish.domain.conftest import findings
from tests.unit.refurbish.domain.test_disposition import BUYER_CABLE, buyers_checklist

# (state, action) → the state it leads to; every other pair is refused.
MOVES = {
    ("open", "dispose"): "decided",
    ("open", "send to repair"): "repairing",
    ("repairing", "reopen"): "open",
    ("open", "hold"): "held",
}
STATES = ("open", "repairing", "decided", "held")
ACTIONS = ("dispose", "send to repair", "reopen", "hold")
GRADE_EVENTS = ["refurbish.graded", "refurbish.disposition_decided"]
HOLD_EVENTS = ["refurbish.graded", "refurbish.unit_held_for_agent"]

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


def plan_of(disposition: Disposition, held_for_agent: str | None = None) -> DispositionPlan:
    best = Recovery(disposition, 4000, (CostLine(item="resale", amount_minor=-4000),))
    recycle = Recovery(Disposition.RECYCLE, -300, (CostLine(item="fee", amount_minor=300),))
    return DispositionPlan(best, (best, recycle), held_for_agent)


def graded_as(grade_: Grade = Grade.A, checklist=CHECKLIST) -> Findings:
    return Findings(checklist, Grading(grade_, grade_, ()), "ben", "grille bent")


def move(state: str, action: str):
    if action == "reopen":
        return reopen(InspectionState(state), "insp-1")
    if action == "hold":
        return grade(unit(state), graded_as(), plan_of(Disposition.REPAIR, "not repairable"))
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
    expected = {"reopen": [], "hold": HOLD_EVENTS}.get(action, GRADE_EVENTS)
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


def buyers_unit(state=InspectionState.OPEN):
    return UnitOnBench(
        inspection_id="insp-1",
        case_id="case-1",
        rma_id="RMA-1",
        warehouse="BOS1",
        items=(BUYER_CABLE,),
        currency=Currency.USD,
        route=ReturnRoute.LOCAL,
        repairs_done=0,
        state=state,
        for_repair=True,
    )


def test_a_unit_held_for_an_agent_says_why_and_decides_no_disposition():
    found = buyers_checklist(failing=("powers_on",), fault="cracked mainboard")
    plan = plan_buyer_repair(BUYER_CABLE, found)
    findings = Findings(found, grade_checklist("electronics", found), "ben")
    at = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    held = inspections.grade(buyers_unit(), findings, plan, at)
    assert held.state is InspectionState.HELD
    graded, waiting = held.events
    assert graded.event_type == "refurbish.graded"
    assert isinstance(waiting, UnitHeldForAgent)
    assert (waiting.rma_id, waiting.reason, waiting.at) == ("RMA-1", plan.held_for_agent, at)


def test_a_repaired_unit_going_back_is_a_decided_disposition():
    found = buyers_checklist()
    plan = plan_buyer_repair(BUYER_CABLE, found)
    findings = Findings(found, grade_checklist("electronics", found), "ben")
    decided = inspections.grade(buyers_unit(), findings, plan)
    assert decided.state is InspectionState.DECIDED
    assert decided.events[-1].disposition is Disposition.RETURN_TO_BUYER
