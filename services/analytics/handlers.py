"""Analytics: every event in, kept and projected into per-case facts; reports out."""

from fastapi import APIRouter, HTTPException
from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.case_facts import facts_from
from services.analytics.tables import AppliedEvent, CaseView
from shared.events import Envelope, EventPayload
from shared.service import CurrentService
from shared.telemetry import current_trace_id

router = APIRouter(tags=["analytics"])


async def on_any_event(session: AsyncSession, event: EventPayload, envelope: Envelope) -> None:
    session.add(
        AppliedEvent(
            event_id=envelope.id,
            case_id=envelope.subject,
            type=envelope.type,
            source=envelope.source,
            time=envelope.time,
            trace_id=current_trace_id(),
            data=envelope.data,
        )
    )
    facts = facts_from(event)
    status = facts.pop("status", None)
    statement = insert(CaseView).values(
        case_id=envelope.subject, status=status, updated_at=envelope.time, **facts
    )
    # Events of one case arrive on several topics, so not always in order:
    # the status follows the latest event, other facts are set by whichever event carries them.
    newer = CaseView.updated_at <= statement.excluded.updated_at
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CaseView.case_id],
            set_={
                **{name: statement.excluded[name] for name in facts},
                "status": case(
                    (newer, func.coalesce(statement.excluded.status, CaseView.status)),
                    else_=CaseView.status,
                ),
                "updated_at": func.greatest(CaseView.updated_at, statement.excluded.updated_at),
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
