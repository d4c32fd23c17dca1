"""The sellers' own reason taxonomies, as kept: the labels a seller's reports show
reasons in."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.taxonomy import Labeller, SellerTaxonomy
from services.analytics.tables import ReasonTaxonomy


async def taxonomy_of(session: AsyncSession, seller: str) -> SellerTaxonomy | None:
    row = await session.get(ReasonTaxonomy, seller)
    return SellerTaxonomy.model_validate(row.taxonomy) if row else None


async def labeller_of(session: AsyncSession, seller: str | None) -> Labeller | None:
    """A report's labeller: the seller's taxonomy, for a report of one seller that has one."""
    if seller is None:
        return None
    taxonomy = await taxonomy_of(session, seller)
    return Labeller.of(taxonomy) if taxonomy else None
