"""A listing's published FAQ entries and guides, back where buyers read before they buy: a
public page per listing and language (embeddable in an iframe), and the same answers in the
shape each marketplace's listing accepts. A troubleshooting or setup guide (resolution's
knowledge base) is shown as an answer: its title, then its numbered steps (`guide_answer`).
Pure: the page is rendered with autoescaping, every export is built as data (JSON, or XML
through ElementTree), so a seller's text is never markup.

The export shapes, as each marketplace documents them:

- Amazon: a `patchListingsItem` body (Listings Items API 2021-08-01, a JSON Patch on the
  listing's top-level attributes) replacing `bullet_point`, each value with its
  `language_tag` and `marketplace_id`.
  https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference
  https://developer-docs.amazon.com/sp-api/docs/partially-update-a-listing
- Shopify: the variables of the GraphQL Admin `metafieldsSet` mutation, one `json`
  metafield per language on the product (it leaves the description as the seller wrote it).
  https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet
- eBay: a Trading API `AddToItemDescription` request, which appends to an active listing's
  description below a rule (`ReviseItem`'s Append mode is deprecated).
  https://developer.ebay.com/DevZone/XML/docs/Reference/eBay/AddToItemDescription.html
  https://developer.ebay.com/api-docs/user-guides/static/trading-user-guide/modify-description.html
- Walmart: an `MP_MAINTENANCE` feed (a partial update of an existing item, laid out like
  item setup: a header, then each item's `Orderable` and `Visible` attributes by product
  type) carrying `keyFeatures` and `shortDescription`; Walmart US takes English only.
  https://developer.walmart.com/us-marketplace/docs/bulk-item-maintenance-1
"""

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from xml.etree import ElementTree

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.events import Reason
from shared.markets import Market

HERE = Path(__file__).parent
LANGUAGES = ("en", "de", "fr", "es", "it")
# The page's own words, per language.
WORDS = {
    "en": {"heading": "Questions and answers", "for": "About", "none": "No answers yet."},
    "de": {"heading": "Fragen und Antworten", "for": "Zu", "none": "Noch keine Antworten."},
    "fr": {"heading": "Questions et réponses", "for": "À propos de", "none": "Aucune réponse."},
    "es": {"heading": "Preguntas y respuestas", "for": "Sobre", "none": "Aún sin respuestas."},
    "it": {"heading": "Domande e risposte", "for": "Su", "none": "Ancora nessuna risposta."},
}
# The market whose marketplace a language's buyers read, when the seller names none.
HOME_MARKET = {"en": Market.US, "de": Market.DE, "fr": Market.FR, "es": Market.ES, "it": Market.IT}
# Amazon's marketplace ids (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids).
AMAZON_MARKETPLACE_IDS = {
    Market.US: "ATVPDKIKX0DER",
    Market.CA: "A2EUQ1WTGCTBG2",
    Market.UK: "A1F83G8C2ARO7P",
    Market.DE: "A1PA6795UKMFR9",
    Market.FR: "A13V1IB3VIYZZH",
    Market.IT: "APJ6JRA9NG5V4",
    Market.ES: "A1RKKUPIHCS9HS",
    Market.NL: "A1805IZSGTT6HS",
    Market.IE: "A28R8C7NBKEWEA",
}
AMAZON_BULLETS = 5  # bullet points a listing shows; the entries after them are left out
SHOPIFY_NAMESPACE = "aftersales"
WALMART_LANGUAGES = frozenset({"en"})
WALMART_SPEC_VERSION = "5.0.20251118-18_39_44"
EBAY_NAMESPACE = "urn:ebay:apis:eBLBaseComponents"


# The return reasons a troubleshooting or setup guide answers: "does not work" and "hard to
# set up" (the listing audit's rules for a missing guide name the same two).
GUIDE_COVERS = (Reason.DEFECTIVE.value, Reason.HARD_TO_USE.value)
GUIDE_PREFIX = "guide:"  # a guide's answers are named apart from the FAQ entries'


class Marketplace(StrEnum):
    AMAZON = "amazon"
    SHOPIFY = "shopify"
    EBAY = "ebay"
    WALMART = "walmart"


class CannotExport(ValueError):
    """The export cannot be made as asked (a reason for the seller: a 422)."""


