"""An inspection's lifecycle: a returned unit waits on the bench (open) until a technician's
checklist grades it; its disposition is then decided, or it goes to repair and comes back
on the bench to be graded again.

    open ──dispose──▶ decided
    open ──send to repair──▶ repairing ──reopen──▶ open
    open ──hold──▶ held (a buyer's unit the shop cannot repair: an agent decides)

The same findings sent again for a graded unit change nothing; other findings are refused.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from services.refurbish.domain.checklists import Checklist
from services.refurbish.domain.disposition import DispositionPlan, option_of
from services.refurbish.domain.grading import Grading
from services.refurbish.domain.units import (
    DEFAULT_CATEGORY,
    UnitNotValued,
    category_of,
    main_item,
)
from shared.events import (
    CaseItem,
    Disposition,
    DispositionDecided,
    Grade,
    ReturnRoute,
    UnitGraded,
    UnitHeldForAgent,
)
from shared.lifecycle import Lifecycle, Transition
from shared.markets import Currency


class InspectionState(StrEnum):
    OPEN = "open"  # on the bench, to be graded
    REPAIRING = "repairing"  # graded, sent to repair: graded again once repaired
    DECIDED = "decided"  # graded, and sent where it recovers the most
    HELD = "held"  # a buyer's unit the shop cannot repair: waits for an agent


OPEN, REPAIRING, DECIDED, HELD = InspectionState
INSPECTION = Lifecycle(
    "inspection",
    {
        "dispose": {OPEN: DECIDED},
        "send to repair": {OPEN: REPAIRING},
        "reopen": {REPAIRING: OPEN},
        "hold": {OPEN: HELD},
    },
)


def new_inspection_id() -> str:
    return f"insp-{uuid.uuid4()}"


@dataclass(frozen=True)
class UnitOnBench:
    """An inspection as the rules see it: the parcel's unit, where it stands, what was
    recorded for it last."""

    inspection_id: str
    case_id: str
    rma_id: str
    warehouse: str
    items: tuple[CaseItem, ...]
    currency: Currency | None  # the shop's; None when the parcel came without one
    route: ReturnRoute
    repairs_done: int
    state: InspectionState
    grade: Grade | None = None
    checklist: dict[str, Any] | None = None  # the last one recorded, as JSON
    for_repair: bool = False  # the buyer's own unit, to be repaired and sent back

    @property
    def item(self) -> CaseItem:
        """The line grading and disposition are about (`units.main_item`)."""
        return main_item(self.items)

    @property
    def category(self) -> str:
        """The rubric's category; the default one for a parcel that lists no items."""
        return category_of(self.item) if self.items else DEFAULT_CATEGORY

    @property
    def priced_in(self) -> Currency:
        """The shop's currency, which its price and outlets are weighed in."""
        if self.currency is None:
            raise UnitNotValued("the returned parcel came without a currency")
        return self.currency


@dataclass(frozen=True)
class Findings:
    """What a technician recorded and what it grades to."""

    checklist: Checklist
    grading: Grading
    technician: str
    notes: str = ""

    def recorded_for(self, unit: UnitOnBench) -> bool:
        """The same checklist and grade as the unit's last."""
        same_checklist = unit.checklist == self.checklist.model_dump(mode="json")
        return same_checklist and unit.grade == self.grading.grade


def grade(
    unit: UnitOnBench, findings: Findings, plan: DispositionPlan, at: datetime | None = None
) -> Transition:
    """The unit graded and sent where `plan` recovers the most: decided, or repairing; or,
    a buyer's unit the shop cannot repair, held for an agent (at `at`) with the reason."""
    if unit.state is not OPEN and findings.recorded_for(unit):
        return Transition(unit.state)
    refusal = f"inspection {unit.inspection_id} is {unit.state} (grade {unit.grade})"
    graded = _graded(unit, findings)
    if plan.held_for_agent is not None:
        state = INSPECTION.next(unit.state, "hold", refusal=refusal)
        return Transition(state, (graded, _held(unit, plan.held_for_agent, at)))
    action = "send to repair" if plan.best.disposition is Disposition.REPAIR else "dispose"
    state = INSPECTION.next(unit.state, action, refusal=refusal)
    return Transition(state, (graded, _decided(unit, findings.grading, plan)))


def _held(unit: UnitOnBench, reason: str, at: datetime | None) -> UnitHeldForAgent:
    return UnitHeldForAgent(
        case_id=unit.case_id,
        inspection_id=unit.inspection_id,
        rma_id=unit.rma_id,
        warehouse=unit.warehouse,
        reason=reason,
        at=at or datetime.now(UTC),
    )


def reopen(state: InspectionState, inspection_id: str) -> Transition:
    """Its repair done (`repairs.finish` says so), the unit is back on the bench to be
    graded again."""
    return Transition(INSPECTION.next(state, "reopen", f"inspection {inspection_id}"))


def _graded(unit: UnitOnBench, findings: Findings) -> UnitGraded:
    grading = findings.grading
    return UnitGraded(
        case_id=unit.case_id,
        inspection_id=unit.inspection_id,
        grade=grading.grade,
        computed_grade=grading.computed,
        reasons=list(grading.reasons),
        override_reason=grading.override_reason,
        technician=findings.technician,
        notes=findings.notes,
    )


def _decided(unit: UnitOnBench, grading: Grading, plan: DispositionPlan) -> DispositionDecided:
    return DispositionDecided(
        case_id=unit.case_id,
        inspection_id=unit.inspection_id,
        rma_id=unit.rma_id,
        warehouse=unit.warehouse,
        grade=grading.grade,
        disposition=plan.best.disposition,
        net_minor=plan.best.net_minor,
        currency=unit.currency,
        items=list(unit.items),
        alternatives=[option_of(recovery) for recovery in plan.alternatives],
    )
