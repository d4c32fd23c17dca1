"""The seller's catalog: products and their variants as the marketplaces list them, on one
project taxonomy. Pure.

One taxonomy for every channel (`TAXONOMY`): the category names resolution's cost book,
fulfillment's customs table, refurbish's rubrics and the knowledge base already key on.
Each marketplace's own classification (Shopify's product type and Standard Product
Taxonomy path, Amazon's product type, eBay's item aspects, Walmart's product type and
shelf) is mapped onto it by the words it holds (`category_of`); what maps onto none stays
uncategorised, and consumers use their defaults for it.

A variant is what a SKU names: the unit a case's item is. Its product groups the variants
a buyer may exchange one for another (same product, other size or colour).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape

from shared.events import ProductFacts
from shared.markets import CURRENCY_OF, MINOR_UNITS, Currency, Market

# The project's categories. Order of the rules matters: "Home & Garden > Kitchen & Dining"
# is kitchen, "Home Appliances" appliances, before anything says home.
TAXONOMY = (
    "apparel",
    "appliances",
    "beauty",
    "electronics",
    "furniture",
    "home",
    "kitchen",
    "sports",
    "toys",
)
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kitchen", ("KITCHEN", "COOKWARE", "BAKEWARE", "CUTLERY", "DINING", "KNIFE", "UTENSIL")),
    ("appliances", ("APPLIANCE", "VACUUM", "WASHER", "MICROWAVE", "REFRIGERATOR")),
    ("furniture", ("FURNITURE", "SOFA", "CHAIR", "TABLE", "DESK", "SHELF")),
    ("toys", ("TOY", "GAME", "PUZZLE", "DOLL")),
    ("sports", ("SPORT", "FITNESS", "OUTDOOR", "CAMPING", "BICYCLE", "EXERCISE")),
    ("beauty", ("BEAUTY", "COSMETIC", "SKIN_CARE", "SKIN CARE", "HAIR", "PERSONAL CARE")),
    (
        "apparel",
        (
            "APPAREL",
            "CLOTHING",
            "SHIRT",
            "DRESS",
            "PANTS",
            "LEGGINGS",
            "COAT",
            "JACKET",
            "SHOES",
            "SNEAKER",
            "FOOTWEAR",
            "SOCKS",
        ),
    ),
    (
        "electronics",
        (
            "ELECTRONIC",
            "AUDIO",
            "SPEAKER",
            "HEADPHONE",
            "EARBUD",
            "CHARG",
            "CAMERA",
            "COMPUTER",
            "PHONE",
            "LIGHTING_STRIP",
            "SMART_PLUG",
            "ROBOT",
        ),
    ),
    ("home", ("HOME", "CURTAIN", "LAMP", "BED", "DECOR", "LINEN", "FURNISHING", "HOUSEHOLD")),
)
LANGUAGES = ("en", "de", "fr", "es", "it")
GRAMS_PER = {
    "g": Decimal(1),
    "gram": Decimal(1),
    "grams": Decimal(1),
    "kg": Decimal(1000),
    "kilogram": Decimal(1000),
    "kilograms": Decimal(1000),
    "lb": Decimal("453.59237"),
    "pound": Decimal("453.59237"),
    "pounds": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
    "ounce": Decimal("28.349523125"),
    "ounces": Decimal("28.349523125"),
}
MM_PER = {
    "mm": Decimal(1),
    "millimeter": Decimal(1),
    "millimeters": Decimal(1),
    "cm": Decimal(10),
    "centimeter": Decimal(10),
    "centimeters": Decimal(10),
    "m": Decimal(1000),
    "meter": Decimal(1000),
    "meters": Decimal(1000),
    "in": Decimal("25.4"),
    "inch": Decimal("25.4"),
    "inches": Decimal("25.4"),
    "ft": Decimal("304.8"),
    "feet": Decimal("304.8"),
}
HS_CODE = re.compile(r"^[0-9]{6,10}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_FNSKU = 20
TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Money:
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class ListingContent:
    """What a listing says to its buyers on one marketplace, as read from that marketplace:
    the content the listing audit (analytics) checks against each market's rules."""

    language: str | None = None  # the marketplace's language the content is written in
    title: str | None = None
    bullets: tuple[str, ...] = ()
    description: str | None = None
    size_chart: str | None = None  # the size chart's text, where the listing has one
    attributes: dict[str, str] = field(default_factory=dict)  # plug, voltage, marks...

    def as_row(self) -> dict[str, object]:
        return {
            "language": self.language,
            "title": self.title,
            "bullets": list(self.bullets),
            "description": self.description,
            "size_chart": self.size_chart,
            "attributes": dict(self.attributes),
        }


