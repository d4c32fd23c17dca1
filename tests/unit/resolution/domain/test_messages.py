"""Offer messages in five languages, and the compliance lint each must pass."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from jinja2 import UndefinedError

from services.resolution.domain.messages import (
    LANGUAGES,
    OfferFacts,
    environment,
    format_day,
    format_moment,
    format_money,
    render_offer,
)
from shared.compliance import (
    BANNED_PROMISES,
    REQUIRED_DISCLOSURES,
    Finding,
    FindingKind,
    lint,
    normalize,
)
from shared.events import Remedy, Scenario
from shared.markets import Currency, Market

# English is read in Ireland too: the EU wording; the UK's is tested on its own.
MARKET_OF = {"en": Market.IE, "de": Market.DE, "fr": Market.FR, "es": Market.ES, "it": Market.IT}

FACTS = OfferFacts(
    greeting="Hello Anna",
    product_title="Blackout Curtain 140x245 Grey",
    expires_at=datetime(2026, 3, 12, 14, 0, tzinfo=UTC),
    amount_minor=1234,
    currency=Currency.EUR,
    return_label_url="https://labels.example/RL123",
    pickup_at=datetime(2026, 3, 13, 9, 0, tzinfo=UTC),
    guide_title="Curtain rod assembly",
    guide_steps=("Open the box.", "Fit the brackets.", "Hang the rod."),
    guide_video_url="https://videos.example/rod",
)
WITHDRAWAL_UNTIL = datetime(2026, 3, 20, tzinfo=UTC)
BARE_FACTS = OfferFacts(
    greeting="Hi",
    product_title="USB-C Charger 65W",
    expires_at=datetime(2026, 1, 2, 8, 30, tzinfo=UTC),
    # A troubleshooting offer always carries its guide (render_offer refuses one without).
    guide_title="Charger not charging",
    guide_steps=("Unplug the charger.", "Try another cable.", "Plug it in again."),
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
    if remedy is Remedy.TROUBLESHOOTING:
        assert FACTS.guide_title in text
        assert all(step in text for step in FACTS.guide_steps)
        assert FACTS.guide_video_url in text
    else:
        assert FACTS.guide_title not in text
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


# --- What went wrong, and who pays the return: the wording follows the case

# Per language: a phrase only the matching family of wording uses.
NOT_RECEIVED = {
    "en": "has not reached you",
    "de": "nicht bei Ihnen angekommen",
    "fr": "ne vous soit pas parvenu",
    "es": "no le haya llegado",
    "it": "non le sia arrivato",
}
CONFIRM = {
    "en": "Please confirm",
    "de": "Bitte bestätigen Sie",
    "fr": "Merci de nous confirmer",
    "es": "Confírmenos",
    "it": "Ci confermi",
}
KEEP_THE_ITEM = {
    "en": "you keep the item",
    "de": "Sie behalten den Artikel",
    "fr": "vous gardez l'article",
    "es": "se queda con el artículo",
    "it": "lei tiene l'articolo",
}
NO_REPLY_NEEDED = {
    "en": "You do not need to reply",
    "de": "Sie müssen nicht antworten",
    "fr": "Vous n'avez pas besoin de répondre",
    "es": "No necesita responder",
    "it": "Non deve rispondere",
}
CHANGED_MIND = {
    "en": "changed your mind",
    "de": "anders überlegt",
    "fr": "changé d'avis",
    "es": "cambiado de opinión",
    "it": "cambiato idea",
}
FAULTY = {
    "en": "is faulty",
    "de": "defekt ist",
    "fr": "soit défectueux",
    "es": "sea defectuoso",
    "it": "sia difettoso",
}
FREE_RETURN = {
    "en": "costs you nothing",
    "de": "für Sie kostenlos",
    "fr": "ne vous coûte rien",
    "es": "no le cuesta nada",
    "it": "non le costa nulla",
}
PREPAID = {
    "en": "prepaid",
    "de": "vorfrankiert",
    "fr": "prépayée",
    "es": "prepagada",
    "it": "prepagata",
}

every_scenario = pytest.mark.parametrize(
    ("language", "scenario"),
    [(language, scenario) for language in LANGUAGES for scenario in Scenario],
)


def _has(text: str, phrase: str, language: str) -> bool:
    return normalize(phrase, language) in normalize(text, language)


@every_scenario
def test_a_refund_without_return_fits_the_scenario(language, scenario):
    text = render_offer(language, Remedy.REFUND_WITHOUT_RETURN, replace(FACTS, scenario=scenario))
    not_received = scenario is Scenario.NOT_RECEIVED

    assert _has(text, NOT_RECEIVED[language], language) is not_received
    assert _has(text, CONFIRM[language], language) is not_received
    assert _has(text, KEEP_THE_ITEM[language], language) is not not_received
    assert _has(text, NO_REPLY_NEEDED[language], language) is not not_received
    assert _has(text, CHANGED_MIND[language], language) is (scenario is Scenario.CHANGED_MIND)
    assert format_money(language, 1234, Currency.EUR) in text
    assert format_moment(language, FACTS.expires_at) in text
    assert lint(text, language, MARKET_OF[language], required=[]) == []


@every_scenario
@pytest.mark.parametrize("buyer_pays_return", [False, True])
def test_a_return_for_a_full_refund_fits_the_scenario_and_who_pays(
    language, scenario, buyer_pays_return
):
    facts = replace(FACTS, scenario=scenario, buyer_pays_return=buyer_pays_return)
    text = render_offer(language, Remedy.RETURN_FULL_REFUND, facts)
    buyer_pays = REQUIRED_DISCLOSURES["return_cost"][language]

    assert _has(text, CHANGED_MIND[language], language) is (scenario is Scenario.CHANGED_MIND)
    faulty = scenario in (Scenario.FUNCTIONAL_FAULT, Scenario.QUALITY_DEFECT)
    assert _has(text, FAULTY[language], language) is faulty
    assert _has(text, NOT_RECEIVED[language], language) is (scenario is Scenario.NOT_RECEIVED)
    assert _has(text, buyer_pays, language) is buyer_pays_return
    assert _has(text, FREE_RETURN[language], language) is not buyer_pays_return
    assert _has(text, PREPAID[language], language) is not buyer_pays_return
    assert FACTS.return_label_url in text
    required = ["return_cost"] if buyer_pays_return else []
    assert lint(text, language, MARKET_OF[language], required=required) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_exchange_the_buyer_pays_to_send_back_says_so(language):
    facts = replace(FACTS, buyer_pays_return=True)
    text = render_offer(language, Remedy.EXCHANGE, facts)

    assert lint(text, language, MARKET_OF[language], required=["return_cost"]) == []
    assert lint(
        render_offer(language, Remedy.EXCHANGE, FACTS),
        language,
        MARKET_OF[language],
        ["return_cost"],
    ) == [Finding(FindingKind.MISSING_DISCLOSURE, "return_cost")]


# --- Each disclosure the law may require: its sentence, where a remedy can need it

RIGHT_TO_REJECT_UNTIL = datetime(2026, 4, 9, tzinfo=UTC)
LEGAL_GUARANTEE_UNTIL = datetime(2028, 3, 6, tzinfo=UTC)
LESS_THAN_FULL_REFUND = (
    Remedy.PARTIAL_REFUND,
    Remedy.EXCHANGE,
    Remedy.PART_SHIPMENT,
    Remedy.TROUBLESHOOTING,
    Remedy.RESHIP,
)
# name → (the fact that carries it, its date); return_cost is a yes/no fact (above).
UK_NAMES = {"cancellation_right", "statutory_repair"}  # the UK's names for EU rights

DATED_DISCLOSURES = {
    "withdrawal_right": ("withdrawal_right_until", WITHDRAWAL_UNTIL),
    "right_to_reject": ("right_to_reject_until", RIGHT_TO_REJECT_UNTIL),
    "legal_guarantee": ("legal_guarantee_until", LEGAL_GUARANTEE_UNTIL),
}

every_dated_disclosure = pytest.mark.parametrize(
    ("language", "remedy", "name"),
    [
        (language, remedy, name)
        for language in LANGUAGES
        for remedy in LESS_THAN_FULL_REFUND
        for name in DATED_DISCLOSURES
    ],
)


@every_dated_disclosure
def test_a_disclosure_fact_set_renders_its_sentence_and_lints_clean(language, remedy, name):
    field, until = DATED_DISCLOSURES[name]
    for base in (FACTS, BARE_FACTS):
        text = render_offer(language, remedy, replace(base, **{field: until}))

        assert format_day(language, until) in text
        assert lint(text, language, MARKET_OF[language], required=[name]) == []


@every_dated_disclosure
def test_a_disclosure_required_but_not_set_is_missing(language, remedy, name):
    text = render_offer(language, remedy, FACTS)

    assert lint(text, language, MARKET_OF[language], required=[name]) == [
        Finding(FindingKind.MISSING_DISCLOSURE, name)
    ]


@every_dated_disclosure
def test_the_disclosure_sentence_is_the_one_carrying_the_phrase(language, remedy, name):
    field, until = DATED_DISCLOSURES[name]
    text = render_offer(language, remedy, replace(FACTS, **{field: until}))
    day = format_day(language, until)
    stripped = "\n".join(line for line in text.splitlines() if day not in line)

    assert stripped != text
    assert lint(stripped, language, MARKET_OF[language], required=[name]) == [
        Finding(FindingKind.MISSING_DISCLOSURE, name)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_disclosure_at_once_lints_clean(language):
    facts = replace(
        FACTS,
        withdrawal_right_until=WITHDRAWAL_UNTIL,
        right_to_reject_until=RIGHT_TO_REJECT_UNTIL,
        legal_guarantee_until=LEGAL_GUARANTEE_UNTIL,
        buyer_pays_return=True,
    )
    text = render_offer(language, Remedy.EXCHANGE, facts)
    eu_names = sorted(set(REQUIRED_DISCLOSURES) - UK_NAMES)

    assert lint(text, language, MARKET_OF[language], required=eu_names) == []


def test_every_disclosure_has_wording_in_every_language():
    assert set(REQUIRED_DISCLOSURES) == {
        "withdrawal_right",
        "right_to_reject",
        "legal_guarantee",
        "return_cost",
        *UK_NAMES,
    }
    for wordings in REQUIRED_DISCLOSURES.values():
        assert set(wordings) == set(LANGUAGES)
