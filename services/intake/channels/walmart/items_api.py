"""Walmart's Items API: the seller's items, for the seller's catalog.

Get all items (https://developer.walmart.com/us-marketplace/docs/get-all-items):
`GET /v3/items?limit=…&nextCursor=…`, the first page with `nextCursor=*`, each next one
with the `nextCursor` the previous answer gave (none: the last page), at most 50 a page.
From each `ItemResponse[]`: `sku`, `wpid` (the listing), `productName`, `productType` and
`shelf` (mapped to the project's taxonomy), `price` (`{currency, amount}`, the US market's),
`variantGroupId` (the product its variants share; none: its own product) and
`variantGroupInfo.groupingAttributes` (what the variants differ in), `gtin`.

"Get all items" answers no content: each item's listing on walmart.com (title, key
features, description, attributes) is read by its GTIN with the Item Search API
(`item_search_api.py`), as the US market's listing, for the listing audit.
"""

from collections.abc import AsyncIterator

from pydantic import BaseModel, ConfigDict

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.walmart.access import with_token
from services.intake.channels.walmart.api import WALMART, reason_of, url, walmart_headers
from services.intake.channels.walmart.item_search_api import listing_content
from services.intake.domain.account import Account
from services.intake.domain.catalog import CatalogVariant, ListingContent, category_of, money_of
from shared.outbound import Refused, answer_to, resource_of

PAGE = 50
MAX_PAGES = 2000
FIRST_CURSOR = "*"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Price(Model):
    currency: str
    amount: float | str


class Grouping(Model):
    name: str
    value: str


class GroupInfo(Model):
    groupingAttributes: list[Grouping] = []


class Item(Model):
    sku: str
    wpid: str | None = None
    gtin: str | None = None
    productName: str | None = None
    productType: str | None = None
    shelf: str | None = None
    price: Price | None = None
    publishedStatus: str | None = None
    variantGroupId: str | None = None
    variantGroupInfo: GroupInfo | None = None


class Items(Model):
    ItemResponse: list[Item] = []
    totalItems: int = 0
    nextCursor: str | None = None


async def catalog_pages(
    account: Account, apis: MarketplaceApis, page_size: int
) -> AsyncIterator[list[CatalogVariant]]:
    cursor = FIRST_CURSOR
    limit = max(1, min(page_size, PAGE))
    for _ in range(MAX_PAGES):

        async def read(token: str, cursor: str = cursor) -> Items:
            return await items_page(apis, token, limit, cursor)

        found = await with_token(account, apis, read)
        yield [
            variant_of(item, await listing_of(account, apis, item)) for item in found.ItemResponse
        ]
        if not found.nextCursor or not found.ItemResponse:
            return
        cursor = found.nextCursor
    raise Refused(WALMART, f"the seller has more than {MAX_PAGES} pages of items")


async def items_page(apis: MarketplaceApis, token: str, limit: int, cursor: str) -> Items:
    request = apis.http.build_request(
        "GET",
        url(apis.settings.walmart_api_base_url, "/v3/items"),
        params={"limit": str(limit), "nextCursor": cursor},
        headers=walmart_headers(token),
    )
    what = "the seller's items"
    response = await answer_to(apis.http, request, WALMART, what, reason_of=reason_of)
    return resource_of(Items, response, WALMART, what)


async def listing_of(account: Account, apis: MarketplaceApis, item: Item) -> ListingContent | None:
    if not item.gtin:
        return None

    async def read(token: str, gtin: str = item.gtin) -> ListingContent | None:
        return await listing_content(apis, token, gtin)

    return await with_token(account, apis, read)


def variant_of(item: Item, listing: ListingContent | None = None) -> CatalogVariant:
    money = money_of(item.price.amount, item.price.currency) if item.price else None
    grouping = item.variantGroupInfo.groupingAttributes if item.variantGroupInfo else []
    return CatalogVariant(
        sku=item.sku,
        product_id=f"walmart:{item.variantGroupId or item.sku}",
        product_title=item.productName,
        title=item.productName,
        category=category_of(item.productType, item.shelf),
        source_category=item.productType or item.shelf,
        listing_ids={"walmart": item.wpid} if item.wpid else {},
        attributes={g.name.lower(): g.value for g in grouping},
        prices={"US": money} if money and money.currency == "USD" else {},
        titles={"en": item.productName} if item.productName else {},
        available=item.publishedStatus == "PUBLISHED" if item.publishedStatus else None,
        listings={"US": listing} if listing else {},
    )
