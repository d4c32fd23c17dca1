"""The staff pages' languages: the one asked wins, then the cookie's, then the browser's,
else English; a sentence of a page's table in the language, its blanks filled in."""

import pytest

from shared.staff_words import LANGUAGE_NAMES, LANGUAGES, browser_language, language_of, lookup

TEXTS = {
    "hello": ("Hello {name}", "Hallo {name}", "Bonjour {name}", "Hola {name}"),
    "bye": ("Bye", "Tschüss", "Au revoir", "Adiós"),
}


def test_the_language_asked_wins_then_the_cookie_then_the_browser_then_english():
    assert language_of("de", "fr", "es") == "de"
    assert language_of(None, "fr", "es") == "fr"
    assert language_of("it", None, "es") == "es"  # Italian is not one of the pages'
    assert language_of(None, None, None) == "en"
    assert language_of("xx", None, browser_language("es-ES,es;q=0.9,en;q=0.8")) == "es"
    assert language_of(None, None, browser_language("ja-JP")) == "en"


def test_the_browsers_first_language_spoken():
    assert browser_language("fr-CH, fr;q=0.9, en;q=0.8") == "fr"
    assert browser_language("DE-de") == "de"
    assert browser_language("it-IT,pt;q=0.5") is None
    assert browser_language("") is None


def test_every_language_is_named_in_itself():
    assert tuple(LANGUAGE_NAMES) == LANGUAGES
    assert LANGUAGE_NAMES["de"] == "Deutsch"


@pytest.mark.parametrize(("language", "said"), zip(LANGUAGES, TEXTS["hello"], strict=True))
def test_a_sentence_in_each_language_with_its_blanks_filled(language, said):
    assert lookup(TEXTS, "hello", language, name="Ana") == said.format(name="Ana")


def test_a_sentence_without_blanks_is_said_as_it_is():
    assert lookup(TEXTS, "bye", "fr") == "Au revoir"
    assert lookup({"brace": ("{x}",) * 4}, "brace", "en") == "{x}"
