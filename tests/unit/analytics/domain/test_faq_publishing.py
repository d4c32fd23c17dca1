"""A listing's published answers on its public page and in each marketplace's shape, in
five languages; hostile text stays text everywhere."""

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from services.analytics.domain import faq_publishing as publishing
from services.analytics.domain.faq_publishing import (
    CannotExport,
    Marketplace,
    PublishedAnswer,
)
from shared.markets import Market

AT = datetime(2026, 6, 1, tzinfo=UTC)
SKU = "BT-SPK-200"
# One answer per language, as a seller would write it.
ANSWERS = {
    "en": ("What does fault code E4 mean?", "The battery is too cold: charge it indoors."),
    "de": ("Was bedeutet Fehlercode E4?", "Der Akku ist zu kalt: drinnen laden."),
    "fr": ("Que signifie le code d'erreur E4 ?", "La batterie est trop froide : chargez-la."),
    "es": ("¿Qué significa el código de error E4?", "La batería está demasiado fría."),
    "it": ("Cosa significa il codice di errore E4?", "La batteria è troppo fredda."),
}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" \'too\''


def answers_in(language: str, question: str | None = None, answer: str | None = None):
    q, a = ANSWERS[language]
    return [PublishedAnswer(f"e4-{language}", language, question or q, answer or a, AT)]


