"""Cases as the operations team follows them: the live list with its filters, one case's
read model, and its timeline across the services, each event linked to its trace. Each
caller sees its own sellers' cases only: another seller's case answers 404, as one that
does not exist."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, or_, select, text

from services.analytics.handlers.tenancy import case_of
from services.analytics.tables import AppliedEvent, CaseView, ConversationEntry
from shared.audit import personal_data
from shared.identity import SellerReader
from shared.service import CurrentService

router = APIRouter(tags=["cases"])


class CaseFilters(BaseModel):
    """Facts a case must have (each optional), a search, and how many at most."""

    status: str | None = None
    market: str | None = None
    remedy: str | None = None
    scenario: str | None = None
    reason: str | None = None
    seller_account: str | None = None
    marketplace: str | None = None
    search: str | None = Field(default=None, description="part of a case id, SKU or title")
    limit: int = Field(default=100, ge=1, le=500)


# Searched by their trigram indexes (migration 0021): ILIKE on the column itself, the
# pattern a whole value PostgreSQL plans for (a pattern made in SQL is opaque to it).
SEARCHED = (CaseView.case_id, CaseView.sku, CaseView.title)
ESCAPE = "/"
# How often the term occurs decides the plan: the latest-first index read until the page is
# full for a frequent one, the trigram indexes then a sort for a rare one. A prepared
# statement's generic plan knows no term and walks the whole latest-first index.
PLANNED_PER_TERM = text("SET LOCAL plan_cache_mode = force_custom_plan")


def found(term: str) -> ColumnElement[bool]:
    """Cases whose id, SKU or title holds the term, in any case; % and _ are searched for
    as themselves."""
    for special in (ESCAPE, "%", "_"):
        term = term.replace(special, ESCAPE + special)
    return or_(*(column.ilike(f"%{term}%", escape=ESCAPE) for column in SEARCHED))


@router.get("/cases", summary="The latest cases first, narrowed by any of their facts")
async def case_list(
    caller: SellerReader, service: CurrentService, filters: Annotated[CaseFilters, Query()]
) -> dict[str, Any]:
    query = (
        select(CaseView)
        .where(caller.sellers_in(CaseView.seller_account))
        .order_by(CaseView.updated_at.desc(), CaseView.case_id)
    )
    for name, value in filters.model_dump(exclude={"search", "limit"}).items():
        if value:
            query = query.where(getattr(CaseView, name) == value)
    if filters.search:
        query = query.where(found(filters.search))
    async with service.sessions() as session:
        if filters.search:
            await session.execute(PLANNED_PER_TERM)
        cases = [row.model_dump() for row in await session.scalars(query.limit(filters.limit))]
    return {"cases": cases}


@router.get("/cases/{case_id}", summary="One case: where it came from and where it stands")
async def one_case(case_id: str, caller: SellerReader, service: CurrentService) -> dict[str, Any]:
    async with service.sessions() as session:
        row = await case_of(session, caller, case_id)
    return row.model_dump()


@router.get(
    "/cases/{case_id}/timeline",
    summary="Every event of one case, in order",
    dependencies=[personal_data("case events")],
)
async def timeline(case_id: str, caller: SellerReader, service: CurrentService) -> dict:
    async with service.sessions() as session:
        await case_of(session, caller, case_id)  # every event a case has makes its row
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

    def link(trace_id: str) -> str | None:
        return trace_url.format(trace_id=trace_id) if trace_url else None

    # The event that opened the case was emitted in the case's first trace; every later
    # trace of the case links to it (docs/operations.md, "Tracing a case").
    first_trace = events[0].trace_id
    return {
        "case_id": case_id,
        "case_trace_id": first_trace,
        "case_trace_url": link(first_trace),
        "events": [
            {
                "time": e.time,
                "type": e.type,
                "source": e.source,
                "event_id": e.event_id,
                "trace_id": e.trace_id,
                "trace_url": link(e.trace_id),
                "data": e.data,
            }
            for e in events
        ],
    }


@router.get(
    "/cases/{case_id}/conversation",
    summary="One case's conversation with its buyer: messages sent and replies, in order",
    dependencies=[personal_data("conversation with the buyer")],
)
async def conversation(
    case_id: str, caller: SellerReader, service: CurrentService
) -> dict[str, Any]:
    async with service.sessions() as session:
        await case_of(session, caller, case_id)
        turns = await session.scalars(
            select(ConversationEntry)
            .where(ConversationEntry.case_id == case_id)
            .order_by(ConversationEntry.at, ConversationEntry.entry_id)
        )
        shown = [turn.model_dump(exclude={"case_id", "updated_at"}) for turn in turns]
    return {"case_id": case_id, "turns": shown}
