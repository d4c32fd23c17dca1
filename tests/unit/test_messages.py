"""Offer messages in five languages, and the compliance lint each must pass."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from jinja2 import UndefinedError

from services.resolution.domain.compliance import (
    BANNED_PROMISES,
    REQUIRED_DISCLOSURES,
    Finding,
    FindingKind,
    lint,
)
from services.resolution.domain.messages import (
    LANGUAGES,
    OfferFacts,
    environment,
    format_day,
    format_moment,
    format_money,
    render_offer,
)
from shared.events import Remedy
from shared.markets import Currency, Market

MARKET_OF = {"en": Market.UK, "de": Market.DE, "fr": Market.FR, "es": Market.ES, "it": Market.IT}

FACTS = OfferFacts(
    greeting="Hello Anna",
    product_title="Blackout Curtain 140x245 Grey",
    expires_at=datetime(2026, 3, 12, 14, 0, tzinfo=UTC),
    amount_minor=1234,
    currency=Currency.EUR,
    return_label_url="https://labels.example/RL123",
    pickup_at=datetime(2026, 3, 13, 9, 0, tzinfo=UTC),
)
WITHDRAWAL_UNTIL = datetime(2026, 3, 20, tzinfo=UTC)
BARE_FACTS = OfferFacts(
    greeting="Hi",
    product_title="USB-C Charger 65W",
    expires_at=datetime(2026, 1, 2, 8, 30, tzinfo=UTC),
)

every_offer = pytest.mark.parametrize(
    ("language", "remedy"), [(language, remedy) for language in LANGUAGES for remedy in Remedy]
)


@every_offer
def test_offer_states_the_facts_and_lints_clean(language, remedy):
    text = render_offer(language, remedy, FACTS)

    assert FACTS.product_title in text
    assert format_money(language, 1234, Currency.EUR) in text
    assert format_moment(language, FACTS.expires_at) in text
    assert lint(text, language, MARKET_OF[language], required=[]) == []


@every_offer
def test_offer_without_optional_facts_renders_and_lints_clean(language, remedy):
    text = render_offer(language, remedy, BARE_FACTS)

    assert BARE_FACTS.product_title in text
    assert format_moment(language, BARE_FACTS.expires_at) in text
    assert "None" not in text
    assert lint(text, language, Market.US, required=[]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_return_instructions_appear_where_the_item_goes_back(language):
    for remedy in (Remedy.EXCHANGE, Remedy.RETURN_FULL_REFUND):
        text = render_offer(language, remedy, FACTS)
        assert FACTS.return_label_url in text
        assert format_moment(language, FACTS.pickup_at) in text


def test_a_missing_variable_fails_the_render():
    template = environment.from_string("{{ greeting }} {{ no_such_fact }}")
    with pytest.raises(UndefinedError):
        template.render(greeting="Hello")


def test_amount_and_currency_go_together():
    with pytest.raises(ValueError):
        replace(FACTS, currency=None)


def test_money_is_formatted_per_language():
    assert format_money("en", 1234, Currency.EUR) == "€12.34"
    assert format_money("de", 1234, Currency.EUR) == "12,34\xa0€"
    assert format_money("en", 499, Currency.USD) == "$4.99"


@pytest.mark.parametrize("language", LANGUAGES)
def test_partial_refund_inside_the_withdrawal_window_discloses_the_right(language):
    facts = replace(FACTS, withdrawal_right_until=WITHDRAWAL_UNTIL)
    text = render_offer(language, Remedy.PARTIAL_REFUND, facts)

    assert format_day(language, WITHDRAWAL_UNTIL) in text
    assert lint(text, language, MARKET_OF[language], required=["withdrawal_right"]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_partial_refund_without_the_disclosure_fails_the_lint(language):
    facts = replace(FACTS, withdrawal_right_until=WITHDRAWAL_UNTIL)
    text = render_offer(language, Remedy.PARTIAL_REFUND, facts)
    withdrawal_date = format_day(language, WITHDRAWAL_UNTIL)
    stripped = "\n".join(line for line in text.splitlines() if withdrawal_date not in line)

    assert stripped != text
    assert lint(stripped, language, MARKET_OF[language], required=["withdrawal_right"]) == [
        Finding(FindingKind.MISSING_DISCLOSURE, "withdrawal_right")
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_partial_refund_outside_the_window_says_nothing_of_it(language):
    text = render_offer(language, Remedy.PARTIAL_REFUND, FACTS)
    wording = REQUIRED_DISCLOSURES["withdrawal_right"][language]

    assert wording not in text


@pytest.mark.parametrize(
    ("language", "phrase"),
    [(language, phrase) for language, phrases in BANNED_PROMISES.items() for phrase in phrases],
)
def test_each_banned_promise_fails_with_a_finding_naming_it(language, phrase):
    text = render_offer(language, Remedy.PARTIAL_REFUND, FACTS) + f"\n{phrase}!\n"

    findings = lint(text, language, MARKET_OF[language], required=[])

    assert Finding(FindingKind.BANNED_PROMISE, phrase) in findings


@pytest.mark.parametrize(
    ("language", "variant", "phrase"),
    [
        ("en", "We offer a LIFETIME Warranty.", "lifetime warranty"),
        ("en", "Returns, no   QUESTIONS asked.", "no questions asked"),
        ("en", "Unconditional Refunds!", "unconditional refund"),
        ("de", "Mit LEBENSLANGER garantie? Nein: lebenslange GARANTIE.", "lebenslange Garantie"),
        ("de", "Bedingungslose Rueckerstattung für alle!", "bedingungslose Rückerstattung"),
        ("de", "bedingungslose ruckerstattung", "bedingungslose Rückerstattung"),
        ("fr", "Garantie a vie sur tout.", "garantie à vie"),
        ("fr", "REMBOURSEMENT SANS CONDITIONS", "remboursement sans condition"),
        ("fr", "Satisfaction garantie à 100\u202f%", "satisfaction garantie à 100%"),
        ("es", "Garantia de por VIDA", "garantía de por vida"),
        ("it", "GARANZIA A VITA", "garanzia a vita"),
        ("it", "Soddisfazione garantita al 100 %", "soddisfazione garantita al 100%"),
    ],
)
def test_accent_case_and_spacing_variants_are_caught(language, variant, phrase):
    findings = lint(variant, language, MARKET_OF[language], required=[])

    assert Finding(FindingKind.BANNED_PROMISE, phrase) in findings


def test_english_marketing_phrases_are_caught_in_every_language():
    assert Finding(FindingKind.BANNED_PROMISE, "no questions asked") in lint(
        "Rückgabe – no questions asked!", "de", Market.DE, required=[]
    )


def test_waiving_the_return_right_is_banned_only_where_the_buyer_has_one():
    text = "This item is non-returnable."

    assert lint(text, "en", Market.UK, required=[]) == [
        Finding(FindingKind.BANNED_PROMISE, "non-returnable")
    ]
    assert lint(text, "en", Market.US, required=[]) == []


def test_innocent_words_are_not_findings():
    assert lint("Our warranty covers this for two years.", "en", Market.US, required=[]) == []


def test_unknown_disclosure_and_language_are_findings():
    assert lint("Hello", "en", Market.US, required=["price_guarantee"]) == [
        Finding(FindingKind.UNKNOWN_DISCLOSURE, "price_guarantee")
    ]
    assert lint("Hallo", "nl", Market.NL, required=[]) == [
        Finding(FindingKind.UNSUPPORTED_LANGUAGE, "nl")
    ]
