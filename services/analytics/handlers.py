"""Analytics: every event in, kept and projected into per-case facts; reports out."""

from fastapi import APIRouter, HTTPException
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import array, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.case_facts import FACT_COLUMNS, PERSONAL_FIELDS, case_rows
from services.analytics.tables import AppliedEvent, CaseView
from shared.consumer import Delivery
from shared.events import BuyerErased
from shared.service import CurrentService

router = APIRouter(tags=["analytics"])


async def erase_buyers(session: AsyncSession, deliveries: list[Delivery]) -> None:
    """A buyer's erasure removes what they wrote or are known by from every kept event."""
    erased = [d.envelope.subject for d in deliveries if isinstance(d.payload, BuyerErased)]
    if not erased:
        return
    await session.flush()  # this batch's events are kept first, then cleaned too
    events = AppliedEvent.__table__
    await session.execute(
        update(events)
        .where(events.c.case_id.in_(erased))
        .values(data=events.c.data.op("-")(array(PERSONAL_FIELDS)))
    )


async def project_events(session: AsyncSession, deliveries: list[Delivery]) -> None:
    """Keep every event, and fold the batch into one upsert of the case read model."""
    session.add_all(
        AppliedEvent(
            event_id=d.envelope.id,
            case_id=d.envelope.subject,
            type=d.envelope.type,
            source=d.envelope.source,
            time=d.envelope.time,
            trace_id=d.trace_id,
            data=d.envelope.data,
        )
        for d in deliveries
    )
    await erase_buyers(session, deliveries)
    rows = case_rows([(d.payload, d.envelope.time) for d in deliveries])
    statement = insert(CaseView).values(rows)
    incoming = statement.excluded
    # A case's events arrive on several topics, so not always in time order: facts are
    # kept once known, and the status follows whichever event is the latest.
    newer = CaseView.updated_at <= incoming.updated_at
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CaseView.case_id],
            set_={
                **{
                    name: func.coalesce(incoming[name], CaseView.__table__.c[name])
                    for name in FACT_COLUMNS
                },
                "status": case(
                    (newer, func.coalesce(incoming.status, CaseView.status)), else_=CaseView.status
                ),
                "updated_at": func.greatest(CaseView.updated_at, incoming.updated_at),
            },
        )
    )


async def _counts_by(session: AsyncSession, column) -> dict[str, int]:
    rows = await session.execute(
        select(column, func.count()).where(column.is_not(None)).group_by(column).order_by(column)
    )
    return {key: count for key, count in rows.all()}


@router.get("/reports/summary", summary="Cases by scenario, remedy and market")
async def summary(service: CurrentService) -> dict:
    async with service.sessions() as session:
        return {
            "cases": await session.scalar(select(func.count()).select_from(CaseView)),
            "events": await session.scalar(select(func.count()).select_from(AppliedEvent)),
            "by_scenario": await _counts_by(session, CaseView.scenario),
            "by_remedy": await _counts_by(session, CaseView.remedy),
            "by_market": await _counts_by(session, CaseView.market),
            "by_status": await _counts_by(session, CaseView.status),
        }


@router.get("/cases/{case_id}/timeline", summary="Every event of one case, in order")
async def timeline(case_id: str, service: CurrentService) -> dict:
    async with service.sessions() as session:
        events = list(
            await session.scalars(
                select(AppliedEvent)
                .where(AppliedEvent.case_id == case_id)
                .order_by(AppliedEvent.time, AppliedEvent.seq)
            )
        )
    if not events:
        raise HTTPException(404, f"no events for case {case_id}")
    return {
        "case_id": case_id,
        "events": [
            {
                "time": e.time,
                "type": e.type,
                "source": e.source,
                "event_id": e.event_id,
                "trace_id": e.trace_id,
                "data": e.data,
            }
            for e in events
        ],
    }
