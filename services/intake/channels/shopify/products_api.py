"""Shopify Admin GraphQL API: the shop's catalog, for the seller's catalog
(`workflows/catalog.py`).

The `products` query (https://shopify.dev/docs/api/admin-graphql/latest/queries/products),
paged by cursor (`first`/`after`, then `pageInfo { hasNextPage endCursor }`:
https://shopify.dev/docs/api/usage/pagination-graphql), each product with its
`productType`, its Standard Product Taxonomy `category { fullName }` and its `variants`:
`sku`, `price` (in the shop's currency), `selectedOptions`, `availableForSale` and the
`inventoryItem`'s `harmonizedSystemCode`, `countryCodeOfOrigin` and `measurement { weight }`
(https://shopify.dev/docs/api/admin-graphql/latest/objects/InventoryItem). A page asks
for at most `PRODUCTS_PAGE` products of `VARIANTS_PAGE` variants each, so that its cost
stays under the 1,000 points one query may cost; a product with more variants has the rest
read with the `product` query, paged the same way.

Localised titles: the shop's published locales (`shopLocales(published: true)`: its
primary one is the language of `title`), then, for each page and each other published
locale of the buyer's languages, the page's products' published translations
(`translatableResourcesByIds(resourceIds:) { nodes { resourceId translations(locale:)
{ key value } } }`: https://shopify.dev/docs/api/admin-graphql/latest/queries/
translatableResourcesByIds), the `title` key. A product not translated into a locale has no
title in that language. The same for the products' option values (`options { name
optionValues { id name } }`, PRODUCT_OPTION_VALUE resources, the `name` key): each
variant's attribute values by language (`CatalogVariant.attribute_titles`), for the
exchange picker. Needs read_products, read_inventory and read_translations.

The listing's content (`ListingContent`, for the listing audit), for each market the shop
prices the product in: its title and the words of its description in the market's
language where the seller translated them (the same translations, keys `title` and
`body_html`), else its `title` and `descriptionHtml` in the shop's primary language; its
variant's options as the attributes.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from services.intake.channels.shopify.graphql import Data, GraphQLModel, ShopifyAdmin, ask
from services.intake.domain.catalog import (
    LANGUAGES,
    CatalogVariant,
    ListingContent,
    category_of,
    country_of,
    grams,
    hs_code_of,
    priced_in_markets,
    words_of_html,
)
from shared.markets import DEFAULT_LANGUAGE_OF, Market
from shared.outbound import Refused, Unavailable

MARKETS = frozenset(m.value for m in Market)

PRODUCTS_PAGE = 5
VARIANTS_PAGE = 25
OPTIONS = 3  # a product has at most three options
MAX_PAGES = 2000
# A throttled page is asked again after the bucket refills, this many times at most.
THROTTLE_TRIES = 5
MAX_THROTTLE_WAIT_SECONDS = 20.0
UNITS = {"GRAMS": "g", "KILOGRAMS": "kg", "OUNCES": "oz", "POUNDS": "lb"}

VARIANT_FIELDS = """
  pageInfo { hasNextPage endCursor }
  nodes {
    id sku title price availableForSale
    selectedOptions { name value }
    inventoryItem {
      harmonizedSystemCode countryCodeOfOrigin
      measurement { weight { unit value } }
    }
  }
