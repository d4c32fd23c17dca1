"""The floor page's words: every sentence in the four languages, with the same blanks."""

import re

import pytest

from services.fulfillment.domain.floor_words import (
    LANGUAGES,
    TEXTS,
    browser_language,
    language_of,
    say,
    state_name,
)

BLANKS = re.compile(r"{(\w+)}")


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_sentence_is_said_in_every_language_with_the_same_blanks(key):
    sentences = TEXTS[key]
    assert len(sentences) == len(LANGUAGES) and all(s.strip() for s in sentences)
    blanks = {frozenset(BLANKS.findall(sentence)) for sentence in sentences}
    assert len(blanks) == 1, sentences


def test_the_language_asked_then_kept_then_the_browsers_else_english():
    assert language_of("fr", "de", "es") == "fr"
    assert language_of(None, "de", "es") == "de"
    assert language_of("xx", None, browser_language("es-ES,es;q=0.9,en;q=0.8")) == "es"
    assert language_of(None, None, browser_language("ja-JP")) == "en"


def test_blanks_are_filled_and_states_named():
    assert say("wrong_bin", "de", given="Z-9", expected="B-7").startswith("Falsches Fach: Z-9")
    assert state_name("requested", "fr") == "À prélever"
    assert state_name("problem", "es") == "Problema"
