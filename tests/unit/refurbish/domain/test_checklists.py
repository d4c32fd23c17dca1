"""Checklists: each category's tests, the form a technician fills, and findings checked
against their category."""

import pytest
from pydantic import ValidationError

from services.refurbish.domain.checklists import checklist_for, checklist_form, parse_checklist
from tests.unit.refurbish.domain.conftest import findings

TESTS = {
    "electronics": ["powers_on", "charges", "buttons", "audio", "connectivity"],
    "home": ["fabric_intact", "hardware_complete", "measurements_match"],
    "apparel": ["seams_intact", "no_odour_or_stains", "tags_attached"],
    "default": ["works_as_described"],
}


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
