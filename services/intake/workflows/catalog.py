"""The seller's catalog: variants stored as a source lists them, cases' items resolved to
them, and the variants an exchange may offer.

Storing is an upsert keyed by the seller account and the SKU (a product by its id): an
import run twice, a webhook redelivered, a CSV uploaded again leave the same rows. What a
source does not say (None, empty) leaves what another source said: a Shopify webhook,
which carries no HS code, keeps the one the last import read.

A buyer reads an item's title in their language where the catalog has one (`titles_in`).

A case's item is resolved by its SKU among the catalog of the case's seller: its own
account's first, then the seller's other accounts' (a SKU sold on several channels is one
unit), the newest first.
"""

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.catalog import CatalogVariant, product_facts
from services.intake.domain.exchange_variants import Variant
from services.intake.tables import CatalogProductRecord, CatalogVariantRecord, ChannelAccount
from shared.events import CaseItem
from shared.markets import Currency, Market

PRODUCTS = CatalogProductRecord.__table__
VARIANTS = CatalogVariantRecord.__table__


def listed_as(codes: list[str]):
    """A variant one of whose marketplace listing ids is among `codes`."""
    listings = func.jsonb_each_text(VARIANTS.c.listing_ids).table_valued("key", "value")
    return select(1).select_from(listings).where(listings.c.value.in_(codes)).exists()


ACCOUNTS = ChannelAccount.__table__
# Kept when a source says nothing of them (None or empty).
MERGED = (
    "asin",
    "fnsku",
    "weight_g",
    "dimensions_mm",
    "hs_code",
    "origin_country",
    "available",
)
MERGED_MAPS = (
    "listing_ids",
    "attributes",
    "attribute_titles",
    "prices",
    "landed_costs",
    "titles",
    "listings",
)


async def seller_of(session: AsyncSession, channel: str, account: str) -> str:
    """The seller an account belongs to; an account not onboarded is its own seller."""
    return await session.scalar(select(seller_of_account(channel, account)))


def seller_of_account(channel: str, account: str) -> ColumnElement[str]:
    """`seller_of` as an expression, to read inside another statement."""
    seller = select(ACCOUNTS.c.seller).where(
        ACCOUNTS.c.channel == channel, ACCOUNTS.c.account == account
    )
    return func.coalesce(seller.scalar_subquery(), literal(account))


async def store(
    session: AsyncSession,
    channel: str,
    account: str,
    seller: str,
    variants: Iterable[CatalogVariant],
    now: datetime,
) -> int:
    """Each variant and its product, upserted; how many variants."""
    count = 0
    for variant in variants:
        await store_product(session, channel, account, seller, variant, now)
        await store_variant(session, channel, account, seller, variant, now)
        count += 1
    return count


async def store_product(
    session: AsyncSession,
    channel: str,
    account: str,
    seller: str,
    variant: CatalogVariant,
    now: datetime,
) -> None:
    statement = insert(PRODUCTS).values(
        account=account,
        product_id=variant.product_id,
        channel=channel,
        seller=seller,
        title=variant.product_title or variant.title or variant.sku,
        titles=variant.titles,
        category=variant.category,
        source_category=variant.source_category,
        updated_at=now,
    )
    new = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["account", "product_id"],
            set_={
                "channel": new.channel,
                "seller": new.seller,
                "title": new.title if variant.product_title else PRODUCTS.c.title,
                "titles": PRODUCTS.c.titles.op("||")(new.titles),
                "category": func.coalesce(new.category, PRODUCTS.c.category),
                "source_category": func.coalesce(new.source_category, PRODUCTS.c.source_category),
                "updated_at": now,
            },
        )
    )


async def store_variant(
    session: AsyncSession,
    channel: str,
    account: str,
    seller: str,
    variant: CatalogVariant,
    now: datetime,
) -> None:
    values = row_of(variant)
    statement = insert(VARIANTS).values(
        account=account, channel=channel, seller=seller, updated_at=now, **values
    )
    new = statement.excluded
    kept = {name: func.coalesce(new[name], VARIANTS.c[name]) for name in MERGED}
    maps = {name: VARIANTS.c[name].op("||")(new[name]) for name in MERGED_MAPS}
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["account", "sku"],
            set_={
                "channel": new.channel,
                "seller": new.seller,
                "product_id": new.product_id,
                "title": new.title,
                "updated_at": now,
                **kept,
                **maps,
            },
        )
    )


def row_of(variant: CatalogVariant) -> dict[str, Any]:
    return {
        "sku": variant.sku,
        "product_id": variant.product_id,
        "title": variant.title or variant.product_title or variant.sku,
        "titles": variant.titles,
        "asin": variant.asin,
        "fnsku": variant.fnsku,
        "listing_ids": variant.listing_ids,
        "attributes": variant.attributes,
        "attribute_titles": variant.attribute_titles,
        "prices": {market: asdict(money) for market, money in variant.prices.items()},
        "landed_costs": {market: asdict(m) for market, m in variant.landed_costs.items()},
        "weight_g": variant.weight_g,
        "dimensions_mm": list(variant.dimensions_mm) if variant.dimensions_mm else None,
        "hs_code": variant.hs_code,
        "origin_country": variant.origin_country,
        "available": variant.available,
        "listings": {market: said.as_row() for market, said in variant.listings.items()},
    }


async def found_variants(
    session: AsyncSession, channel: str, account: str, skus: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Each SKU's catalog variant (with its product's category), by SKU; the case's own
    account's first, then its seller's other accounts', the newest first."""
    return found_among(await listed_variants(session, channel, account, skus), skus)