"""
PRODUCTS_QUERY = f"""
query CatalogProducts($first: Int!, $after: String, $variants: Int!) {{
  shop {{ currencyCode }}
  products(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id title productType descriptionHtml
      category {{ fullName }}
      options(first: {OPTIONS}) {{ name optionValues {{ id name }} }}
      variants(first: $variants) {{ {VARIANT_FIELDS} }}
    }}
  }}
}}
"""
MORE_VARIANTS_QUERY = f"""
query MoreVariants($id: ID!, $first: Int!, $after: String) {{
  product(id: $id) {{ variants(first: $first, after: $after) {{ {VARIANT_FIELDS} }} }}
}}
"""


LOCALES_QUERY = """
query ShopLocales { shopLocales(published: true) { locale primary } }
"""
TRANSLATIONS_QUERY = """
query Translations($ids: [ID!]!, $first: Int!, $locale: String!) {
  translatableResourcesByIds(resourceIds: $ids, first: $first) {
    nodes { resourceId translations(locale: $locale) { key value } }
  }
}
"""


class ShopLocale(GraphQLModel):
    locale: str
    primary: bool = False


class LocalesData(GraphQLModel):
    shop_locales: list[ShopLocale]


class Translation(GraphQLModel):
    key: str
    value: str | None = None


class Translatable(GraphQLModel):
    resource_id: str
    translations: list[Translation] = []


class Translatables(GraphQLModel):
    nodes: list[Translatable]


class TranslationsData(GraphQLModel):
    translatable_resources_by_ids: Translatables


class PageInfo(GraphQLModel):
    has_next_page: bool
    end_cursor: str | None = None


class Option(GraphQLModel):
    name: str
    value: str


class Weight(GraphQLModel):
    unit: str
    value: float


class Measurement(GraphQLModel):
    weight: Weight | None = None


class InventoryItem(GraphQLModel):
    harmonized_system_code: str | None = None
    country_code_of_origin: str | None = None
    measurement: Measurement | None = None


class Variant(GraphQLModel):
    id: str
    sku: str | None = None
    title: str
    price: str
    available_for_sale: bool = True
    selected_options: list[Option] = []
    inventory_item: InventoryItem | None = None


class Variants(GraphQLModel):
    page_info: PageInfo
    nodes: list[Variant]


class OptionValue(GraphQLModel):
    id: str
    name: str


class ProductOption(GraphQLModel):
    name: str
    option_values: list[OptionValue] = []


class Category(GraphQLModel):
    full_name: str


class Product(GraphQLModel):
    id: str
    title: str
    product_type: str = ""
    description_html: str = ""
    category: Category | None = None
    options: list[ProductOption] = []
    variants: Variants


class Products(GraphQLModel):
    page_info: PageInfo
    nodes: list[Product]


class Shop(GraphQLModel):
    currency_code: str


class ProductsData(GraphQLModel):
    shop: Shop
    products: Products


class VariantsOf(GraphQLModel):
    variants: Variants


class MoreData(GraphQLModel):
    product: VariantsOf | None = None


async def patiently_ask(
    admin: ShopifyAdmin, model: type[Data], query: str, variables: dict[str, Any], what: str
) -> Data:
    """`ask`, waiting out the shop's cost bucket when Shopify throttles: an import reads
    many costly pages in a row and would otherwise fail half-way on a busy shop. Anything
    else, or a wait longer than `MAX_THROTTLE_WAIT_SECONDS`, reaches the caller."""
    for _ in range(THROTTLE_TRIES - 1):
        try:
            return await ask(admin, model, query, variables, what)
        except Unavailable as throttled:
            wait = throttled.retry_after
            if wait is None or wait > MAX_THROTTLE_WAIT_SECONDS:
                raise
            await asyncio.sleep(wait)
    return await ask(admin, model, query, variables, what)


async def catalog_pages(admin: ShopifyAdmin, page_size: int) -> AsyncIterator[list[CatalogVariant]]:
    """The shop's variants, a page of products at a time."""
    after: str | None = None
    first = max(1, min(page_size, PRODUCTS_PAGE))
    primary, others = await shop_languages(admin)
    for _ in range(MAX_PAGES):
        variables = {"first": first, "after": after, "variants": VARIANTS_PAGE}
        what = "the shop's products"
        data = await patiently_ask(admin, ProductsData, PRODUCTS_QUERY, variables, what)
        translated = await translated_products(admin, [p.id for p in data.products.nodes], others)
        titles, bodies = translated["title"], translated["body_html"]
        options = [option for product in data.products.nodes for option in product.options]
        values = await translated_option_values(admin, options, others)
        found = []
        for product in data.products.nodes:
            variants = product.variants.nodes + await more_variants(admin, product)
            named = {primary: product.title, **titles.get(product.id, {})}
            currency = data.shop.currency_code
            translations = value_translations(product.options, values)
            described = bodies.get(product.id, {})
            found += [
                variant_of(product, v, currency, named, translations, primary, described)
                for v in variants
                if v.sku
            ]
        yield found
        if not data.products.page_info.has_next_page:
            return
        after = data.products.page_info.end_cursor
    raise Refused("shopify", f"the shop has more than {MAX_PAGES} pages of products")


def language_of(locale: str) -> str:
    return locale.split("-")[0].lower()


async def shop_languages(admin: ShopifyAdmin) -> tuple[str, list[str]]:
    """The language of the shop's primary locale, and its other published locales among
    the buyers' languages (each as the locale the shop names it)."""
    data = await patiently_ask(admin, LocalesData, LOCALES_QUERY, {}, "the shop's locales")
    primary = next((one.locale for one in data.shop_locales if one.primary), "en")
    others = [
        one.locale
        for one in data.shop_locales
        if not one.primary and language_of(one.locale) in LANGUAGES
    ]
    return language_of(primary), others


