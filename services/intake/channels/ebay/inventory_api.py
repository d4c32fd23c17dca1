"""eBay's Sell Inventory API: the seller's inventory items, for the seller's catalog.

getInventoryItems (https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/getInventoryItems):
`GET /sell/inventory/v1/inventory_item?limit=…&offset=…` (limit at most 200) with the
seller's user token (`Authorization: Bearer`, scope sell.inventory.readonly), answered
`{"total", "size", "next"?, "inventoryItems": [...]}`; pages follow while `next` is given.
From each item: `sku`, `product.title`, `product.aspects` (the item specifics: `Type` and
the like mapped to the project's taxonomy, `Color` / `Size` what variants differ in,
`Country of Origin` / `Country/Region of Manufacture`), `packageWeightAndSize` and
`inventoryItemGroupKeys` (the variation group, the product; none: its own product).
Prices live on eBay's offers, not on inventory items: they are left as other sources say.
"""

from collections.abc import AsyncIterator

import httpx
from pydantic import BaseModel, ConfigDict

from services.intake.channels.ebay.oauth import EBAY, as_the_seller
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.catalog import (
    CatalogVariant,
    box,
    category_of,
    country_of,
    grams,
    millimetres,
)
from shared.outbound import Refused, answer_to, resource_of

INVENTORY_ITEMS = "/sell/inventory/v1/inventory_item"
PAGE = 200
MAX_PAGES = 500
VARIANT_ASPECTS = ("color", "colour", "size", "style", "material")
CATEGORY_ASPECTS = ("Type", "Product Type", "Department", "Category")
ORIGIN_ASPECTS = ("Country of Origin", "Country/Region of Manufacture")


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Product(Model):
    title: str | None = None
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


async def catalog_pages(
    account: Account, apis: MarketplaceApis, page_size: int
) -> AsyncIterator[list[CatalogVariant]]:
    limit = max(1, min(page_size, PAGE))
    for number in range(MAX_PAGES):
        offset = number * limit

        async def read(token: str, offset: int = offset) -> InventoryItems:
            return await inventory_items(apis, token, limit, offset)

        found = await as_the_seller(account, apis, read)
        yield [variant_of(item) for item in found.inventoryItems]
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


def variant_of(item: InventoryItem) -> CatalogVariant:
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
        listing_ids={"ebay": item.sku},
        attributes={
            name.lower(): value
            for name, value in aspects.items()
            if name.lower() in VARIANT_ASPECTS
        },
        weight_g=grams(package.weight.value, package.weight.unit) if package.weight else None,
        dimensions_mm=dimensions_of(package.dimensions),
        origin_country=country_of(next((aspects[n] for n in ORIGIN_ASPECTS if n in aspects), None)),
        titles={language: product.title} if product.title else {},
    )


def dimensions_of(given: Dimensions | None) -> tuple[int, int, int] | None:
    if given is None:
        return None
    sides = (given.length, given.width, given.height)
    length, width, height = (millimetres(side, given.unit) for side in sides)
    return box(length, width, height)
