"""A listing's pre-sale FAQ entries (which return reasons each answers), and the gaps
found: reasons buyers return it for that no entry in their language answers. The seller's
people read them, its admin writes them; another seller's answer 404, as a seller unknown
(the gaps report too, when asked for one seller)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.analytics.domain.faq_gaps import GapState
from services.analytics.tables import FaqEntry, FaqGap
from shared.events import Reason
from shared.identity import SellerAdmin, SellerReader
from shared.messaging_tables import utc_now
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["FAQ"])

GAP_STATES = f"^({'|'.join(GapState)})$"


class Entry(BaseModel):
    language: str = Field(pattern=r"^[a-z]{2}$")
    question: str = Field(min_length=5, max_length=500)
    answer: str = Field(min_length=5, max_length=5000)
    covers: list[str] = Field(
        default_factory=list,
        description="the return reasons it answers (none: it answers what buyers ask only)",
    )

    def check_reasons(self) -> None:
        unknown = sorted(set(self.covers) - set(Reason))
        if unknown:
            known = [reason.value for reason in Reason]
            raise HTTPException(422, f"unknown reasons {unknown}; known: {known}")


@router.put("/faq/{seller}/{sku}/{entry_id}", summary="Add or change an entry")
async def put_entry(
    seller: str,
    sku: str,
    entry_id: str,
    entry: Entry,
    caller: SellerAdmin,
    service: CurrentService,
) -> FaqEntry:
    caller.seller_or_404(seller, "seller")
    entry.check_reasons()
    values = {**entry.model_dump(), "updated_at": utc_now()}
    async with service.transaction() as session:
        return await session.scalar(
            insert(FaqEntry)
            .values(seller_account=seller, sku=sku, entry_id=entry_id, **values)
            .on_conflict_do_update(
                index_elements=["seller_account", "sku", "entry_id"], set_=values
            )
            .returning(FaqEntry)
        )


@router.get("/faq/{seller}/{sku}", summary="A listing's FAQ entries")
async def list_entries(
    seller: str, sku: str, caller: SellerReader, service: CurrentService
) -> list[FaqEntry]:
    caller.seller_or_404(seller, "seller")
    async with service.sessions() as session:
        rows = await session.scalars(
            select(FaqEntry)
            .where(FaqEntry.seller_account == seller, FaqEntry.sku == sku)
            .order_by(FaqEntry.language, FaqEntry.entry_id)
        )
        return list(rows)


@router.delete("/faq/{seller}/{sku}/{entry_id}", status_code=204, summary="Remove an entry")
async def delete_entry(
    seller: str, sku: str, entry_id: str, caller: SellerAdmin, service: CurrentService
) -> None:
    caller.seller_or_404(seller, "seller")
    async with service.transaction() as session:
        missing = f"no FAQ entry {entry_id} for {sku}"
        await session.delete(await get_or_404(session, FaqEntry, (seller, sku, entry_id), missing))


@router.get("/reports/faq-gaps", summary="Reasons no FAQ entry answers, the costliest first")
async def list_gaps(
    caller: SellerReader,
    service: CurrentService,
    seller: str | None = None,
    state: Annotated[str, Query(pattern=GAP_STATES)] = GapState.OPEN,
) -> list[FaqGap]:
    query = select(FaqGap).where(FaqGap.state == state, caller.sellers_in(FaqGap.seller_account))
    if seller is not None:
        caller.seller_or_404(seller, "seller")
        query = query.where(FaqGap.seller_account == seller)
    async with service.sessions() as session:
        rows = await session.scalars(query.order_by(FaqGap.cost_minor.desc(), FaqGap.cases.desc()))
        return list(rows)
