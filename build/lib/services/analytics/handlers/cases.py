"""Cases as the operations team follows them: the live list with its filters, one case's
read model, and its timeline across the services, each event linked to its trace."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import or_, select

from services.analytics.tables import AppliedEvent, CaseView
from shared.service import CurrentService

router = APIRouter(tags=["cases"])


@router.get("/cases", summary="The latest cases first, narrowed by any of their facts")
async def case_list(
    service: CurrentService,
    status: str | None = None,
    market: str | None = None,
    remedy: str | None = None,
    scenario: str | None = None,
    reason: str | None = None,
    seller_account: str | None = None,
    marketplace: str | None = None,
    search: Annotated[str | None, Query(description="part of a case id, SKU or title")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    given = {
        "status": status,
        "market": market,
        "remedy": remedy,
        "scenario": scenario,
        "reason": reason,
        "seller_account": seller_account,
        "marketplace": marketplace,
    }
    query = select(CaseView).order_by(CaseView.updated_at.desc(), CaseView.case_id).limit(limit)
    for name, value in given.items():
        if value:
            query = query.where(getattr(CaseView, name) == value)
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(
                CaseView.case_id.ilike(pattern),
                CaseView.sku.ilike(pattern),
                CaseView.title.ilike(pattern),
            )
        )
    async with service.sessions() as session:
        cases = [row.model_dump() for row in await session.scalars(query)]
    return {"cases": cases}


@router.get("/cases/{case_id}", summary="One case: where it came from and where it stands")
async def one_case(case_id: str, service: CurrentService) -> dict[str, Any]:
    async with service.sessions() as session:
        row = await session.get(CaseView, case_id)
    if row is None:
        raise HTTPException(404, f"no case {case_id}")
    return row.model_dump()


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
    trace_url = service.settings.tracing_ui_trace_url
    return {
        "case_id": case_id,
        "events": [
            {
                "time": e.time,
                "type": e.type,
                "source": e.source,
                "event_id": e.event_id,
                "trace_id": e.trace_id,
                "trace_url": trace_url.format(trace_id=e.trace_id),
                "data": e.data,
            }
            for e in events
        ],
    }
