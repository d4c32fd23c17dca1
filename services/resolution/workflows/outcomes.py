"""How a seller's buyers actually answered offers: the acceptance the engine learns from,
per remedy, and per troubleshooting guide (a guide buyers often decline sinks).

Read per seller over the last `WINDOW`, through a one-minute in-process cache: every case
of a busy seller would otherwise count the same offers again.
"""

from datetime import timedelta

from cachetools import TTLCache
from sqlalchemy import Integer, Text, cast, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.offers import ANSWERED, OfferState
from services.resolution.tables import CaseDecision, GuideVersion, Offer
from shared.events import Remedy
from shared.messaging_tables import utc_now

WINDOW = timedelta(days=90)
CACHE_SECONDS = 60.0

_cached: TTLCache[str, dict[Remedy, tuple[int, int]]] = TTLCache(maxsize=10_000, ttl=CACHE_SECONDS)
_by_guide: TTLCache[str, dict[str, tuple[int, int]]] = TTLCache(maxsize=10_000, ttl=CACHE_SECONDS)


async def answers_of(session: AsyncSession, seller: str) -> dict[Remedy, tuple[int, int]]:
    """Remedy → (accepted, answered) for the seller's offers that asked for an answer."""
    found = _cached.get(seller)
    if found is not None:
        return found
    query = (
        select(Offer.remedy, _ACCEPTED, func.count())
        .join(CaseDecision, CaseDecision.case_id == Offer.case_id)
        .where(*_answered_by_buyers_of(seller))
        .group_by(Offer.remedy)
    )
    rows = (await session.execute(query)).all()
    outcomes = {Remedy(remedy): (int(yes), int(total)) for remedy, yes, total in rows}
    _cached[seller] = outcomes
    return outcomes


async def guide_answers_of(session: AsyncSession, seller: str) -> dict[str, tuple[int, int]]:
    """Guide id → (accepted, answered) for the seller's troubleshooting offers: the guide
    each offered is the one its case's plan holds at the offer's step (counted from 1).
    Only offers made since the guide's latest edit count: a guide rewritten because buyers
    declined it starts afresh."""
    found = _by_guide.get(seller)
    if found is not None:
        return found
    guide_id = func.jsonb_extract_path_text(
        CaseDecision.plan, cast(Offer.step - 1, Text), "guide", "guide_id"
    )
    edited = (
        select(GuideVersion.guide_id, func.max(GuideVersion.created_at).label("at"))
        .where(GuideVersion.seller_account == seller)
        .group_by(GuideVersion.guide_id)
        .subquery()
    )
    query = (
        select(guide_id, _ACCEPTED, func.count())
        .join(CaseDecision, CaseDecision.case_id == Offer.case_id)
        .outerjoin(edited, edited.c.guide_id == guide_id)
        .where(
            *_answered_by_buyers_of(seller),
            Offer.remedy == Remedy.TROUBLESHOOTING.value,
            or_(edited.c.at.is_(None), Offer.offered_at > edited.c.at),
        )
        .group_by(guide_id)
    )
    rows = (await session.execute(query)).all()
    outcomes = {gid: (int(yes), int(total)) for gid, yes, total in rows if gid is not None}
    _by_guide[seller] = outcomes
    return outcomes


def forget_guide_answers(seller: str) -> None:
    """A guide of the seller was edited: count its answers afresh from now on."""
    _by_guide.pop(seller, None)


_ACCEPTED = func.sum(cast(Offer.state == OfferState.ACCEPTED, Integer))


def _answered_by_buyers_of(seller: str) -> tuple:
    return (
        CaseDecision.seller_account == seller,
        Offer.state.in_(ANSWERED),
        Offer.answered_at != Offer.offered_at,  # a notice is "accepted" as it is sent
        Offer.offered_at > utc_now() - WINDOW,
    )
