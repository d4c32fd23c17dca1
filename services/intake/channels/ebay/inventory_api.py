"""eBay's Sell Inventory API: the seller's inventory items, for the seller's catalog.

getInventoryItems (https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/getInventoryItems):
`GET /sell/inventory/v1/inventory_item?limit=…&offset=…` (limit at most 200) with the
seller's user token (`Authorization: Bearer`, scope sell.inventory.readonly), answered
`{"total", "size", "next"?, "inventoryItems": [...]}`; pages follow while `next` is given.
From each item: `sku`, `product.title`, `product.aspects` (the item specifics: `Type` and
the like mapped to the project's taxonomy, `Color` / `Size` what variants differ in,
`Country of Origin` / `Country/Region of Manufacture`), `packageWeightAndSize` and
`inventoryItemGroupKeys` (the variation group, the product; none: its own product).
Prices live on eBay's offers, not on inventory items: each item's are read with getOffers
(https://developer.ebay.com/api-docs/sell/inventory/resources/offer/methods/getOffers:
`GET /sell/inventory/v1/offer?sku=…&format=FIXED_PRICE`, answered `{"total", "offers":
[{"offerId", "marketplaceId", "format", "pricingSummary": {"price": {"value",
"currency"}}, "listing": {"listingId"}}]}`), one offer per eBay marketplace: a fixed-price
offer's price is the price of that site's market (an auction's start price is none), its
listing id kept as `ebay:<marketplace id>`. A SKU with no offer (404, errorId 25713) has no
price on eBay and keeps what other sources say.
The listing's content on each site it is offered on (`ListingContent`, for the listing
audit): the item's `product.title`, the offer's own `listingDescription` where it has one
(else the item's `product.description`), every `product.aspects` value as the attributes,
in the item's `locale`.
"""

from collections.abc import AsyncIterator, Sequence

import httpx
from pydantic import BaseModel, ConfigDict

from services.intake.channels.ebay.oauth import EBAY, as_the_seller
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.catalog import (
    CatalogVariant,
    ListingContent,
    Money,
    box,
    category_of,
    country_of,
    grams,
    millimetres,
    money_of,
)
from shared.outbound import Refused, answer_to, resource_of

INVENTORY_ITEMS = "/sell/inventory/v1/inventory_item"
OFFERS = "/sell/inventory/v1/offer"
NO_OFFER = 404  # errorId 25713: the SKU is offered nowhere
OFFERS_PAGE = 100
# eBay's marketplace ids (MarketplaceEnum) of the markets the project serves.
MARKET_OF_SITE = {
    "EBAY_US": "US",
    "EBAY_CA": "CA",
    "EBAY_GB": "UK",
    "EBAY_DE": "DE",
    "EBAY_FR": "FR",
    "EBAY_IT": "IT",
    "EBAY_ES": "ES",
    "EBAY_NL": "NL",
    "EBAY_IE": "IE",
}
PAGE = 200
MAX_PAGES = 500
VARIANT_ASPECTS = ("color", "colour", "size", "style", "material")
CATEGORY_ASPECTS = ("Type", "Product Type", "Department", "Category")
ORIGIN_ASPECTS = ("Country of Origin", "Country/Region of Manufacture")


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Product(Model):
    title: str | None = None
    description: str | None = None
    aspects: dict[str, list[str]] = {}


class Measure(Model):
    value: float | None = None
    unit: str | None = None


class Dimensions(Model):
    length: float | None = None
    width: float | None = None
    height: float | None = None
    unit: str | None = None


class Package(Model):
    dimensions: Dimensions | None = None
    weight: Measure | None = None


class InventoryItem(Model):
    sku: str
    locale: str | None = None
    product: Product | None = None
    packageWeightAndSize: Package | None = None
    inventoryItemGroupKeys: list[str] = []


class InventoryItems(Model):
    total: int = 0
    next: str | None = None
    inventoryItems: list[InventoryItem] = []


class Amount(Model):
    value: str
    currency: str


class PricingSummary(Model):
    price: Amount | None = None


class Listing(Model):
    listingId: str | None = None


class Offer(Model):
    marketplaceId: str
    format: str = "FIXED_PRICE"
    pricingSummary: PricingSummary | None = None
    listing: Listing | None = None
    listingDescription: str | None = None


class Offers(Model):
    total: int = 0
    offers: list[Offer] = []