class Reader(HTMLParser):
    """The tags of a page and the text of each dt and dd."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.texts: dict[str, list[str]] = {"dt": [], "dd": [], "html": []}
        self.open: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs
        if tag == "html":
            self.texts["html"].append(dict(attrs)["lang"])
        if tag in ("dt", "dd"):
            self.open = tag
            self.texts[tag].append("")

    def handle_endtag(self, tag):
        if tag == self.open:
            self.open = None

    def handle_data(self, data):
        if self.open:
            self.texts[self.open][-1] += data


def read(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    return reader


@pytest.mark.parametrize("language", publishing.LANGUAGES)
def test_the_public_page_shows_the_answer_in_its_language(language):
    page = read(publishing.page("Bluetooth Speaker 20W", SKU, language, answers_in(language)))
    assert page.texts == {
        "dt": [ANSWERS[language][0]],
        "dd": [ANSWERS[language][1]],
        "html": [language],
    }
    assert publishing.WORDS[language]["heading"] in publishing.page(None, SKU, language, [])


def test_the_page_escapes_hostile_text_and_runs_nothing():
    hostile = answers_in("en", question=HOSTILE, answer=HOSTILE)
    html = publishing.page(HOSTILE, SKU, "en", hostile)
    page = read(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert not [name for name, _ in page.attributes if name.startswith("on")]
    assert page.texts["dt"] == [HOSTILE] and page.texts["dd"] == [HOSTILE]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_page_headers_allow_framing_and_only_the_page_s_own_style():
    headers = publishing.page_headers()
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy
    assert "X-Frame-Options" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_embed_snippet_is_a_sandboxed_iframe_with_its_attributes_escaped():
    snippet = publishing.embed_snippet('https://shop/faq?language=en&x="1"', HOSTILE)
    page = read(snippet)
    assert page.tags == ["iframe"]
    attributes = dict(page.attributes)
    assert attributes["src"] == 'https://shop/faq?language=en&x="1"'
    assert attributes["title"] == HOSTILE
    assert attributes["sandbox"] == "" and attributes["referrerpolicy"] == "no-referrer"


@pytest.mark.parametrize("language", publishing.LANGUAGES)
def test_amazon_bullets_carry_the_language_tag_and_marketplace_of_the_language(language):
    made = publishing.export(
        Marketplace.AMAZON, SKU, language, answers_in(language), product_type="SPEAKERS"
    )
    home = publishing.HOME_MARKET[language]
    tag = {"en": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES", "it": "it_IT"}[language]
    assert made.operation == "patchListingsItem"
    assert made.body == {
        "productType": "SPEAKERS",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/bullet_point",
                "value": [
                    {
                        "value": " ".join(ANSWERS[language]),
                        "language_tag": tag,
                        "marketplace_id": publishing.AMAZON_MARKETPLACE_IDS[home],
                    }
                ],
            }
        ],
    }


def test_amazon_in_the_uk_is_en_gb_and_keeps_five_bullets():
    many = [PublishedAnswer(f"e{i}", "en", f"Question {i}?", f"Answer {i}.", AT) for i in range(7)]
    made = publishing.export(
        Marketplace.AMAZON, SKU, "en", many, market=Market.UK, product_type="SPEAKERS"
    )
    bullets = made.body["patches"][0]["value"]
    assert {b["language_tag"] for b in bullets} == {"en_GB"}
    assert {b["marketplace_id"] for b in bullets} == {"A1F83G8C2ARO7P"}
    assert (len(bullets), made.left_out) == (5, ["e5", "e6"])


@pytest.mark.parametrize("language", publishing.LANGUAGES)
def test_shopify_gets_one_json_metafield_per_language(language):
    made = publishing.export(
        Marketplace.SHOPIFY, SKU, language, answers_in(language), listing_id="8047"
    )
    (metafield,) = made.body["metafields"]
    assert (metafield["ownerId"], metafield["key"], metafield["type"]) == (
        "gid://shopify/Product/8047",
        f"faq_{language}",
        "json",
    )
    question, answer = ANSWERS[language]
    assert json.loads(metafield["value"]) == [{"question": question, "answer": answer}]


@pytest.mark.parametrize("language", publishing.LANGUAGES)
def test_ebay_appends_the_answers_to_the_item_description(language):
    made = publishing.export(
        Marketplace.EBAY, SKU, language, answers_in(language), listing_id="110553"
    )
    request = ElementTree.fromstring(made.body)
    namespace = {"e": publishing.EBAY_NAMESPACE}
    assert request.tag == f"{{{publishing.EBAY_NAMESPACE}}}AddToItemDescriptionRequest"
    assert request.findtext("e:ItemID", namespaces=namespace) == "110553"
    description = read(request.findtext("e:Description", namespaces=namespace))
    assert (description.texts["dt"], description.texts["dd"]) == (
        [ANSWERS[language][0]],
        [ANSWERS[language][1]],
    )


def test_ebay_description_keeps_hostile_text_as_text_in_both_layers():
    hostile = answers_in("en", question=HOSTILE, answer="</Description><ItemID>1</ItemID>")
    made = publishing.export(Marketplace.EBAY, SKU, "en", hostile, listing_id="110553")
    request = ElementTree.fromstring(made.body)
    assert [child.tag.split("}")[1] for child in request] == ["ItemID", "Description"]
    description = read(request[1].text)
    assert "script" not in description.tags and "img" not in description.tags
    assert description.texts["dt"] == [HOSTILE]
    assert description.texts["dd"] == ["</Description><ItemID>1</ItemID>"]


def test_walmart_maintenance_feed_in_english():
    made = publishing.export(
        Marketplace.WALMART, SKU, "en", answers_in("en"), product_type="Speakers"
    )
    assert made.operation == "MP_MAINTENANCE"
    (item,) = made.body["MPItem"]
    assert item["Orderable"] == {"sku": SKU}
    visible = item["Visible"]["Speakers"]
    assert visible["keyFeatures"] == [" ".join(ANSWERS["en"])]
    assert read(visible["shortDescription"]).texts["dd"] == [ANSWERS["en"][1]]


@pytest.mark.parametrize("language", ["de", "fr", "es", "it"])
def test_walmart_us_refuses_other_languages_with_a_reason(language):
    with pytest.raises(CannotExport, match="English"):
        publishing.export(
            Marketplace.WALMART, SKU, language, answers_in(language), product_type="Speakers"
        )


@pytest.mark.parametrize(
    ("marketplace", "needs"),
    [
        (Marketplace.AMAZON, "product type"),
        (Marketplace.WALMART, "product type"),
        (Marketplace.SHOPIFY, "product's id"),
        (Marketplace.EBAY, "item id"),
    ],
)
def test_an_export_missing_what_the_marketplace_needs_says_so(marketplace, needs):
    with pytest.raises(CannotExport, match=needs):
        publishing.export(marketplace, SKU, "en", answers_in("en"))
    with pytest.raises(CannotExport, match="no published answer"):
        publishing.export(marketplace, SKU, "en", [], product_type="X", listing_id="1")


def test_a_language_without_a_page_is_refused_and_regional_forms_are_read():
    assert publishing.language_of("de-DE") == "de"
    assert publishing.language_of("IT") == "it"
    with pytest.raises(CannotExport):
        publishing.language_of("xx")
