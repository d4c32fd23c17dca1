"""What refurbish graded and recovered of a seller's returned units: the recovery values
the cost model learns, as the engine learns acceptance from the buyers' answers (`outcomes`).

Each disposition is recorded once per inspection, with the condition its case's buyer
reported; read back per seller over the last `WINDOW`, through a one-minute cache.
"""

from decimal import Decimal

from cachetools import TTLCache
from sqlalchemy import Numeric, cast, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.costs import Condition, GradeOutcomes
from services.resolution.tables import CaseDecision, Recovery
from services.resolution.workflows.cases import facts_of
from services.resolution.workflows.outcomes import CACHE_SECONDS, WINDOW
from shared.batch_writes import insert_later
from shared.events import DispositionDecided, Grade, Remedy
from shared.messaging_tables import utc_now

Learnt = dict[Condition, GradeOutcomes]
_cached: TTLCache[str, Learnt] = TTLCache(maxsize=10_000, ttl=CACHE_SECONDS)


async def record(session: AsyncSession, case: CaseDecision, event: DispositionDecided) -> None:
    """Keep the unit's grade and net recovery against the condition its buyer reported;
    a redelivered disposition changes nothing. A unit repaired for its buyer (the remedy
    `repair`) recovers nothing for the seller: not learnt."""
    if not case.scenario:
        return  # never classified: no condition to learn for
    if case.remedy == Remedy.REPAIR:
        return
    price = sum(item.unit_price_minor * item.quantity for item in event.items)
    row = {
        "inspection_id": event.inspection_id,
        "case_id": case.case_id,
        "seller_account": case.seller_account,
        "condition": facts_of(case, utc_now()).condition.value,
        "grade": event.grade.value,
        "net_minor": event.net_minor,
        "price_minor": price,
        "currency": event.currency.value,
    }
    await insert_later(session, Recovery.__table__, row, skip_existing=True)


async def recoveries_of(session: AsyncSession, seller: str) -> Learnt:
    """Condition → grade → (units, summed net recovery as a share of their price)."""
    found = _cached.get(seller)
    if found is not None:
        return found
    share = cast(Recovery.net_minor, Numeric) / Recovery.price_minor
    query = (
        select(Recovery.condition, Recovery.grade, func.count(), func.sum(share))
        .where(
            Recovery.seller_account == seller,
            Recovery.price_minor > 0,
            Recovery.decided_at > utc_now() - WINDOW,
        )
        .group_by(Recovery.condition, Recovery.grade)
    )
    learnt: Learnt = {}
    for condition, grade, units, shares in (await session.execute(query)).all():
        by_grade = learnt.setdefault(Condition(condition), {})
        by_grade[Grade(grade)] = (int(units), Decimal(shares or 0))
    _cached[seller] = learnt
    return learnt