@dataclass(frozen=True)
class CatalogVariant:
    """One SKU of a seller's catalog, as one source (a marketplace, an upload) lists it.
    None / empty: the source does not say (an update keeps what another source said)."""

    sku: str
    product_id: str  # the product the variants of one another share
    product_title: str | None = None
    title: str | None = None  # the variant's own ("Black", "L")
    category: str | None = None  # in TAXONOMY
    source_category: str | None = None  # the marketplace's own words
    asin: str | None = None
    fnsku: str | None = None
    listing_ids: dict[str, str] = field(default_factory=dict)  # by marketplace
    attributes: dict[str, str] = field(default_factory=dict)  # size, colour...
    # The attributes' values in other languages, where the seller translated them, by the
    # value as listed: {"de": {"Black": "Schwarz"}}.
    attribute_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    prices: dict[str, Money] = field(default_factory=dict)  # by market
    landed_costs: dict[str, Money] = field(default_factory=dict)  # by market
    weight_g: int | None = None
    dimensions_mm: tuple[int, int, int] | None = None  # length, width, height
    hs_code: str | None = None
    origin_country: str | None = None
    titles: dict[str, str] = field(default_factory=dict)  # by language
    available: bool | None = None
    # What the listing says on each market's marketplace (by market: "US", "DE").
    listings: dict[str, ListingContent] = field(default_factory=dict)


def words_of_html(html: str) -> str | None:
    """The words of a marketplace's HTML description, its markup left out."""
    text = " ".join(TAGS.sub(" ", html).split())
    return unescape(text) or None


def category_of(*words: str | None) -> str | None:
    """The project category the marketplace's words name; None when none does."""
    said = " ".join(word for word in words if word).upper()
    if not said:
        return None
    lowered = said.lower().strip()
    if lowered in TAXONOMY:
        return lowered
    for category, keys in RULES:
        if any(key in said for key in keys):
            return category
    return None


def grams(value: object, unit: str | None) -> int | None:
    per = GRAMS_PER.get((unit or "").strip().lower())
    number = decimal_of(value)
    if per is None or number is None or number <= 0:
        return None
    return max(1, int((number * per).to_integral_value()))


def millimetres(value: object, unit: str | None) -> int | None:
    per = MM_PER.get((unit or "").strip().lower())
    number = decimal_of(value)
    if per is None or number is None or number <= 0:
        return None
    return max(1, int((number * per).to_integral_value()))


def box(length: int | None, width: int | None, height: int | None) -> tuple[int, int, int] | None:
    if length is None or width is None or height is None:
        return None
    return (length, width, height)


def decimal_of(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None


def money_of(amount: object, currency: str | None) -> Money | None:
    number = decimal_of(amount)
    if number is None or number < 0 or currency not in set(Currency):
        return None
    minor = number * MINOR_UNITS[Currency(currency)]
    return Money(int(minor.to_integral_value()), currency)


def priced_in_markets(amount: object, currency: str | None) -> dict[str, Money]:
    """A price quoted in one currency, for every market that pays in it."""
    money = money_of(amount, currency)
    if money is None:
        return {}
    return {m.value: money for m, paid in CURRENCY_OF.items() if paid.value == currency}


def hs_code_of(value: str | None) -> str | None:
    digits = re.sub(r"[.\s]", "", value or "")
    return digits if HS_CODE.match(digits) else None


def country_of(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    return code if COUNTRY.match(code) else None


def product_facts(row: dict, market: Market, currency: Currency) -> ProductFacts:
    """What a case's item carries of its catalog variant (a row of `catalog_variants`): the
    landed cost is the market's, when in the case's currency; its titles in the buyers'
    languages, for resolution to name the item in the buyer's."""
    landed = (row.get("landed_costs") or {}).get(market.value) or {}
    cost = landed.get("amount_minor") if landed.get("currency") == currency.value else None
    dimensions = row.get("dimensions_mm")
    return ProductFacts(
        product_id=row["product_id"],
        attributes=dict(row.get("attributes") or {}),
        fnsku=row.get("fnsku") if len(row.get("fnsku") or "") <= MAX_FNSKU else None,
        weight_g=row.get("weight_g"),
        dimensions_mm=tuple(dimensions) if dimensions else None,
        landed_cost_minor=cost,
        hs_code=row.get("hs_code"),
        origin_country=row.get("origin_country"),
        titles={
            language: str(title)
            for language, title in (row.get("titles") or {}).items()
            if language in LANGUAGES and title
        },
    )