@dataclass(frozen=True)
class PublishedAnswer:
    entry_id: str
    language: str
    question: str
    answer: str
    published_at: datetime


@dataclass(frozen=True)
class Export:
    marketplace: str
    language: str
    operation: str  # what to call with `body`, as the marketplace names it
    endpoint: str
    body: dict | str
    documented_at: str
    left_out: list[str]  # entries the shape has no room for


templates = Environment(
    loader=FileSystemLoader(HERE),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    auto_reload=False,
)
PAGE = templates.get_template("faq_page.html")
# The page's only style, allowed by its hash: no inline script or style can run beside it.
STYLE = (HERE / "faq_page.css").read_text("utf-8")
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
PAGE_POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


def page_headers() -> dict[str, str]:
    """The public page may be framed by any shop (that is what it is for), and nothing else:
    no script, no outside resource, no form, never sniffed, never named in a Referer."""
    return {
        "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "public, max-age=300",
    }


def guide_answer(
    guide_id: str, language: str, title: str, steps: Sequence[str], published_at: datetime
) -> PublishedAnswer:
    """A published guide as the page and the exports show an answer."""
    numbered = " ".join(f"{number}. {step}" for number, step in enumerate(steps, 1))
    return PublishedAnswer(f"{GUIDE_PREFIX}{guide_id}", language, title, numbered, published_at)


def guide_for_listing(guides: Sequence[dict], guide_id: str, sku: str) -> dict:
    """The seller's guide `guide_id` (as resolution lists it), if it is for this listing:
    the listing's own, or its category's; CannotExport with the reason otherwise."""
    guide = next((g for g in guides if g.get("guide_id") == guide_id), None)
    if guide is None:
        raise CannotExport(f"no guide {guide_id} in the seller's knowledge base")
    if guide.get("sku") not in (None, sku):
        raise CannotExport(f"guide {guide_id} is for {guide['sku']}, not {sku}")
    language_of(guide.get("language"))
    if not guide.get("title") or not guide.get("steps"):
        raise CannotExport(f"guide {guide_id} has no title or no steps")
    return guide


def language_of(language: str | None) -> str:
    """ "de", "DE", "de-DE" alike; a language the page has no words for is refused."""
    base = (language or "en").strip().lower().replace("_", "-").split("-")[0]
    if base not in WORDS:
        raise CannotExport(f"no page in {language!r}; languages: {', '.join(LANGUAGES)}")
    return base


def page(title: str | None, sku: str, language: str, answers: Sequence[PublishedAnswer]) -> str:
    """The listing's published answers in one language, as a standalone HTML page."""
    return PAGE.render(
        language=language,
        words=WORDS[language],
        title=title or sku,
        answers=answers,
        style=STYLE,
    )


def embed_snippet(page_url: str, title: str) -> str:
    """An iframe of the page, for a shop's product page: sandboxed (no script, no form, no
    navigation of the shop's page), lazy, never sending the shop's address."""
    iframe = ElementTree.Element(
        "iframe",
        {
            "src": page_url,
            "title": title,
            "loading": "lazy",
            "sandbox": "",
            "referrerpolicy": "no-referrer",
            "style": "border:0;width:100%;min-height:24rem",
        },
    )
    iframe.text = ""  # an iframe is never self-closing in HTML
    return ElementTree.tostring(iframe, encoding="unicode", method="html")


def export(
    marketplace: Marketplace,
    sku: str,
    language: str,
    answers: Sequence[PublishedAnswer],
    market: Market | None = None,
    product_type: str | None = None,
    listing_id: str | None = None,
) -> Export:
    if not answers:
        raise CannotExport(f"no published answer in {language} for {sku}")
    market = market or HOME_MARKET[language]
    if marketplace is Marketplace.AMAZON:
        return _amazon(sku, language, answers, market, product_type)
    if marketplace is Marketplace.SHOPIFY:
        return _shopify(language, answers, listing_id)
    if marketplace is Marketplace.EBAY:
        return _ebay(language, answers, listing_id)
    return _walmart(sku, language, answers, product_type)


