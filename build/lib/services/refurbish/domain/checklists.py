"""What a technician records about a returned unit: the checklist of its category.

The categories, their functional tests and the allowed cosmetic and packaging values are
data (`rubrics.json`). A checklist is checked against its category when parsed with
`parse_checklist` (or validated with the context `{"category": ...}`).
"""

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

RUBRICS: dict[str, Any] = json.loads(
    Path(__file__).with_name("rubrics.json").read_text(encoding="utf-8")
)
DEFAULT_CATEGORY = "default"
CATEGORIES: dict[str, dict[str, Any]] = RUBRICS["categories"]

# Listed from best to worst: the order "at most" compares by.
Cosmetic = StrEnum("Cosmetic", {v: v for v in RUBRICS["checklist"]["cosmetic"]})
Packaging = StrEnum("Packaging", {v: v for v in RUBRICS["checklist"]["packaging"]})
COSMETIC_SCALE: tuple[str, ...] = tuple(RUBRICS["checklist"]["cosmetic"])
FAULT_MAX_LENGTH: int = RUBRICS["checklist"]["fault_max_length"]


def category_key(category: str | None) -> str:
    """The rubric a category is graded by: its own, else the default (case-insensitive)."""
    key = (category or "").strip().lower()
    return key if key in CATEGORIES else DEFAULT_CATEGORY


def checklist_for(category: str | None) -> list[str]:
    """The functional tests a technician runs on a unit of the category."""
    return list(CATEGORIES[category_key(category)]["tests"])


def check_tests(category: str | None, functional: dict[str, bool]) -> None:
    """Every test of the category recorded, and no other: else ValueError naming them."""
    expected = checklist_for(category)
    unknown = sorted(set(functional) - set(expected))
    missing = [test for test in expected if test not in functional]
    problems = [f"unknown test {name}" for name in unknown]
    problems += [f"missing test {name}" for name in missing]
    if problems:
        raise ValueError(f"{category_key(category)} checklist: {'; '.join(problems)}")


class Checklist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cosmetic: Cosmetic  # marks, scratches, stains
    functional: dict[str, bool]  # test name → passed
    accessories_complete: bool
    packaging: Packaging
    fault: str | None = Field(default=None, max_length=FAULT_MAX_LENGTH)

    @model_validator(mode="after")
    def _fits_its_category(self, info: ValidationInfo) -> "Checklist":
        context = info.context or {}
        if "category" in context:
            check_tests(context["category"], self.functional)
        return self

    @property
    def failed_tests(self) -> tuple[str, ...]:
        return tuple(test for test, passed in self.functional.items() if not passed)

    @property
    def fault_found(self) -> str | None:
        return (self.fault or "").strip() or None


def parse_checklist(category: str | None, data: dict[str, Any]) -> Checklist:
    """The technician's findings, checked against the category's checklist."""
    return Checklist.model_validate(data, context={"category": category})


def checklist_form(category: str | None) -> dict[str, Any]:
    """What the technician UI shows for a unit of the category."""
    return {
        "category": category_key(category),
        "tests": checklist_for(category),
        "fields": {
            "cosmetic": {"type": "choice", "options": list(COSMETIC_SCALE)},
            "functional": {"type": "pass_fail", "tests": checklist_for(category)},
            "accessories_complete": {"type": "bool"},
            "packaging": {"type": "choice", "options": [p.value for p in Packaging]},
            "fault": {"type": "text", "optional": True, "max_length": FAULT_MAX_LENGTH},
        },
        "known_faults": known_faults(category),
    }


def known_faults(category: str | None) -> list[dict[str, Any]]:
    """The faults the local repair shop fixes (words that name them, tests they fail):
    a fault written in these words can be repaired instead of sold for parts."""
    repairs = RUBRICS["categories"][category_key(category)].get("repairs", [])
    return [{"name": r["name"], "words": r["keywords"], "fails": r["tests"]} for r in repairs]
