"""The floor page's words: every sentence in the four languages, with the same blanks."""

import re

import pytest

from services.fulfillment.domain.floor_words import TEXTS, say, state_name
from shared.staff_words import LANGUAGES

BLANKS = re.compile(r"{(\w+)}")


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_sentence_is_said_in_every_language_with_the_same_blanks(key):
    sentences = TEXTS[key]
    assert len(sentences) == len(LANGUAGES) and all(s.strip() for s in sentences)
    blanks = {frozenset(BLANKS.findall(sentence)) for sentence in sentences}
    assert len(blanks) == 1, sentences


def test_blanks_are_filled_and_states_named():
    assert say("wrong_bin", "de", given="Z-9", expected="B-7").startswith("Falsches Fach: Z-9")
    assert state_name("requested", "fr") == "À prélever"
    assert state_name("problem", "es") == "Problema"