def _amazon(sku, language, answers, market, product_type) -> Export:
    if not product_type:
        raise CannotExport("Amazon needs the listing's product type (product_type=...)")
    region = "GB" if market is Market.UK else market.value
    tag = f"{language}_{region}"
    marketplace_id = AMAZON_MARKETPLACE_IDS[market]
    shown, left = answers[:AMAZON_BULLETS], answers[AMAZON_BULLETS:]
    bullets = [
        {"value": f"{a.question} {a.answer}", "language_tag": tag, "marketplace_id": marketplace_id}
        for a in shown
    ]
    return Export(
        Marketplace.AMAZON,
        language,
        "patchListingsItem",
        f"PATCH /listings/2021-08-01/items/{{sellerId}}/{sku}?marketplaceIds={marketplace_id}",
        {
            "productType": product_type,
            "patches": [{"op": "replace", "path": "/attributes/bullet_point", "value": bullets}],
        },
        "https://developer-docs.amazon.com/sp-api/docs/partially-update-a-listing",
        [a.entry_id for a in left],
    )


def _shopify(language, answers, listing_id) -> Export:
    if not listing_id:
        raise CannotExport("Shopify needs the product's id (listing_id=gid://shopify/Product/…)")
    owner = listing_id if listing_id.startswith("gid://") else f"gid://shopify/Product/{listing_id}"
    value = [{"question": a.question, "answer": a.answer} for a in answers]
    metafield = {
        "ownerId": owner,
        "namespace": SHOPIFY_NAMESPACE,
        "key": f"faq_{language}",
        "type": "json",
        "value": json.dumps(value, ensure_ascii=False),
    }
    return Export(
        Marketplace.SHOPIFY,
        language,
        "metafieldsSet",
        "POST /admin/api/{version}/graphql.json",
        {"metafields": [metafield]},
        "https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet",
        [],
    )


def _ebay(language, answers, listing_id) -> Export:
    if not listing_id:
        raise CannotExport("eBay needs the listing's item id (listing_id=...)")
    request = ElementTree.Element("AddToItemDescriptionRequest", {"xmlns": EBAY_NAMESPACE})
    ElementTree.SubElement(request, "ItemID").text = listing_id
    # The description is HTML carried as XML text: escaped twice over, once per layer.
    ElementTree.SubElement(request, "Description").text = description_html(
        WORDS[language]["heading"], answers
    )
    body = '<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(
        request, encoding="unicode"
    )
    return Export(
        Marketplace.EBAY,
        language,
        "AddToItemDescription",
        "POST https://api.ebay.com/ws/api.dll (X-EBAY-API-CALL-NAME: AddToItemDescription)",
        body,
        "https://developer.ebay.com/DevZone/XML/docs/Reference/eBay/AddToItemDescription.html",
        [],
    )


def _walmart(sku, language, answers, product_type) -> Export:
    if language not in WALMART_LANGUAGES:
        raise CannotExport(f"Walmart US takes English listings only, not {language}")
    if not product_type:
        raise CannotExport("Walmart needs the item's product type (product_type=...)")
    visible = {
        "keyFeatures": [f"{a.question} {a.answer}" for a in answers],
        "shortDescription": description_html(WORDS[language]["heading"], answers),
    }
    feed = {
        "MPItemFeedHeader": {"version": WALMART_SPEC_VERSION, "locale": language},
        "MPItem": [{"Orderable": {"sku": sku}, "Visible": {product_type: visible}}],
    }
    return Export(
        Marketplace.WALMART,
        language,
        "MP_MAINTENANCE",
        "POST https://marketplace.walmartapis.com/v3/feeds?feedType=MP_MAINTENANCE",
        feed,
        "https://developer.walmart.com/us-marketplace/docs/bulk-item-maintenance-1",
        [],
    )


def description_html(heading: str, answers: Sequence[PublishedAnswer]) -> str:
    """The answers as a small HTML fragment (a heading, a definition list), built as a tree
    so that a seller's text is always text."""
    root = ElementTree.Element("div")
    ElementTree.SubElement(root, "h3").text = heading
    listed = ElementTree.SubElement(root, "dl")
    for answer in answers:
        ElementTree.SubElement(listed, "dt").text = answer.question
        ElementTree.SubElement(listed, "dd").text = answer.answer
    return ElementTree.tostring(root, encoding="unicode", method="html")
