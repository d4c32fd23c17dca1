"""Finding FAQ gaps, one pass (`workers/faq_gap_finder` runs it periodically): grouped
cases, and the questions their buyers asked, against the listings' FAQ entries; each new
gap kept once and published (`analytics.faq_gap_found`) with its suggested entry, and
marked covered when an entry in its language comes to answer its reason or mention its
topic."""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.buyer_questions import (
    AskedQuestion,
    Listing,
    answered,
    question_gaps,
)
from services.analytics.domain.faq_gaps import Gap, GapState, Key, cover, found, gaps
from services.analytics.domain.phrases import base_language
from services.analytics.tables import CaseView, FaqEntry, FaqGap
from services.analytics.workflows.buyer_texts import buyer_texts
from shared.messaging_tables import utc_now
from shared.outbox import emit
from shared.service import Service


async def find_gaps(service: Service) -> list[Gap]:
    """One pass: the gaps found new."""
    async with service.transaction() as session:
        entries = list(await session.scalars(select(FaqEntry)))
        covered = covered_reasons(entries)
        faq_texts = faq_texts_by_listing(entries)
        known = await _gaps_by_key(session)
        for key, gap in known.items():
            topic_answered = gap.topic and answered(gap.topic, faq_texts.get(key[:3], ()))
            if key in covered or topic_answered:
                _cover(session, gap)
        candidates = gaps(await case_groups(session), covered)
        candidates += question_gaps(await asked_questions(session), faq_texts)
        new = [gap for gap in candidates if gap.key not in known]
        for gap in new:
            await _record(session, gap)
        return new


async def case_groups(session: AsyncSession) -> list[dict]:
    cases = CaseView.__table__.c
    # The gap's event is keyed by the group's latest case.
    latest = func.array_agg(aggregate_order_by(cases.case_id, cases.opened_at.desc()))[1]
    query = (
        select(
            cases.seller_account,
            cases.sku,
            func.max(cases.asin).label("asin"),
            func.max(cases.title).label("title"),
            cases.language,
            cases.reason,
            func.count().label("cases"),
            func.coalesce(func.sum(cases.cost_minor), 0).label("cost_minor"),
            func.max(cases.currency).label("currency"),
            latest.label("latest_case_id"),
        )
        .where(
            cases.seller_account.is_not(None),
            cases.sku.is_not(None),
            cases.language.is_not(None),
            cases.reason.is_not(None),
        )
        .group_by(cases.seller_account, cases.sku, cases.language, cases.reason)
    )
    return [dict(row._mapping) for row in await session.execute(query)]


async def asked_questions(session: AsyncSession) -> list[AskedQuestion]:
    """What buyers wrote with a question in it, by listing, in the order the cases opened."""
    listed = (CaseView.seller_account.is_not(None), CaseView.sku.is_not(None))
    return [
        AskedQuestion(
            row.seller_account,
            row.sku,
            row.asin,
            row.title,
            row.language or "en",
            row.case_id,
            row.cost_minor or 0,
            row.currency,
            row.text,
        )
        for row in await buyer_texts(session, *listed, questions_only=True)
    ]


def faq_texts_by_listing(entries: list[FaqEntry]) -> dict[Listing, list[str]]:
    """Each listing's FAQ entries (question and answer) by seller, SKU and language."""
    texts: dict[Listing, list[str]] = {}
    for entry in entries:
        key = (entry.seller_account, entry.sku, base_language(entry.language))
        texts.setdefault(key, []).append(f"{entry.question}\n{entry.answer}")
    return texts


def covered_reasons(entries: list[FaqEntry]) -> set[Key]:
    return {
        (entry.seller_account, entry.sku, entry.language, reason, "")
        for entry in entries
        for reason in entry.covers
    }


async def _gaps_by_key(session: AsyncSession) -> dict[Key, FaqGap]:
    rows = await session.scalars(select(FaqGap).with_for_update())
    return {(g.seller_account, g.sku, g.language, g.reason, g.topic): g for g in rows}


def _cover(session: AsyncSession, gap: FaqGap) -> None:
    covering = cover(GapState(gap.state))
    if covering.state != gap.state:
        gap.state = covering.state
        session.add(gap)


async def _record(session: AsyncSession, gap: Gap) -> None:
    """The gap kept as its event says it (but the ASIN), and the event published."""
    opened = found(gap)
    (event,) = opened.events
    said = event.model_dump(mode="json", exclude={"asin"})
    session.add(FaqGap(**said, state=opened.state, found_at=utc_now()))
    await emit(session, event)
