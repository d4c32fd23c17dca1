"""What buyers wrote (the comment opening a case, their replies) with their case's facts,
read from the kept events: an erased buyer's words are already gone from them."""

from sqlalchemy import RowMapping, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.tables import AppliedEvent, CaseView

WRITTEN_BY_BUYERS = ("case.opened", "case.buyer_replied")
TEXT = func.coalesce(AppliedEvent.data["buyer_comment"].astext, AppliedEvent.data["text"].astext)
QUESTION_MARKS = ("?", "？")


async def buyer_texts(
    session: AsyncSession, *conditions, questions_only: bool = False
) -> list[RowMapping]:
    """Each text with its case's id, seller, listing, market, reason, cost and the language
    it was written in; cases narrowed by `conditions` on CaseView, in the order they
    opened."""
    language = func.coalesce(AppliedEvent.data["language"].astext, CaseView.language)
    query = (
        select(
            CaseView.case_id,
            CaseView.seller_account,
            CaseView.sku,
            CaseView.market,
            CaseView.asin,
            CaseView.title,
            CaseView.reason,
            CaseView.cost_minor,
            CaseView.currency,
            language.label("language"),
            TEXT.label("text"),
        )
        .join(CaseView, CaseView.case_id == AppliedEvent.case_id)
        .where(AppliedEvent.type.in_(WRITTEN_BY_BUYERS), TEXT != "", *conditions)
        .order_by(CaseView.opened_at, AppliedEvent.seq)
    )
    if questions_only:
        query = query.where(or_(*(TEXT.contains(mark) for mark in QUESTION_MARKS)))
    return list((await session.execute(query)).mappings())