async def catalog_pages(
    account: Account, apis: MarketplaceApis, page_size: int
) -> AsyncIterator[list[CatalogVariant]]:
    limit = max(1, min(page_size, PAGE))
    for number in range(MAX_PAGES):
        offset = number * limit

        async def read(token: str, offset: int = offset) -> InventoryItems:
            return await inventory_items(apis, token, limit, offset)

        found = await as_the_seller(account, apis, read)
        variants = []
        for item in found.inventoryItems:

            async def offered(token: str, sku: str = item.sku) -> list[Offer]:
                return await offers_of(apis, token, sku)

            variants.append(variant_of(item, await as_the_seller(account, apis, offered)))
        yield variants
        if not found.next or not found.inventoryItems:
            return
    raise Refused(EBAY, f"the seller has more than {MAX_PAGES} pages of inventory items")


async def inventory_items(
    apis: MarketplaceApis, token: str, limit: int, offset: int
) -> InventoryItems:
    request = apis.http.build_request(
        "GET",
        f"{apis.settings.ebay_api_base_url.rstrip('/')}{INVENTORY_ITEMS}",
        params={"limit": str(limit), "offset": str(offset)},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    what = "the seller's inventory items"
    response: httpx.Response = await answer_to(apis.http, request, EBAY, what)
    return resource_of(InventoryItems, response, EBAY, what)


async def offers_of(apis: MarketplaceApis, token: str, sku: str) -> list[Offer]:
    """The SKU's fixed-price offers, one per eBay marketplace; [] when it has none."""
    request = apis.http.build_request(
        "GET",
        f"{apis.settings.ebay_api_base_url.rstrip('/')}{OFFERS}",
        params={"sku": sku, "format": "FIXED_PRICE", "limit": str(OFFERS_PAGE)},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    what = f"the offers of SKU {sku}"
    try:
        response: httpx.Response = await answer_to(apis.http, request, EBAY, what)
    except Refused as refusal:
        if refusal.status == NO_OFFER:
            return []
        raise
    return resource_of(Offers, response, EBAY, what).offers


def prices_of(offers: Sequence[Offer]) -> dict[str, Money]:
    """Each fixed-price offer's price, as its site's market's."""
    prices = {}
    for offer in offers:
        market = MARKET_OF_SITE.get(offer.marketplaceId)
        price = offer.pricingSummary.price if offer.pricingSummary else None
        money = money_of(price.value, price.currency) if price else None
        if market and money and offer.format == "FIXED_PRICE":
            prices[market] = money
    return prices


def listings_of(offers: Sequence[Offer]) -> dict[str, str]:
    return {
        f"ebay:{offer.marketplaceId}": offer.listing.listingId
        for offer in offers
        if offer.listing and offer.listing.listingId
    }


def variant_of(item: InventoryItem, offers: Sequence[Offer] = ()) -> CatalogVariant:
    product = item.product or Product()
    aspects = {name: values[0] for name, values in product.aspects.items() if values}
    said = next((aspects[name] for name in CATEGORY_ASPECTS if name in aspects), None)
    package = item.packageWeightAndSize or Package()
    group = item.inventoryItemGroupKeys[0] if item.inventoryItemGroupKeys else item.sku
    language = (item.locale or "en").split("_")[0]
    return CatalogVariant(
        sku=item.sku,
        product_id=f"ebay:{group}",
        product_title=product.title,
        title=product.title,
        category=category_of(said),
        source_category=said,
        listing_ids={"ebay": item.sku, **listings_of(offers)},
        prices=prices_of(offers),
        attributes={
            name.lower(): value
            for name, value in aspects.items()
            if name.lower() in VARIANT_ASPECTS
        },
        weight_g=grams(package.weight.value, package.weight.unit) if package.weight else None,
        dimensions_mm=dimensions_of(package.dimensions),
        origin_country=country_of(next((aspects[n] for n in ORIGIN_ASPECTS if n in aspects), None)),
        titles={language: product.title} if product.title else {},
        listings=contents_of(product, offers, language),
    )


def contents_of(
    product: Product, offers: Sequence[Offer], language: str
) -> dict[str, ListingContent]:
    """The listing as each eBay site it is offered on shows it, by market."""
    attributes = {name: "; ".join(values) for name, values in product.aspects.items() if values}
    return {
        market: ListingContent(
            language=language,
            title=product.title,
            description=offer.listingDescription or product.description,
            attributes=attributes,
        )
        for offer in offers
        if (market := MARKET_OF_SITE.get(offer.marketplaceId))
    }


def dimensions_of(given: Dimensions | None) -> tuple[int, int, int] | None:
    if given is None:
        return None
    sides = (given.length, given.width, given.height)
    length, width, height = (millimetres(side, given.unit) for side in sides)
    return box(length, width, height)
