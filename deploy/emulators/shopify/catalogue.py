"""The demo sellers' catalogue as every emulated marketplace lists it: the products of the
sample cases (`shopify/orders.py`), each with its variants (sizes or colours), and the
facts a seller keeps of each unit (weight, box, HS code, origin, landed cost, ASIN and
FNSKU). Every emulated seller account lists the same catalogue, each marketplace in its
own words for the category (`*_CATEGORY`). Stable: the same every time.
"""

import html
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from deploy.emulators.buyers import SAMPLE_CASES
from deploy.emulators.shopify.orders import (
    EmulatedVariant,
    Product,
    catalogue,
    number,
    variants_of,
)

# Each marketplace's own classification of the demo's three categories.
SHOPIFY_CATEGORY = {
    "electronics": "Electronics > Electronics Accessories",
    "home": "Home & Garden > Decor > Window Treatments",
    "apparel": "Apparel & Accessories > Clothing",
}
SHOPIFY_PRODUCT_TYPE = {"electronics": "Electronics", "home": "Curtains", "apparel": "Clothing"}
AMAZON_PRODUCT_TYPE = {"electronics": "CONSUMER_ELECTRONICS", "home": "HOME", "apparel": "SHIRT"}
EBAY_TYPE = {"electronics": "Consumer Electronics", "home": "Home Decor", "apparel": "Clothing"}
WALMART_PRODUCT_TYPE = {
    "electronics": "Consumer Electronics",
    "home": "Home Decor",
    "apparel": "Clothing",
}
HS_CODES = {"electronics": "851822", "home": "630391", "apparel": "620443"}
WEIGHT_G = {"electronics": 900, "home": 1600, "apparel": 350}
BOX_MM = {"electronics": (220, 160, 90), "home": (400, 300, 80), "apparel": (300, 250, 50)}
LANDED_SHARE = Decimal("0.35")  # of the price
# The shop's published locales (English the primary), and the products a seller translated:
# the rest are listed in English only, as a shop's untranslated products are.
SHOP_LOCALES = ("en", "de", "fr", "es", "it")
TRANSLATED_TITLES = {
    "BT-SPK-200-BLK": {
        "de": "Tragbarer Bluetooth-Lautsprecher 20 W, IPX7 wasserdicht, Schwarz",
        "fr": "Enceinte Bluetooth portable 20 W, étanche IPX7, noire",
        "es": "Altavoz Bluetooth portátil 20 W, resistente al agua IPX7, negro",
        "it": "Altoparlante Bluetooth portatile 20 W, impermeabile IPX7, nero",
    },
    "LMP-DSK-LED-WCH": {
        "de": "LED-Schreibtischlampe mit kabellosem Ladegerät, Touch-Dimmer",
        "fr": "Lampe de bureau LED avec chargeur sans fil, variateur tactile",
        "es": "Lámpara de escritorio LED con cargador inalámbrico, regulador táctil",
        "it": "Lampada da scrivania LED con caricatore wireless, dimmer touch",
    },
    "CRT-BLK-5284-GRY": {
        "de": "Verdunkelungsvorhänge, 2 Schals, thermoisoliert, 132x213 cm, Grau",
        "fr": "Rideaux occultants 2 panneaux, isolants thermiques, 132x213 cm, gris",
    },
}


# The option values (colours) the seller translated (PRODUCT_OPTION_VALUE resources, key
# `name`); sizes read the same in every language and are left untranslated.
TRANSLATED_OPTION_VALUES = {
    "Black": {"de": "Schwarz", "fr": "Noir", "es": "Negro", "it": "Nero"},
    "White": {"de": "Weiß", "fr": "Blanc", "es": "Blanco", "it": "Bianco"},
    "Blue": {"de": "Blau", "fr": "Bleu", "es": "Azul", "it": "Blu"},
    "Red": {"de": "Rot", "fr": "Rouge", "es": "Rojo", "it": "Rosso"},
    "Gold edition": {
        "de": "Gold-Edition",
        "fr": "Édition or",
        "es": "Edición oro",
        "it": "Edizione oro",
    },
}


