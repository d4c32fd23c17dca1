"""A checklist graded by its category's rubric, or a technician's override with a reason.

The rubric is data (`rubrics.json`): rules from the best grade down, the first the
checklist meets wins, else the category's `otherwise` grade. A rule may ask for:
cosmetic at most a level, every test passed but those it lists in `may_fail`, complete
accessories, packaging among those listed. A recorded fault fails every rule: a unit
with a fault found is not sellable as working until it is repaired.
"""

from dataclasses import dataclass, replace
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from services.refurbish.domain.checklists import (
    CATEGORIES,
    COSMETIC_SCALE,
    Checklist,
    category_key,
    check_tests,
)
from shared.events import Grade

MIN_OVERRIDE_REASON = 10


@dataclass(frozen=True)
class Rule:
    grade: Grade
    cosmetic_at_most: str = COSMETIC_SCALE[-1]
    may_fail: tuple[str, ...] = ()
    accessories_complete: bool = False
    packaging: tuple[str, ...] | None = None  # None: any

    def unmet(self, checklist: Checklist) -> list[str]:
        """Why the checklist misses this rule's grade; empty when it meets it."""
        return [
            *self._cosmetic(checklist),
            *(
                f"test failed: {test}"
                for test in checklist.failed_tests
                if test not in self.may_fail
            ),
            *self._accessories(checklist),
            *self._packaging(checklist),
            *([f"fault found: {checklist.fault_found}"] if checklist.fault_found else []),
        ]

    def _cosmetic(self, checklist: Checklist) -> list[str]:
        level, limit = COSMETIC_SCALE.index(checklist.cosmetic), self.cosmetic_at_most
        if level <= COSMETIC_SCALE.index(limit):
            return []
        needs = limit if limit == COSMETIC_SCALE[0] else f"at most {limit}"
        return [f"cosmetic: {checklist.cosmetic}, {self.grade} needs {needs}"]

    def _accessories(self, checklist: Checklist) -> list[str]:
        if self.accessories_complete and not checklist.accessories_complete:
            return [f"accessories incomplete, {self.grade} needs them complete"]
        return []

    def _packaging(self, checklist: Checklist) -> list[str]:
        if self.packaging is None or checklist.packaging in self.packaging:
            return []
        return [
            f"packaging: {checklist.packaging}, {self.grade} needs {' or '.join(self.packaging)}"
        ]


@dataclass(frozen=True)
class Rubric:
    rules: tuple[Rule, ...]
    otherwise: Grade


def _rubric(data: dict) -> Rubric:
    rules = tuple(
        Rule(
            grade=Grade(rule["grade"]),
            cosmetic_at_most=rule.get("cosmetic_at_most", COSMETIC_SCALE[-1]),
            may_fail=tuple(rule.get("may_fail", ())),
            accessories_complete=rule.get("accessories_complete", False),
            packaging=tuple(rule["packaging"]) if "packaging" in rule else None,
        )
        for rule in data["rubric"]
    )
    return Rubric(rules, Grade(data["otherwise"]))


RUBRICS: dict[str, Rubric] = {name: _rubric(data) for name, data in CATEGORIES.items()}


@dataclass(frozen=True)
class Grading:
    grade: Grade  # the final grade: the computed one, or the override
    computed: Grade  # what the rubric says
    reasons: tuple[str, ...]  # why the unit missed each better grade
    overridden_by: str | None = None
    override_reason: str | None = None


def grade_checklist(category: str | None, checklist: Checklist) -> Grading:
    check_tests(category, checklist.functional)
    rubric = RUBRICS[category_key(category)]
    reasons: list[str] = []
    for rule in rubric.rules:
        unmet = rule.unmet(checklist)
        if not unmet:
            return Grading(rule.grade, rule.grade, tuple(reasons))
        reasons += [reason for reason in unmet if reason not in reasons]
    return Grading(rubric.otherwise, rubric.otherwise, tuple(reasons))


def override(grading: Grading, grade: Grade, technician: str, reason: str) -> Grading:
    """The technician's grade instead of the rubric's, with a reason of at least 10 characters.

    Overriding to the computed grade is allowed and undoes any earlier override: the
    grading comes back as computed, with nobody recorded as overriding it.
    """
    if not technician.strip():
        raise ValueError("an override needs the technician who makes it")
    if len(reason.strip()) < MIN_OVERRIDE_REASON:
        raise ValueError(f"an override needs a reason of at least {MIN_OVERRIDE_REASON} characters")
    if grade == grading.computed:
        return replace(grading, grade=grade, overridden_by=None, override_reason=None)
    return replace(grading, grade=grade, overridden_by=technician, override_reason=reason.strip())


class Override(BaseModel):
    """A technician's grade instead of the rubric's, and why: the reason is counted without
    the blanks around it, as `override` counts it."""

    grade: Grade
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=MIN_OVERRIDE_REASON, max_length=500),
    ]
