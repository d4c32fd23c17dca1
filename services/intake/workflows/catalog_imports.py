"""Importing a seller account's catalog from its marketplace, page after page, each page
stored in its own transaction as it is read (`catalog.store`): an import cut short by an
outage keeps the pages it read, and the next one (idempotent) completes them.

What each marketplace is read with: Shopify's GraphQL `products` (`channels/shopify/
products_api.py`), Amazon's Listings Items `searchListingsItems` (`channels/amazon/
listings_api.py`), eBay's Sell Inventory `getInventoryItems` (`channels/ebay/
inventory_api.py`), Walmart's `GET /v3/items` (`channels/walmart/items_api.py`). The generic
channel has no API to read: its sellers upload a CSV (`domain/catalog_csv.py`).
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from services.intake.channels.amazon import listings_api
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.channels.ebay import inventory_api
from services.intake.channels.shopify import products_api
from services.intake.channels.shopify.channel import admin_of
from services.intake.channels.walmart import items_api
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.domain.catalog import CatalogVariant
from services.intake.workflows import catalog
from services.intake.workflows.context import Intake
from shared.outbound import Refused

IMPORTABLE = (Channel.SHOPIFY, Channel.AMAZON, Channel.EBAY, Channel.WALMART)


@dataclass(frozen=True)
class Imported:
    channel: str
    account: str
    pages: int
    variants: int
    products: int
    uncategorised: int  # variants whose marketplace category maps to no project category


def pages_of(intake: Intake, account: Account) -> AsyncIterator[list[CatalogVariant]]:
    apis, size = intake.marketplaces, intake.service.settings.catalog_page_size
    if account.channel == Channel.SHOPIFY:
        return products_api.catalog_pages(admin_of(account, apis), size)
    if account.channel == Channel.AMAZON:
        partner = selling_partner(account)
        if partner is None:
            raise Refused("Amazon SP-API", f"account {account.account} has no SP-API access")
        return listings_api.catalog_pages(apis, partner, size)
    if account.channel == Channel.EBAY:
        return inventory_api.catalog_pages(account, apis, size)
    if account.channel == Channel.WALMART:
        return items_api.catalog_pages(account, apis, size)
    raise Refused(account.channel.value, "has no catalog API: upload the catalog as CSV")


async def import_catalog(intake: Intake, account: Account) -> Imported:
    """Every page of the account's listings, stored; Refused / Unavailable from the
    marketplace reach the caller, the pages read before it stay."""
    pages = variants = uncategorised = 0
    products: set[str] = set()
    async for page in pages_of(intake, account):
        async with intake.service.transaction() as session:
            now = datetime.now(UTC)
            await catalog.store(
                session, account.channel.value, account.account, account.seller, page, now
            )
        pages += 1
        variants += len(page)
        uncategorised += sum(1 for variant in page if variant.category is None)
        products.update(variant.product_id for variant in page)
    intake.service.counter("catalog.imported", "catalog variants imported").add(
        variants, {"channel": account.channel.value}
    )
    return Imported(
        account.channel.value, account.account, pages, variants, len(products), uncategorised
    )