def found_among(rows: list[dict[str, Any]], skus: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`found_variants` of `rows` read for these SKUs, or for more of the same account."""
    found: dict[str, dict[str, Any]] = {}
    wanted = set(skus)
    for row in rows:
        for code in codes_of(row) & wanted:
            found.setdefault(code, row)
    return found


class Listings:
    """The catalog variants of a batch of cases' items, read in one statement per seller
    account (`read`) rather than one per case; `found` answers as `found_variants` does."""

    def __init__(self) -> None:
        self.read_for: dict[tuple[str, str], tuple[set[str], list[dict[str, Any]]]] = {}

    @classmethod
    async def read(
        cls, session: AsyncSession, wanted: dict[tuple[str, str], set[str]]
    ) -> "Listings":
        """`wanted`: the SKUs of each (channel, account)."""
        listings = cls()
        for (channel, account), skus in wanted.items():
            rows = await listed_variants(session, channel, account, sorted(skus))
            listings.read_for[(channel, account)] = (skus, rows)
        return listings

    def found(
        self, channel: str, account: str, skus: Sequence[str]
    ) -> dict[str, dict[str, Any]] | None:
        """None: these SKUs were not read (the caller reads them itself)."""
        read = self.read_for.get((channel, account))
        if read is None or not read[0].issuperset(skus):
            return None
        return found_among(read[1], skus)


def codes_of(row: dict[str, Any]) -> set[str]:
    """What a case item may name a variant by: its SKU, or one of its marketplace listing
    ids (an eBay return names the listing it was bought from, never a SKU)."""
    return {row["sku"], *(str(listing) for listing in (row.get("listing_ids") or {}).values())}


async def listed_variants(
    session: AsyncSession, channel: str, account: str, skus: Sequence[str]
) -> list[dict[str, Any]]:
    """Every catalog variant of the seller listing one of `skus`, in the order of
    `found_variants`."""
    if not skus:
        return []
    seller = seller_of_account(channel, account)  # in the same statement: one round trip
    codes = sorted(set(skus))
    own_first = case((VARIANTS.c.account == account, 0), else_=1)
    rows = await session.execute(
        select(VARIANTS, PRODUCTS.c.category)
        .join(
            PRODUCTS,
            (PRODUCTS.c.account == VARIANTS.c.account)
            & (PRODUCTS.c.product_id == VARIANTS.c.product_id),
        )
        .where(
            VARIANTS.c.sku.in_(codes) | listed_as(codes),
            (VARIANTS.c.seller == seller) | (VARIANTS.c.account == account),
        )
        .order_by(own_first, VARIANTS.c.updated_at.desc(), VARIANTS.c.account)
    )
    return [dict(row) for row in rows.mappings()]


async def titles_in(
    session: AsyncSession, channel: str, account: str, skus: Sequence[str], language: str
) -> dict[str, str]:
    """Each SKU's title in `language` from the seller's catalog, by SKU (in
    `found_variants`' order, the first listing that has one); SKUs without one are left out:
    the buyer then reads the title the channel gave."""
    titles: dict[str, str] = {}
    for row in await listed_variants(session, channel, account, skus):
        title = (row.get("titles") or {}).get(language)
        if title:
            titles.setdefault(row["sku"], str(title))
    return titles


def resolved(
    items: Sequence[CaseItem],
    found: dict[str, dict[str, Any]],
    market: Market,
    currency: Currency,
) -> tuple[list[CaseItem], list[str]]:
    """The items with their catalog category and product facts, and the SKUs the catalog
    does not know (those keep what the channel said, product None)."""
    items_out, unknown = [], []
    for item in items:
        row = found.get(item.sku)
        if row is None:
            unknown.append(item.sku)
            items_out.append(item)
            continue
        facts = product_facts(row, market, currency)
        category = row.get("category") or item.category
        items_out.append(item.model_copy(update={"category": category, "product": facts}))
    return items_out, list(dict.fromkeys(unknown))


async def exchange_variants(
    session: AsyncSession,
    channel: str,
    account: str,
    sku: str,
    market: str,
    currency: str,
    language: str = "en",
) -> list[Variant]:
    """The variants of the returned SKU's product in the catalog, the returned one first,
    each at its price in the case's market (those unpriced there are left out) and named in
    `language` where the seller translated its attributes: from the first of the seller's
    listings of the SKU (`found_variants`' order) that prices any in that market; [] when
    none does or the SKU is not in the catalog."""
    for listed in await listed_variants(session, channel, account, [sku]):
        variants = await product_variants(session, listed, sku, market, currency, language)
        if variants:
            return variants
    return []


async def product_variants(
    session: AsyncSession,
    listed: dict[str, Any],
    sku: str,
    market: str,
    currency: str,
    language: str = "en",
) -> list[Variant]:
    rows = await session.execute(
        select(VARIANTS)
        .where(
            VARIANTS.c.account == listed["account"],
            VARIANTS.c.product_id == listed["product_id"],
        )
        .order_by(case((VARIANTS.c.sku == sku, 0), else_=1), VARIANTS.c.sku)
    )
    variants = []
    for row in rows.mappings():
        price = (row["prices"] or {}).get(market) or {}
        if price.get("currency") != currency:
            continue
        variants.append(
            Variant(
                sku=row["sku"],
                title=variant_title(row, language),
                unit_price_minor=int(price["amount_minor"]),
                available=row["available"] is not False,
            )
        )
    return variants


def variant_title(row: Any, language: str = "en") -> str:
    """What the variant differs in ("Schwarz", "L"), each value in `language` where the
    seller translated it, else as listed; no attributes: the variant's own title."""
    attributes = row["attributes"] or {}
    localised = (row.get("attribute_titles") or {}).get(language) or {}
    if not attributes:
        return row["title"]
    return ", ".join(str(localised.get(value) or value) for value in attributes.values())
