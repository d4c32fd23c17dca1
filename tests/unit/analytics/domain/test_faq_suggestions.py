"""Pre-sale FAQ suggestions per return reason and buyer language."""

import dataclasses
import re

import pytest

from services.analytics.domain.faq_suggestions import (
    BUYER_QUESTION,
    MAX_TITLE,
    PREVENTABLE,
    TEMPLATES,
    FaqSuggestion,
    short,
    suggest,
    suggest_for_question,
)

TAXONOMY = {
    "defective", "damaged", "missing_parts", "hard_to_use", "not_as_described", "quality",
    "size_too_small", "size_too_large", "size_fit", "style", "wrong_item", "changed_mind",
    "not_received", "other",
}  # fmt: skip
NOT_PREVENTABLE = ["wrong_item", "changed_mind", "damaged", "other"]
LANGUAGES = ["en", "de", "fr", "es", "it"]
NEUTRAL = {
    "en": "this product",
    "de": "dieses Produkt",
    "fr": "ce produit",
    "es": "este producto",
    "it": "questo prodotto",
}
TITLE = "Blackout Curtains 52x84"
EVERY = [(reason, language) for reason in sorted(PREVENTABLE) for language in LANGUAGES]


def test_the_reasons_covered():
    covered = TAXONOMY - set(NOT_PREVENTABLE)
    assert covered == PREVENTABLE


@pytest.mark.parametrize(("reason", "language"), EVERY)
def test_every_reason_renders_in_every_language(reason, language):
    suggestion = suggest(reason, language, TITLE)
    assert suggestion == FaqSuggestion(
        reason, language, suggestion.question, suggestion.answer_outline
    )
    assert TITLE in suggestion.question
    text = suggestion.question + suggestion.answer_outline
    assert "{" not in text and "}" not in text
    assert re.search(r"\[[^\[\]]+\]", suggestion.answer_outline)  # what the seller fills in
    assert suggestion.answer_outline.count("[") == suggestion.answer_outline.count("]")


@pytest.mark.parametrize(("reason", "language"), EVERY)
def test_every_question_is_a_question_with_a_capital(reason, language):
    question = suggest(reason, language, None).question
    assert question.endswith(" ?" if language == "fr" else "?")
    assert question.startswith("¿") == (language == "es")
    assert question.lstrip("¿")[0].isupper()


@pytest.mark.parametrize(("reason", "language"), [e for e in EVERY if e[1] != "en"])
def test_each_language_is_really_translated(reason, language):
    english = suggest(reason, "en", TITLE)
    translated = suggest(reason, language, TITLE)
    assert translated.question != english.question
    assert translated.answer_outline != english.answer_outline


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("size_fit", ["cm"]),
        ("hard_to_use", ["video", "Video", "vídeo", "vidéo"]),
        ("defective", ["code", "codici", "códigos", "Fehlercode"]),
        ("not_received", ["market", "Land", "pays", "país", "paese"]),
    ],
)
def test_the_outline_asks_for_what_prevents_the_return(reason, words, language):
    outline = suggest(reason, language, TITLE).answer_outline
    assert any(word in outline for word in words), outline


@pytest.mark.parametrize("language", LANGUAGES)
def test_sizes_are_metric_first(language):
    outline = suggest("size_fit", language, TITLE).answer_outline
    imperial = re.search(r"inches|Zoll|pouces|pulgadas|pollici", outline)
    assert imperial and outline.index("cm") < imperial.start()


@pytest.mark.parametrize("reason", NOT_PREVENTABLE + ["no_such_reason", ""])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reason_no_faq_prevents_has_no_suggestion(reason, language):
    assert suggest(reason, language, TITLE) is None


@pytest.mark.parametrize("language", ["nl", "pl", "xx", "", "EN"])
def test_an_unknown_language_falls_back_to_english(language):
    suggestion = suggest("size_fit", language, TITLE)
    assert suggestion.language == "en"
    assert suggestion.question == f"Which size should I choose for {TITLE}?"


@pytest.mark.parametrize(("tag", "language"), [("DE", "de"), ("fr-FR", "fr"), ("es_ES", "es")])
def test_a_regional_tag_is_its_language(tag, language):
    assert suggest("size_fit", tag, TITLE) == suggest("size_fit", language, TITLE)


