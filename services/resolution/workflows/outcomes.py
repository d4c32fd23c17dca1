"""How a seller's buyers actually answered offers: the acceptance the engine learns from.

Read per seller over the last `WINDOW`, through a one-minute in-process cache: every case
of a busy seller would otherwise count the same offers again.
"""

from datetime import timedelta

from cachetools import TTLCache
from sqlalchemy import Integer, cast, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.offers import ANSWERED, OfferState
from services.resolution.tables import CaseDecision, Offer
from shared.events import Remedy
from shared.messaging_tables import utc_now

WINDOW = timedelta(days=90)
CACHE_SECONDS = 60.0

_cached: TTLCache[str, dict[Remedy, tuple[int, int]]] = TTLCache(maxsize=10_000, ttl=CACHE_SECONDS)


async def answers_of(session: AsyncSession, seller: str) -> dict[Remedy, tuple[int, int]]:
    """Remedy → (accepted, answered) for the seller's offers that asked for an answer."""
    found = _cached.get(seller)
    if found is not None:
        return found
    accepted = func.sum(cast(Offer.state == OfferState.ACCEPTED, Integer))
    query = (
        select(Offer.remedy, accepted, func.count())
        .join(CaseDecision, CaseDecision.case_id == Offer.case_id)
        .where(
            CaseDecision.seller_account == seller,
            Offer.state.in_(ANSWERED),
            Offer.answered_at != Offer.offered_at,  # a notice is "accepted" as it is sent
            Offer.offered_at > utc_now() - WINDOW,
        )
        .group_by(Offer.remedy)
    )
    rows = (await session.execute(query)).all()
    outcomes = {Remedy(remedy): (int(yes), int(total)) for remedy, yes, total in rows}
    _cached[seller] = outcomes
    return outcomes
