"""Checklists graded by rubric, overridden with a reason."""

import pytest
from pydantic import ValidationError

from services.refurbish.domain.checklists import parse_checklist
from services.refurbish.domain.grading import Grading, Override, grade_checklist, override
from shared.events import Grade
from tests.unit.refurbish.domain.conftest import findings


def graded(category, failing=(), **changes) -> Grading:
    return grade_checklist(
        category, parse_checklist(category, findings(category, failing, **changes))
    )


@pytest.mark.parametrize(
    ("category", "failing", "changes", "grade", "reasons"),
    [
        ("electronics", (), {"packaging": "original_sealed"}, "A", ()),
        ("electronics", (), {}, "A", ()),
        (
            "electronics",
            (),
            {"cosmetic": "light", "packaging": "missing"},
            "B",
            (
                "cosmetic: light, A needs none",
                "packaging: missing, A needs original_sealed or original_opened",
            ),
        ),
        (
            "electronics",
            (),
            {"accessories_complete": False},
            "C",
            (
                "accessories incomplete, A needs them complete",
                "accessories incomplete, B needs them complete",
            ),
        ),
        (
            "electronics",
            (),
            {"cosmetic": "moderate"},
            "C",
            ("cosmetic: moderate, A needs none", "cosmetic: moderate, B needs at most light"),
        ),
        (
            "electronics",
            (),
            {"cosmetic": "heavy"},
            "D",
            (
                "cosmetic: heavy, A needs none",
                "cosmetic: heavy, B needs at most light",
                "cosmetic: heavy, C needs at most moderate",
            ),
        ),
        ("electronics", ("charges",), {}, "D", ("test failed: charges",)),
        (
            "electronics",
            (),
            {"fault": "cracked hinge"},
            "D",
            ("fault found: cracked hinge",),
        ),
        ("home", (), {"cosmetic": "light"}, "B", ("cosmetic: light, A needs none",)),
        ("home", ("measurements_match",), {}, "D", ("test failed: measurements_match",)),
        (
            "default",
            (),
            {"packaging": "damaged"},
            "B",
            ("packaging: damaged, A needs original_sealed or original_opened",),
        ),
        ("default", ("works_as_described",), {}, "D", ("test failed: works_as_described",)),
        ("apparel", (), {}, "A", ()),
        # Apparel: a missing swing tag costs the A, not the B.
        ("apparel", ("tags_attached",), {}, "B", ("test failed: tags_attached",)),
        (
            "apparel",
            ("tags_attached",),
            {"cosmetic": "moderate"},
            "C",
            (
                "cosmetic: moderate, A needs none",
                "test failed: tags_attached",
                "cosmetic: moderate, B needs at most light",
            ),
        ),
        ("apparel", ("no_odour_or_stains",), {}, "D", ("test failed: no_odour_or_stains",)),
    ],
)
def test_the_rubric_grades_the_checklist(category, failing, changes, grade, reasons):
    grading = graded(category, failing, **changes)
    assert (grading.grade, grading.computed) == (Grade(grade), Grade(grade))
    assert grading.reasons == reasons
    assert (grading.overridden_by, grading.override_reason) == (None, None)


def test_grading_refuses_a_checklist_of_another_category():
    home = parse_checklist("home", findings("home"))
    with pytest.raises(ValueError, match="unknown test fabric_intact"):
        grade_checklist("electronics", home)


def test_an_override_keeps_the_computed_grade_and_records_who_and_why():
    computed = graded("electronics")
    overridden = override(computed, Grade.C, "ben", "  speaker grille bent, not on the checklist ")
    assert (overridden.grade, overridden.computed) == (Grade.C, Grade.A)
    assert overridden.overridden_by == "ben"
    assert overridden.override_reason == "speaker grille bent, not on the checklist"
    assert overridden.reasons == computed.reasons


@pytest.mark.parametrize(
    ("technician", "reason"),
    [("ben", ""), ("ben", "meh"), ("ben", "   too short   "), (" ", "a reason long enough")],
)
def test_an_override_needs_a_technician_and_a_real_reason(technician, reason):
    with pytest.raises(ValueError):
        override(graded("electronics"), Grade.B, technician, reason)


def test_overriding_to_the_computed_grade_undoes_the_override():
    once = override(graded("electronics", cosmetic="light"), Grade.A, "ben", "scratch polished out")
    assert (once.grade, once.overridden_by) == (Grade.A, "ben")
    back = override(once, Grade.B, "ana", "the polish did not hold")
    assert back == Grading(Grade.B, Grade.B, ("cosmetic: light, A needs none",), None, None)


@pytest.mark.parametrize("reason", ["meh", " " * 12 + "x", "x" * 501])
def test_an_override_asked_for_counts_its_reason_without_the_blanks(reason):
    with pytest.raises(ValidationError):
        Override(grade=Grade.C, reason=reason)
    assert Override(grade=Grade.C, reason="  grille bent  ").reason == "grille bent"
