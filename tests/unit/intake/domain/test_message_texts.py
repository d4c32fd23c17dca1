"""Messages to buyers as they read (`domain/message_texts.py`): every kind in every language
rendered, its two parts, and the compliance lint it passes before it may leave."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain.message_texts import (
    LANGUAGES,
    MessageFacts,
    language_of,
    render,
)
from services.intake.domain.outgoing_messages import MessageKind
from services.resolution.domain import nothing_owed
from services.resolution.domain.law import rights_of
from services.resolution.domain.nothing_owed import NothingOwedReason
from shared.compliance import REQUIRED_DISCLOSURES, normalize
from shared.events import Remedy, Scenario
from shared.markets import Currency, Market

DELIVERED = datetime(2026, 3, 2, 10, tzinfo=UTC)
CHANGED_MIND = Scenario.CHANGED_MIND

OFFER = {
    "en": "Hello Ana,\n\nWe offer a partial refund of €7.50: you keep the item.\n\nKind regards",
    "de": "Hallo Ana,\n\nWir bieten 7,50 € Teilerstattung: Sie behalten den Artikel.",
    "fr": "Bonjour Ana,\n\nNous proposons 7,50 € : vous gardez l'article.",
    "es": "Hola Ana:\n\nLe ofrecemos 7,50 €: se queda el artículo.",
    "it": "Gentile Ana,\n\nLe offriamo 7,50 €: tiene l'articolo.",
}
PAGE = "https://returns.example.com/buyer/token"


def facts(kind: MessageKind, language: str, **changes) -> MessageFacts:
    given = {
        "kind": kind,
        "language": language,
        "market": Market.DE,
        "marketplace": "shopify",
        "product": "Wireless earbuds",
        "seller": "Luma Home",
        "buyer_name": "Ana Ruiz",
        "page_url": PAGE,
        # An agent's answer when nothing is owed is intake's; resolution's comes with its text.
        "offer_text": "" if kind is MessageKind.NOTHING_OWED else OFFER.get(language, ""),
        "remedy": Remedy.PARTIAL_REFUND,
        "amount_minor": 750,
        "currency": Currency.EUR,
        "carrier": "DHL",
        "tracking": "00340434161094042557",
        "service": "Paket",
        "rma": "RMA-1001",
        "promised_by": date(2026, 12, 10),
        "why": None,
    }
    return MessageFacts(**(given | changes))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_in_every_language_renders_and_passes_the_lint(kind, language):
    message = render(facts(kind, language))
    assert message.findings == []
    assert message.language == language
    assert message.subject and "\n" not in message.subject
    assert PAGE in message.text and f'href="{PAGE}"' in message.html
    if kind in (MessageKind.OFFER_MADE, MessageKind.REMEDY_OWED):
        assert OFFER[language].splitlines()[-1] in message.text  # resolution's own words
    else:
        assert "Ana Ruiz" in message.text and "Luma Home" in message.text
    for fact, shown in {
        MessageKind.REFUND_ISSUED: "7.50" if language == "en" else "7,50",
        MessageKind.PARCEL_SHIPPED: "00340434161094042557",
        MessageKind.RETURN_LABEL_ISSUED: "RMA-1001",
    }.items():
        if kind is fact:
            assert shown in message.text and shown in message.html


def test_each_language_speaks_its_own_words():
    subjects = {lang: render(facts(MessageKind.REFUND_ISSUED, lang)).subject for lang in LANGUAGES}
    assert len(set(subjects.values())) == len(LANGUAGES)
    assert subjects["de"].startswith("Ihre Erstattung von 7,50")
    assert subjects["en"] == "Your refund of €7.50"


def test_a_language_without_templates_falls_back_to_english():
    assert (language_of("pt-BR"), language_of("de-DE"), language_of(None)) == ("en", "de", "en")
    message = render(facts(MessageKind.PARCEL_SHIPPED, "pt", offer_text=None))
    assert message.language == "en" and "Tracking number" in message.text


def test_the_html_part_escapes_what_buyers_and_sellers_wrote():
    message = render(
        facts(MessageKind.REFUND_ISSUED, "en", buyer_name="<script>x</script>", product="A & B")
    )
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert "A &amp; B" in message.html
    assert "<script>x</script>" in message.text  # plain text is not markup


def test_only_the_optional_follow_up_offers_an_opt_out():
    follow_up = render(facts(MessageKind.QUALITY_FOLLOW_UP, "en"))
    refund = render(facts(MessageKind.REFUND_ISSUED, "en"))
    assert "unsubscribe" in follow_up.text and "unsubscribe" not in refund.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_owed_keeps_the_legal_guarantee_in_view_where_the_law_gives_one(language):
    eu = render(facts(MessageKind.NOTHING_OWED, language, why=None))
    assert REQUIRED_DISCLOSURES["legal_guarantee"][language] in eu.text
    us = render(facts(MessageKind.NOTHING_OWED, language, market=Market.US))
    assert REQUIRED_DISCLOSURES["legal_guarantee"][language] not in us.text
    assert us.findings == []


def test_a_banned_promise_holds_the_message_back():
    offer = "Hello,\n\nFull refund, no questions asked, and a lifetime warranty."
    message = render(facts(MessageKind.OFFER_MADE, "en", offer_text=offer))
    assert "banned_promise: no questions asked" in message.findings
    assert "banned_promise: lifetime warranty" in message.findings


def test_amazon_takes_no_links_and_no_marketing():
    with_link = render(facts(MessageKind.REFUND_ISSUED, "en", marketplace="amazon"))
    assert with_link.findings == [f"link_not_allowed: {PAGE}"]
    without = render(facts(MessageKind.REFUND_ISSUED, "en", marketplace="amazon", page_url=None))
    assert without.findings == [] and "http" not in without.text
    offer = "Hello,\n\nUse discount code SAVE10 on our other products."
    marketing = render(
        facts(MessageKind.OFFER_MADE, "en", marketplace="amazon", page_url=None, offer_text=offer)
    )
    assert marketing.findings == ["marketing: discount code", "marketing: our other products"]


@pytest.mark.parametrize(
    ("language", "choose"),
    [
        ("en", "Choose the variant you want"),
        ("de", "Wählen Sie die gewünschte Variante"),
        ("fr", "Choisissez la variante souhaitée"),
        ("es", "Elija la variante que desea"),
        ("it", "Scelga la variante che desidera"),
    ],
)
def test_an_exchange_offer_says_the_variant_is_chosen_on_the_page(language, choose):
    exchange = render(facts(MessageKind.OFFER_MADE, language, remedy=Remedy.EXCHANGE))
    assert choose in exchange.text and choose in exchange.html and exchange.findings == []
    assert exchange.text.index(choose) < exchange.text.index(PAGE)
    refund = render(facts(MessageKind.OFFER_MADE, language))
    assert choose not in refund.text
    no_page = render(facts(MessageKind.OFFER_MADE, language, remedy=Remedy.EXCHANGE, page_url=None))
    assert choose not in no_page.text  # Amazon's relay takes no link: nothing to point at


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_store_credit_notice_gives_the_gift_cards_code_and_value(language):
    credit = facts(
        MessageKind.REFUND_ISSUED,
        language,
        remedy=Remedy.STORE_CREDIT,
        amount_minor=5500,
        credit_code="K7MPQ2XRW9TB4HND",
    )
    message = render(credit)
    refund = render(facts(MessageKind.REFUND_ISSUED, language, amount_minor=5500))
    assert message.findings == []
    assert "K7MPQ2XRW9TB4HND" in message.text and "K7MPQ2XRW9TB4HND" in message.html
    assert "55" in message.subject and message.subject != refund.subject
    assert "K7MPQ2XRW9TB4HND" not in refund.text


def resolution_answer(market: Market, language: str) -> str:
    """Resolution's answer when nothing is owed, as it linted it."""
    rights = rights_of(market, DELIVERED, DELIVERED + timedelta(days=60), "shopify")
    reason = NothingOwedReason.RETURN_WINDOW_CLOSED
    the_draft = nothing_owed.draft(reason, rights, language, "Wireless earbuds", CHANGED_MIND)
    assert the_draft.sendable, the_draft.findings
    return the_draft.message


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("market", [Market.DE, Market.UK, Market.US])
def test_resolution_s_answer_that_nothing_is_owed_goes_out_framed_and_linted(market, language):
    answer = resolution_answer(market, language)
    message = render(facts(MessageKind.NOTHING_OWED, language, market=market, offer_text=answer))

    assert message.findings == []
    assert answer.splitlines()[3] in message.text  # why, in resolution's words
    assert message.text.count(answer.splitlines()[0]) == 1  # its own greeting, not a second


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("market", "kept"), [(Market.FR, "legal_guarantee"), (Market.UK, "statutory_repair")]
)
def test_an_answer_without_the_rights_the_buyer_keeps_is_held_back(market, kept, language):
    answer = resolution_answer(market, language)
    phrase = normalize(REQUIRED_DISCLOSURES[kept][language], language)
    stripped = "\n".join(
        line for line in answer.splitlines() if phrase not in normalize(line, language)
    )
    message = render(facts(MessageKind.NOTHING_OWED, language, market=market, offer_text=stripped))
    assert f"missing_disclosure: {kept}" in message.findings


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_agent_s_uk_answer_names_the_consumer_rights_act(language):
    message = render(facts(MessageKind.NOTHING_OWED, language, market=Market.UK))
    assert REQUIRED_DISCLOSURES["statutory_repair"][language] in message.text
    assert message.findings == []
