"""The seller's own reason taxonomy in and out: the labels its reports show reasons in."""

from fastapi import APIRouter

from services.analytics.domain.taxonomy import SellerTaxonomy
from services.analytics.tables import ReasonTaxonomy
from services.analytics.workflows.taxonomies import taxonomy_of
from shared.access import AgentOnly
from shared.messaging_tables import utc_now
from shared.service import CurrentService

router = APIRouter(tags=["reason taxonomy"])


@router.put(
    "/taxonomy/{seller}",
    summary="The seller's labels for reasons and marketplace codes (replaces the earlier ones)",
    dependencies=[AgentOnly],
)
async def put_taxonomy(
    seller: str, taxonomy: SellerTaxonomy, service: CurrentService
) -> SellerTaxonomy:
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
async def get_taxonomy(seller: str, service: CurrentService) -> SellerTaxonomy:
    async with service.sessions() as session:
        return await taxonomy_of(session, seller) or SellerTaxonomy()