async def translated_products(
    admin: ShopifyAdmin, product_ids: list[str], locales: list[str]
) -> dict[str, dict[str, dict[str, str]]]:
    """Each product's published title and description translations (keys `title` and
    `body_html`), by language."""
    return await translated(admin, product_ids, locales, ("title", "body_html"), "products'")


async def translated_option_values(
    admin: ShopifyAdmin, options: list[ProductOption], locales: list[str]
) -> dict[str, dict[str, str]]:
    """Each option value's published name translations, by language, by option value id."""
    ids = [value.id for option in options for value in option.option_values]
    return (await translated(admin, ids, locales, ("name",), "option values'"))["name"]


async def translated(
    admin: ShopifyAdmin, ids: list[str], locales: list[str], keys: tuple[str, ...], whose: str
) -> dict[str, dict[str, dict[str, str]]]:
    """The resources' published translations of each of `keys`: by key, by resource id,
    by language."""
    found: dict[str, dict[str, dict[str, str]]] = {key: {} for key in keys}
    if not ids:
        return found
    for locale in locales:
        variables = {"ids": ids, "first": len(ids), "locale": locale}
        what = f"the {whose} {locale} translations"
        data = await patiently_ask(admin, TranslationsData, TRANSLATIONS_QUERY, variables, what)
        for node in data.translatable_resources_by_ids.nodes:
            for translation in node.translations:
                if translation.key in found and translation.value:
                    by_id = found[translation.key].setdefault(node.resource_id, {})
                    by_id[language_of(locale)] = translation.value
    return found


# An option value's translations, by (option name lowered, value): {language: value}.
ValueTranslations = dict[tuple[str, str], dict[str, str]]


def value_translations(
    options: list[ProductOption], by_id: dict[str, dict[str, str]]
) -> ValueTranslations:
    """The options' values' translations (`by_id`: by option value id), by option and value."""
    return {
        (option.name.lower(), value.name): by_id[value.id]
        for option in options
        for value in option.option_values
        if by_id.get(value.id)
    }


def attribute_titles(
    attributes: dict[str, str], translations: ValueTranslations
) -> dict[str, dict[str, str]]:
    """A variant's attribute values in each language the seller translated them into:
    {language: {value as listed: value in that language}}, keyed by the value itself so
    that a translation outlived by a renamed value is never shown; untranslated ones left
    out."""
    localised: dict[str, dict[str, str]] = {}
    for name, value in attributes.items():
        for language, said in translations.get((name, value), {}).items():
            localised.setdefault(language, {})[value] = said
    return localised


async def more_variants(admin: ShopifyAdmin, product: Product) -> list[Variant]:
    more: list[Variant] = []
    page = product.variants.page_info
    while page.has_next_page:
        variables = {"id": product.id, "first": VARIANTS_PAGE, "after": page.end_cursor}
        what = f"the variants of product {product.id}"
        data = await patiently_ask(admin, MoreData, MORE_VARIANTS_QUERY, variables, what)
        if data.product is None:
            return more
        more += data.product.variants.nodes
        page = data.product.variants.page_info
    return more


def variant_of(
    product: Product,
    variant: Variant,
    currency: str,
    titles: dict[str, str],
    translations: ValueTranslations | None = None,
    language: str = "en",
    descriptions: dict[str, str] | None = None,
) -> CatalogVariant:
    """The variant as the shop lists it; `titles` and `descriptions` (HTML) are the
    product's by language, `language` the shop's primary one."""
    shopify_category = product.category.full_name if product.category else None
    prices = priced_in_markets(variant.price, currency)
    item = variant.inventory_item or InventoryItem()
    weight = item.measurement.weight if item.measurement else None
    attributes = {o.name.lower(): o.value for o in variant.selected_options if o.name != "Title"}
    return CatalogVariant(
        sku=variant.sku or variant.id,
        product_id=product.id,
        product_title=product.title,
        title=variant.title,
        category=category_of(shopify_category, product.product_type),
        source_category=shopify_category or product.product_type or None,
        listing_ids={"shopify": variant.id},
        attributes=attributes,
        attribute_titles=attribute_titles(attributes, translations or {}),
        prices=prices,
        weight_g=grams(weight.value, UNITS.get(weight.unit)) if weight else None,
        hs_code=hs_code_of(item.harmonized_system_code),
        origin_country=country_of(item.country_code_of_origin),
        titles=titles,
        available=variant.available_for_sale,
        listings={
            market: listing_in(product, market, titles, descriptions or {}, language, attributes)
            for market in prices
        },
    )