def translated_option_value(value: str, language: str) -> str | None:
    """An option value in `language` as the seller translated it; None: not translated."""
    return TRANSLATED_OPTION_VALUES.get(value, {}).get(language)


def translated_title(product: Product, language: str) -> str | None:
    """The product's title in `language` as the seller translated it; None: not translated."""
    return TRANSLATED_TITLES.get(product.sku, {}).get(language)


# The languages a seller translated a product's description into (key `body_html`): some
# only into a few of its title's languages, as sellers do.
TRANSLATED_DESCRIPTIONS = {
    "BT-SPK-200-BLK": ("de", "fr", "es", "it"),
    "LMP-DSK-LED-WCH": ("de",),
    "CRT-BLK-5284-GRY": ("de", "fr"),
}
SET_UP_IN_MINUTES = {
    "de": "in wenigen Minuten eingerichtet",
    "fr": "installation en quelques minutes",
    "es": "se instala en unos minutos",
    "it": "si installa in pochi minuti",
}
BOX_WORD = {"de": "Karton", "fr": "Carton", "es": "Caja", "it": "Scatola"}


def translated_description_html(product: Product, language: str) -> str | None:
    """The product's description in `language` as the seller translated it (metric);
    None: not translated."""
    title = translated_title(product, language)
    if title is None or language not in TRANSLATED_DESCRIPTIONS.get(product.sku, ()):
        return None
    length, width, height = BOX_MM[product.category or "electronics"]
    return (
        f"<p><strong>{html.escape(title)}</strong>: {SET_UP_IN_MINUTES[language]}.</p>"
        f"<ul><li>{BOX_WORD[language]}: {length / 10:g} x {width / 10:g} x {height / 10:g} cm"
        "</li></ul>"
    )


@dataclass(frozen=True)
class Listed:
    """One variant of a product as the seller lists it."""

    product: Product
    variant: EmulatedVariant
    asin: str
    fnsku: str
    weight_g: int
    box_mm: tuple[int, int, int]
    hs_code: str
    origin: str = "CN"

    @property
    def category(self) -> str:
        return self.product.category or "electronics"

    @property
    def landed_cost(self) -> Decimal:
        return (self.variant.price * LANDED_SHARE).quantize(Decimal("0.01"))


@cache
def sample_asins() -> dict[str, str]:
    cases = json.loads(SAMPLE_CASES.read_text(encoding="utf-8"))
    return {
        item["sku"]: item["asin"] for case in cases for item in case["items"] if item.get("asin")
    }


@cache
def listed_products() -> tuple[tuple[Product, tuple[Listed, ...]], ...]:
    """Each product, by SKU, with its variants, the one orders sell first."""
    products, _ = catalogue()
    return tuple(
        (product, tuple(listed(product, v) for v in variants_of(product))) for product in products
    )


def listed(product: Product, variant: EmulatedVariant) -> Listed:
    category = product.category or "electronics"
    asins = sample_asins()
    asin = asins.get(variant.sku) or f"B0{number('asin', variant.sku) % 10**8:08d}"
    length, width, height = BOX_MM[category]
    grams = WEIGHT_G[category] + number("weight", variant.sku) % 100
    return Listed(
        product=product,
        variant=variant,
        asin=asin,
        fnsku=f"X00{number('fnsku', variant.sku) % 10**7:07d}",
        weight_g=grams,
        box_mm=(length, width, height),
        hs_code=HS_CODES[category],
    )


def all_listed() -> list[Listed]:
    return [one for _, variants in listed_products() for one in variants]


def page(items: list, offset: int, limit: int) -> tuple[list, int | None]:
    """Items [offset, offset+limit) and the offset of the next page (None: the last)."""
    end = offset + limit
    return items[offset:end], end if end < len(items) else None
