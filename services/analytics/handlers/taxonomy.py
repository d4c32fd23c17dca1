"""The seller's own reason taxonomy in and out: the labels its reports show reasons in. The
seller's people read it, its admin writes it; another seller's answers 404."""

from fastapi import APIRouter

from services.analytics.domain.taxonomy import SellerTaxonomy
from services.analytics.tables import ReasonTaxonomy
from services.analytics.workflows.taxonomies import taxonomy_of
from shared.identity import SellerAdmin, SellerReader
from shared.messaging_tables import utc_now
from shared.service import CurrentService

router = APIRouter(tags=["reason taxonomy"])


@router.put(
    "/taxonomy/{seller}",
    summary="The seller's labels for reasons and marketplace codes (replaces the earlier ones)",
)
async def put_taxonomy(
    seller: str, taxonomy: SellerTaxonomy, caller: SellerAdmin, service: CurrentService
) -> SellerTaxonomy:
    caller.seller_or_404(seller, "seller")
    async with service.transaction() as session:
        await session.merge(
            ReasonTaxonomy(
                seller_account=seller,
                taxonomy=taxonomy.model_dump(mode="json"),
                updated_at=utc_now(),
            )
        )
    return taxonomy


@router.get("/taxonomy/{seller}", summary="The seller's labels (empty: none given)")
async def get_taxonomy(
    seller: str, caller: SellerReader, service: CurrentService
) -> SellerTaxonomy:
    caller.seller_or_404(seller, "seller")
    async with service.sessions() as session:
        return await taxonomy_of(session, seller) or SellerTaxonomy()