def listing_in(
    product: Product,
    market: str,
    titles: dict[str, str],
    descriptions: dict[str, str],
    primary: str,
    attributes: dict[str, str],
) -> ListingContent:
    """The product's listing in a market: in the market's language where the seller
    translated its description, else in the shop's primary language."""
    wanted = DEFAULT_LANGUAGE_OF[Market(market)] if market in MARKETS else primary
    translated = descriptions.get(wanted) if wanted != primary else None
    language = wanted if translated else primary
    return ListingContent(
        language=language,
        title=titles.get(language) or product.title,
        description=text_of(translated or product.description_html),
        attributes=attributes,
    )


def text_of(html: str) -> str | None:
    """The words of a product's description (`descriptionHtml`), its markup left out."""
    return words_of_html(html)


# The products/create and products/update webhooks (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-products/update):
# the product as the REST Admin API shows it; its variants name their options by position
# (option1..3, named by the product's `options`). No HS code nor origin: those stay as the
# last import read them. Nor translations: Shopify has no webhook topic for them, so the
# product's published title translations are read as the import reads them
# (`product_localised`), the title the webhook gives being the shop's primary language's,
# with the translations of its option values.

PRODUCT_TOPICS = ("products/create", "products/update")


class HookOption(GraphQLModel):
    name: str
    position: int


class HookVariant(GraphQLModel):
    admin_graphql_api_id: str
    title: str = ""
    price: str | None = None
    sku: str | None = None
    option1: str | None = None
    option2: str | None = None
    option3: str | None = None
    grams: int | None = None


class HookCategory(GraphQLModel):
    full_name: str | None = None


class HookProduct(GraphQLModel):
    admin_graphql_api_id: str
    title: str
    product_type: str = ""
    category: HookCategory | None = None
    options: list[HookOption] = []
    variants: list[HookVariant] = []


PRODUCT_OPTIONS_QUERY = f"""
query ProductOptions($id: ID!) {{
  product(id: $id) {{ options(first: {OPTIONS}) {{ name optionValues {{ id name }} }} }}
}}
"""


class OptionsOf(GraphQLModel):
    options: list[ProductOption] = []


class OptionsData(GraphQLModel):
    product: OptionsOf | None = None


@dataclass(frozen=True)
class Localised:
    """A product's words in the buyers' languages, as the shop publishes them."""

    titles: dict[str, str]  # by language, the primary one's the webhook's title
    values: ValueTranslations  # its option values'


async def product_localised(admin: ShopifyAdmin, product_id: str, title: str) -> Localised:
    """One product's titles by language (`title` in the shop's primary language, and its
    published translations into the shop's other locales of the buyers' languages) and
    its option values' translations (the webhook names values, not their ids: the
    product's options are read for them)."""
    primary, others = await shop_languages(admin)
    translated = (await translated_products(admin, [product_id], others))["title"]
    variables = {"id": product_id}
    what = f"the options of product {product_id}"
    data = await patiently_ask(admin, OptionsData, PRODUCT_OPTIONS_QUERY, variables, what)
    options = data.product.options if data.product else []
    by_id = await translated_option_values(admin, options, others)
    return Localised(
        {primary: title, **translated.get(product_id, {})}, value_translations(options, by_id)
    )


def hook_variants(
    product: HookProduct, currency: str | None, localised: Localised | None = None
) -> list[CatalogVariant]:
    """The product's variants as its webhook lists them; prices in the shop's currency when
    it is known (the account's market's), else left as they were; titles and attributes by
    language as `product_localised` read them (None: the webhook's title, taken as
    English, and the attributes' translations left as they were)."""
    shopify_category = product.category.full_name if product.category else None
    return [
        hook_variant(product, variant, currency, localised, shopify_category)
        for variant in product.variants
        if variant.sku
    ]


def hook_variant(
    product: HookProduct,
    variant: HookVariant,
    currency: str | None,
    localised: Localised | None,
    shopify_category: str | None,
) -> CatalogVariant:
    named = {option.position: option.name.lower() for option in product.options}
    attributes = {
        named.get(position, f"option{position}"): value
        for position, value in enumerate(
            (variant.option1, variant.option2, variant.option3), start=1
        )
        if value and value != "Default Title"
    }
    return CatalogVariant(
        sku=variant.sku or variant.admin_graphql_api_id,
        product_id=product.admin_graphql_api_id,
        product_title=product.title,
        title=variant.title,
        category=category_of(shopify_category, product.product_type),
        source_category=shopify_category or product.product_type or None,
        listing_ids={"shopify": variant.admin_graphql_api_id},
        attributes=attributes,
        attribute_titles=attribute_titles(attributes, localised.values) if localised else {},
        prices=priced_in_markets(variant.price, currency) if currency else {},
        weight_g=variant.grams or None,
        titles=localised.titles if localised else {"en": product.title},
    )
