"""The variants a buyer may take in exchange for their case's returned item: its product's
variants in the seller's catalog (`workflows/catalog.py`, whatever the channel), else
those the seller's own shop sent with it (kept when the case opened,
`cases.keep_variants`), else those the marketplace's API lists for the order's line
(Shopify), else none (the same item is sent again).

`Unavailable` or `Refused` from the marketplace reach the caller: the page then says it
cannot list them now."""

from sqlalchemy import select

from services.intake.domain.case import Channel
from services.intake.domain.exchange_variants import ExchangeOption, Variant, exchange_options
from services.intake.tables import ExchangeVariant
from services.intake.workflows import catalog
from services.intake.workflows.buyer_page import LinkedCase
from services.intake.workflows.context import Intake


async def options_for(
    intake: Intake, case: LinkedCase, cap_minor: int | None, language: str = "en"
) -> list[ExchangeOption] | None:
    """What the buyer may pick for the case's first item (the one an exchange replaces),
    the catalog's named in `language` where the seller translated them; None when neither
    the shop nor the marketplace names its variants."""
    if not case.items:
        return None
    item = case.items[0]
    sku = str(item.get("sku", ""))
    variants = await catalog_variants(intake, case, sku, language)
    if not variants:
        variants = await sent_variants(intake, case.case_id, sku)
    if not variants:
        variants = await marketplace_variants(intake, case, sku)
    if not variants:
        return None
    paid = int(item.get("unit_price_minor") or 0)
    return exchange_options(variants, sku, paid, int(item.get("quantity") or 1), cap_minor)


async def catalog_variants(
    intake: Intake, case: LinkedCase, sku: str, language: str = "en"
) -> list[Variant]:
    if not case.market or not case.currency:
        return []
    async with intake.service.transaction() as session:
        return await catalog.exchange_variants(
            session, case.channel, case.account, sku, case.market, case.currency, language
        )


async def sent_variants(intake: Intake, case_id: str, sku: str) -> list[Variant]:
    table = ExchangeVariant.__table__
    async with intake.service.transaction() as session:
        rows = await session.execute(
            select(table)
            .where(table.c.case_id == case_id, table.c.item_sku == sku)
            .order_by(table.c.position)
        )
        return [Variant(r.sku, r.title, r.unit_price_minor, r.available) for r in rows]


async def marketplace_variants(intake: Intake, case: LinkedCase, sku: str) -> list[Variant]:
    channel = intake.channels.get(Channel(case.channel))
    if channel is None or channel.exchange_variants is None:
        return []
    account = await intake.accounts.find(channel.channel, case.account)
    if account is None:
        return []
    return await channel.exchange_variants(case.order_id, sku, account, intake.marketplaces)
