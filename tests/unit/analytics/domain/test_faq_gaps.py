import pytest

from services.analytics.domain.faq_gaps import MIN_CASES, gaps
from services.analytics.domain.faq_suggestions import PREVENTABLE, suggest

LANGUAGES = ("en", "de", "fr", "es", "it")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", sorted(PREVENTABLE))
def test_every_preventable_reason_has_an_entry_in_every_language(reason, language):
    suggestion = suggest(reason, language, "Blackout Curtains 52x84")
    assert suggestion.language == language
    assert "Blackout Curtains 52x84" in suggestion.question
    assert "{" not in suggestion.question + suggestion.answer_outline
    assert "[" in suggestion.answer_outline  # what the seller fills in
    if language != "en":
        assert suggestion.question != suggest(reason, "en", "Blackout Curtains 52x84").question


@pytest.mark.parametrize("reason", ["wrong_item", "changed_mind", "damaged", "other"])
def test_a_reason_no_faq_prevents_has_no_suggestion(reason):
    assert suggest(reason, "en", "x") is None


def test_an_unknown_language_falls_back_to_english_and_no_title_to_a_neutral_word():
    assert suggest("size_fit", "nl", "Tee").language == "en"
    assert "dieses Produkt" in suggest("size_fit", "de", None).question
    long = "Ultra " * 30
    question = suggest("size_fit", "en", long).question
    assert "…" in question and len(question) < 130


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
