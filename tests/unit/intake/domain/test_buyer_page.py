"""The buyer's page in words (`services/intake/domain/buyer_page.py`)."""

import pytest

from services.intake.domain.buyer_page import (
    ANSWER_NAMES,
    KEEPS,
    LANGUAGES,
    NEXT,
    NEXT_OF_REMEDY,
    REMEDY_NAMES,
    TEXTS,
    BadForm,
    clean_text,
    language_of,
    money,
    next_step,
    price_difference,
    rating_of,
)
from shared.events import Remedy


@pytest.mark.parametrize("table", [TEXTS, KEEPS, NEXT, REMEDY_NAMES, ANSWER_NAMES])
def test_every_sentence_is_in_all_five_languages(table):
    for key, sentences in table.items():
        assert set(sentences) == set(LANGUAGES), key
        assert all(sentence.strip() for sentence in sentences.values()), key


def test_every_remedy_says_what_the_buyer_keeps_and_what_happens_next():
    for remedy in Remedy:
        assert remedy in KEEPS and remedy in REMEDY_NAMES and remedy in NEXT_OF_REMEDY


@pytest.mark.parametrize(
    ("asked", "linked", "expected"),
    [("de", "fr", "de"), (None, "fr", "fr"), ("xx", "it", "it"), ("\x00", "zz", "en")],
)
def test_the_language_switched_to_then_the_link_s_then_english(asked, linked, expected):
    assert language_of(asked, linked) == expected


def test_money_in_the_buyer_s_language():
    assert money(499, "EUR", "de") == "4,99\xa0€"
    assert money(499, "USD", "en") == "$4.99"
    assert money(7, "XXX", "en") == "7 XXX"


def test_a_rating_from_the_form():
    assert rating_of("5", "  Schnell \x00 ").comment == "Schnell"
    for stars in ("0", "6", "", None, "٣", "9" * 10_000):
        with pytest.raises(BadForm):
            rating_of(stars, "")
    with pytest.raises(BadForm, match="comment_too_long"):
        rating_of("3", "x" * 2001)


def test_text_is_stored_without_nul_or_lone_surrogates():
    assert clean_text("a\x00b\ud800c") == "ab?c"


def test_what_happens_next_by_remedy_then_state():
    assert next_step("decided", "partial_refund", "en") == NEXT["refund_follows"]["en"]
    assert next_step("held", None, "fr") == NEXT["with_team"]["fr"]
    assert next_step(None, None, "es") == NEXT["received"]["es"]


@pytest.mark.parametrize(
    ("language", "more", "back", "same"),
    [
        ("en", "you pay €5.00 more", "you get €2.50 back", "same price"),
        ("de", "Sie zahlen 5,00\xa0€ mehr", "Sie erhalten 2,50\xa0€ zurück", "gleicher Preis"),
        ("fr", "vous payez 5,00\xa0€ de plus", "nous vous remboursons 2,50\xa0€", "même prix"),
        ("es", "usted paga 5,00\xa0€ más", "le devolvemos 2,50\xa0€", "mismo precio"),
        ("it", "lei paga 5,00\xa0€ in più", "le rimborsiamo 2,50\xa0€", "stesso prezzo"),
    ],
)
def test_a_variant_s_price_difference_in_the_buyer_s_words(language, more, back, same):
    assert price_difference(500, "EUR", language) == more
    assert price_difference(-250, "EUR", language) == back
    assert price_difference(0, "EUR", language) == same


def test_a_price_difference_is_in_the_buyer_s_currency():
    assert price_difference(1200, "GBP", "en") == "you pay £12.00 more"
    assert price_difference(-300, "USD", "en") == "you get $3.00 back"