@pytest.mark.parametrize(("reason", "language"), EVERY)
@pytest.mark.parametrize("title", [None, "", "   "])
def test_a_missing_title_is_the_neutral_word(reason, language, title):
    assert NEUTRAL[language] in suggest(reason, language, title).question
    assert TEMPLATES["neutral_title"][language] == NEUTRAL[language]


def test_the_neutral_word_in_german_keeps_its_case():
    assert suggest("size_fit", "de", None).question == (
        "Welche Größe soll ich für dieses Produkt wählen?"
    )
    for reason in PREVENTABLE:
        assert not re.search(r"\b(von|mit|bei|zu) dieses\b", suggest(reason, "de", None).question)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_title_is_cut_at_a_word(language):
    title = "Blackout Curtains for Bedroom Thermal Insulated Room Darkening Grommet " * 3
    question = suggest("size_fit", language, title).question
    cut = short(title)
    assert cut in question
    assert len(cut) <= MAX_TITLE and cut.endswith("…")
    assert title.startswith(cut[:-1]) and title[len(cut) - 1] == " "  # a whole word


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Tee", "Tee"),
        ("  Tee \n Shirt  ", "Tee Shirt"),
        ("x" * MAX_TITLE, "x" * MAX_TITLE),
        ("x" * 100, "x" * (MAX_TITLE - 1) + "…"),  # one long word: cut inside it
        ("a" * 78 + " bbbb", "a" * 78 + "…"),
        ("a" * 79 + " bbbb", "a" * 79 + "…"),  # the cut falls on a space: the word stays
        ("a" * 70 + ", bbbbbbbbbbbbb", "a" * 70 + "…"),  # no dangling comma
    ],
)
def test_short(title, expected):
    assert short(title) == expected
    assert len(short(title)) <= MAX_TITLE


def test_a_suggestion_is_frozen():
    suggestion = suggest("size_fit", "en", TITLE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        suggestion.question = "x"


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
def test_these_reasons_no_faq_prevents_have_no_suggestion_in_english(reason):
    assert suggest(reason, "en", "x") is None


def test_an_unknown_language_falls_back_to_english_and_no_title_to_a_neutral_word():
    assert suggest("size_fit", "nl", "Tee").language == "en"
    assert "dieses Produkt" in suggest("size_fit", "de", None).question
    long = "Ultra " * 30
    question = suggest("size_fit", "en", long).question
    assert "…" in question and len(question) < 130


def test_the_suggestion_in_german_and_english_for_a_language_without_templates():
    german = suggest_for_question("king size bett", "de-DE", "Matratzenauflage 180x200")
    assert (german.reason, german.language) == (BUYER_QUESTION, "de")
    assert german.question == (
        "Was sollte ich zu „king size bett“ wissen, bevor ich Matratzenauflage 180x200 kaufe?"
    )
    assert german.answer_outline.startswith("Zu „king size bett“: [die kurze Antwort].")
    dutch = suggest_for_question("matras", "nl", None)
    assert dutch.language == "en"
    assert dutch.question == "What should I know about “matras” before buying this product?"
    long = suggest_for_question("king size", "en", "Ultra " * 30).question
    assert "…" in long and len(long) < 150


QUOTED = {
    "en": "“king size”",
    "de": "„king size“",
    "fr": "« king size »",
    "es": "«king size»",
    "it": "«king size»",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_question_entry_quoting_the_topic(language):
    suggestion = suggest_for_question("king size", language, "Blackout Curtains 52x84")
    text = suggestion.question + suggestion.answer_outline
    assert suggestion.language == language
    assert QUOTED[language] in suggestion.question
    assert QUOTED[language] in suggestion.answer_outline
    assert "Blackout Curtains 52x84" in suggestion.question
    assert not suggestion.question.startswith("Blackout")
    assert "{" not in text and "}" not in text
    assert "[" in suggestion.answer_outline  # what the seller fills in
    if language != "en":
        assert suggestion.question != suggest_for_question("king size", "en", "x").question
