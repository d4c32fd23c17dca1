"""The bench page's words: the language chosen, every sentence in the four languages, and
the rubric's reasons (as grading says them) in each."""

import re

import pytest

from services.refurbish.domain.bench_words import (
    NAMES,
    TEXTS,
    excluded_in,
    money,
    name,
    reason_in,
    say,
)
from services.refurbish.domain.checklists import (
    CATEGORIES,
    COSMETIC_SCALE,
    Checklist,
    Packaging,
    checklist_for,
    parse_checklist,
)
from services.refurbish.domain.disposition import plan_disposition
from services.refurbish.domain.grading import grade_checklist
from shared.events import CaseItem, Disposition, Grade
from shared.staff_words import LANGUAGES


def test_every_sentence_and_name_is_in_the_four_languages_and_fills_its_facts():
    assert all(set(words) == set(LANGUAGES) and all(words.values()) for words in TEXTS.values())
    assert all(set(words) == set(LANGUAGES) and all(words.values()) for words in NAMES.values())
    for language in LANGUAGES:
        assert say("graded", language, grade="B").count("B") == 1
    assert say("expects", "de", amount="12,00 €") == "Erwarteter Nettoerlös: 12,00 €"


def test_every_value_the_page_shows_has_a_name():
    shown = [*COSMETIC_SCALE, *(p.value for p in Packaging), *(g.value for g in Grade)]
    shown += [d.value for d in Disposition] + list(CATEGORIES)
    shown += [test for category in CATEGORIES.values() for test in category["tests"]]
    assert [value for value in shown if value not in NAMES] == []
    assert name("something_new", "de") == "something new"


def test_money_in_the_pages_language():
    assert money(6486, "USD", "en") == "$64.86"
    assert money(6486, "EUR", "de") == "64,86\xa0€"
    assert money(6486, "EUR", "fr") == "64,86\xa0€"
    assert money(5, "XYZ", "en") == "5 XYZ"


def worst_checklist(category: str) -> Checklist:
    tests = CATEGORIES[category]["tests"]
    return Checklist(
        cosmetic="heavy",
        functional={test: False for test in tests},
        accessories_complete=False,
        packaging="damaged",
        fault="hinge cracked",
    )


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_every_reason_grading_gives_is_said_in_the_pages_language(language):
    reasons = {
        reason
        for category in CATEGORIES
        for reason in grade_checklist(category, worst_checklist(category)).reasons
    }
    assert {r.split(":")[0].split(",")[0] for r in reasons} >= {
        "cosmetic",
        "test failed",
        "accessories incomplete",
        "packaging",
        "fault found",
    }
    for reason in reasons:
        said = reason_in(reason, language)
        assert said != reason and said != reason_in(reason, "en"), reason
        assert not re.search(r"\b(needs|failed|incomplete)\b", said), said
    assert reason_in("fault found: hinge cracked", language).endswith("hinge cracked")


def test_a_reason_of_another_form_is_shown_as_it_is():
    assert reason_in("something else entirely", "de") == "something else entirely"
    assert reason_in("cosmetic: light, A needs none", "en") == "cosmetic: Light, A needs None"


def weighed(category, price, failing=(), repairs_done=0, **changes) -> set[str]:
    """Why each way was excluded for a unit: the reasons the disposition gives."""
    found = parse_checklist(
        category,
        {
            "cosmetic": "none",
            "functional": {test: test not in failing for test in checklist_for(category)},
            "accessories_complete": True,
            "packaging": "original_opened",
            "fault": None,
            **changes,
        },
    )
    item = CaseItem(sku="SKU-1", category=category, quantity=1, unit_price_minor=price)
    plan = plan_disposition(item, grade_checklist(category, found), found, None, repairs_done)
    return {option.excluded_by for option in plan.alternatives if option.excluded_by}


def test_why_a_way_was_excluded_is_said_in_the_pages_language_with_money():
    reasons = set().union(
        weighed("electronics", 12000, cosmetic="light"),
        weighed("electronics", 12000, packaging="damaged"),
        weighed("electronics", 12000, failing=("charges",), fault="charging port"),
        weighed("electronics", 12000, failing=("charges",), fault="dropped in water"),
        weighed("electronics", 12000, failing=("charges",), repairs_done=1),
        weighed("electronics", 500, failing=("charges",), fault="charging port"),
        weighed("apparel", 900, cosmetic="heavy", packaging="missing"),
        weighed("home", 150, cosmetic="heavy", fault="torn"),
    )
    assert len(reasons) >= 6
    for reason in reasons:
        said = excluded_in(reason, "de", "EUR")
        assert said != reason and said != excluded_in(reason, "en", "EUR"), reason
    cost = excluded_in("repair costs 1234, adds 500", "fr", "EUR")
    assert cost == "la réparation coûte 12,34\xa0€ et rapporte 5,00\xa0€"
    assert excluded_in("something new", "es", "EUR") == "something new"
