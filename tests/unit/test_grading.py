"""Checklists checked against their category, graded by rubric, overridden with a reason."""

import pytest
from pydantic import ValidationError

from services.refurbish.domain.checklists import (
    checklist_for,
    checklist_form,
    parse_checklist,
)
from services.refurbish.domain.grading import Grading, grade_checklist, new_inspection_id, override
from shared.events import Grade

TESTS = {
    "electronics": ["powers_on", "charges", "buttons", "audio", "connectivity"],
    "home": ["fabric_intact", "hardware_complete", "measurements_match"],
    "apparel": ["seams_intact", "no_odour_or_stains", "tags_attached"],
    "default": ["works_as_described"],
}


def findings(category, failing=(), **changes):
    return {
        "cosmetic": "none",
        "functional": {test: test not in failing for test in checklist_for(category)},
        "accessories_complete": True,
        "packaging": "original_opened",
        "fault": None,
        **changes,
    }


def graded(category, failing=(), **changes) -> Grading:
    return grade_checklist(
        category, parse_checklist(category, findings(category, failing, **changes))
    )


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        *TESTS.items(),
        ("Electronics", TESTS["electronics"]),
        (" HOME ", TESTS["home"]),
        (None, TESTS["default"]),
        ("furniture", TESTS["default"]),
    ],
)
def test_each_category_has_its_checklist(category, expected):
    assert checklist_for(category) == expected
    assert checklist_form(category)["tests"] == expected


def test_the_form_offers_the_allowed_values():
    fields = checklist_form("apparel")["fields"]
    assert fields["cosmetic"]["options"] == ["none", "light", "moderate", "heavy"]
    assert "original_sealed" in fields["packaging"]["options"]


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


@pytest.mark.parametrize(
    ("category", "change", "named"),
    [
        (
            "electronics",
            {"functional": {**dict.fromkeys(TESTS["electronics"], True), "x": True}},
            "x",
        ),
        ("electronics", {"functional": {"powers_on": True}}, "missing test charges"),
        ("apparel", {"functional": dict.fromkeys(TESTS["electronics"], True)}, "seams_intact"),
        ("electronics", {"cosmetic": "sparkly"}, "cosmetic"),
        ("home", {"packaging": None}, "packaging"),
        ("home", {"packaging": "gift_wrapped"}, "packaging"),
        ("home", {"colour": "red"}, "colour"),
        ("home", {"fault": "x" * 121}, "fault"),
    ],
)
def test_a_checklist_that_does_not_fit_its_category_is_refused(category, change, named):
    with pytest.raises(ValidationError) as refused:
        parse_checklist(category, {**findings(category), **change})
    assert named in str(refused.value)


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


def test_inspection_ids_are_unique_and_prefixed():
    first, second = new_inspection_id(), new_inspection_id()
    assert first.startswith("insp-") and first != second
