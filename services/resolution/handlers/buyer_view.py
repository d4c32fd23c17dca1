"""What a buyer's own page shows of their case, for intake (which serves the page): the
offers sent, the one open now with the legal notices it carries in the buyer's language,
where the case stands and its refunds. A service's token only: intake asks on behalf of a
buyer holding a valid link; nobody else reads this."""

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from services.resolution.domain.offers import LANGUAGES, OfferState, PlannedStep
from services.resolution.tables import CaseDecision, Offer, Refund
from services.resolution.workflows.policies import policy_of
from shared.compliance import REQUIRED_DISCLOSURES
from shared.events import Remedy
from shared.identity import ServiceCall
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["buyers' page"])


@router.get("/cases/{case_id}/buyer-view", summary="What the buyer's page shows of a case")
async def buyer_view(case_id: str, _: ServiceCall, service: CurrentService) -> dict[str, Any]:
    async with service.sessions() as session:
        case = await get_or_404(session, CaseDecision, case_id, f"no case {case_id} in resolution")
        offers = list(
            await session.scalars(
                select(Offer).where(Offer.case_id == case_id).order_by(Offer.step)
            )
        )
        refunds = list(await session.scalars(select(Refund).where(Refund.case_id == case_id)))
        cap = (await policy_of(session, case)).exchange_max_price_difference_minor
    return {
        "case_id": case_id,
        "state": case.state,
        "remedy": case.remedy if case.decided_at else None,
        "decided_at": case.decided_at,
        "currency": case.currency,
        "offers": [offer_seen(offer, case, cap) for offer in offers],
        "refunds": [
            {
                "amount_minor": refund.amount_minor,
                "currency": refund.currency,
                "state": refund.state,
                "issued_at": refund.issued_at,
            }
            for refund in refunds
        ],
    }


def offer_seen(offer: Offer, case: CaseDecision, cap: int) -> dict[str, Any]:
    """`exchange_max_difference_minor`: with an exchange, the largest price difference
    accepting it may settle (`offering.accept`); a variant beyond it ends the offer."""
    seen = {
        "offer_id": offer.offer_id,
        "step": offer.step,
        "remedy": offer.remedy,
        "amount_minor": offer.amount_minor,
        "currency": offer.currency,
        "state": offer.state,
        "open": offer.state == OfferState.OPEN,
        "message": offer.message,
        "expires_at": offer.expires_at,
        "disclosures": notices(offer, case),
    }
    if offer.remedy == Remedy.EXCHANGE:
        seen["exchange_max_difference_minor"] = cap
    return seen


def notices(offer: Offer, case: CaseDecision) -> dict[str, list[str]]:
    """The rights the offer's message must tell the buyer, in every page language (the
    buyer may switch), from the step as planned."""
    if not 0 < offer.step <= len(case.plan):
        return {language: [] for language in LANGUAGES}
    step = PlannedStep.model_validate(case.plan[offer.step - 1])
    return {
        language: [
            REQUIRED_DISCLOSURES[name][language]
            for name in step.required
            if name in REQUIRED_DISCLOSURES
        ]
        for language in LANGUAGES
    }
