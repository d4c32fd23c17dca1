"""A listing's FAQ answers and guides back where buyers read before they buy. The seller's
admin publishes an entry, or a troubleshooting or setup guide of the seller's knowledge
base (read from resolution with the admin's own token, its text kept as published), from a
moment (now by default), or takes it back; the public page shows the published entries and
guides per listing and language to anyone, framed in any shop; the seller's people get the
page's embed snippet, an export in each marketplace's shape, and the report of what each
publication did to the listing's return reasons (`domain/faq_effect.py`). Another seller's
listing answers 404, as a seller unknown."""

import json
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.domain import faq_publishing as publishing
from services.analytics.domain.faq_effect import effect_of_counts, window_around
from services.analytics.domain.faq_publishing import (
    CannotExport,
    Export,
    Marketplace,
    PublishedAnswer,
)
from services.analytics.domain.phrases import base_language
from services.analytics.handlers.what_if import Resolution, credentials_of
from services.analytics.tables import CaseView, FaqEntry, GuidePublication
from shared.identity import SellerAdmin, SellerReader, public
from shared.markets import Market
from shared.messaging_tables import utc_now
from shared.outbound import Unavailable
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["FAQ"])
# Public by design: it shows only what the seller published for every buyer to read, and
# no case, buyer or figure; its text is escaped and its headers let no script run.
PUBLIC_PAGE = public("a listing's published FAQ answers: written for every buyer to read")
MAX_WINDOW_DAYS = 365


class Publication(BaseModel):
    published_at: AwareDatetime | None = None  # when buyers could first read it; now if none


@router.put(
    "/faq/{seller}/{sku}/{entry_id}/publication",
    summary="Publish an entry to the listing's buyers",
)
async def publish_entry(
    seller: str,
    sku: str,
    entry_id: str,
    caller: SellerAdmin,
    service: CurrentService,
    publication: Publication | None = None,
) -> FaqEntry:
    caller.seller_or_404(seller, "seller")
    published_at = publication_moment(publication)
    async with service.transaction() as session:
        missing = f"no FAQ entry {entry_id} for {sku}"
        entry = await get_or_404(session, FaqEntry, (seller, sku, entry_id), missing, lock=True)
        entry.published_at = published_at
        session.add(entry)
        await session.flush()
        return entry


@router.delete(
    "/faq/{seller}/{sku}/{entry_id}/publication",
    status_code=204,
    summary="Take an entry back from the listing's buyers",
)
async def withdraw_entry(
    seller: str, sku: str, entry_id: str, caller: SellerAdmin, service: CurrentService
) -> None:
    caller.seller_or_404(seller, "seller")
    async with service.transaction() as session:
        missing = f"no FAQ entry {entry_id} for {sku}"
        entry = await get_or_404(session, FaqEntry, (seller, sku, entry_id), missing, lock=True)
        entry.published_at = None
        session.add(entry)


def publication_moment(publication: Publication | None) -> datetime:
    now = utc_now()
    published_at = (publication and publication.published_at) or now
    if published_at > now:
        raise HTTPException(422, "an entry is published now or was published before, not later")
    return published_at


@router.put(
    "/faq/{seller}/{sku}/guides/{guide_id}/publication",
    summary="Publish one of the seller's guides to the listing's buyers, beside its FAQ",
)
async def publish_guide(
    seller: str,
    sku: str,
    guide_id: str,
    request: Request,
    caller: SellerAdmin,
    service: CurrentService,
    resolution: Resolution,
    publication: Publication | None = None,
) -> GuidePublication:
    caller.seller_or_404(seller, "seller")
    published_at = publication_moment(publication)
    try:
        answer = await resolution.guides_of(seller, credentials_of(request))
    except Unavailable as unavailable:
        raise HTTPException(503, f"resolution is unreachable: {unavailable.reason}") from None
    if answer.status != 200:
        raise HTTPException(
            answer.status if answer.status in (401, 403, 404) else 502,
            f"resolution did not give the seller's guides ({answer.status})",
        )
    try:
        guide = publishing.guide_for_listing(json.loads(answer.content), guide_id, sku)
    except CannotExport as refused:
        raise HTTPException(422, str(refused)) from None
    published = GuidePublication(
        seller_account=seller,
        sku=sku,
        guide_id=guide_id,
        language=publishing.language_of(guide["language"]),
        title=guide["title"],
        steps=list(guide["steps"]),
        covers=list(publishing.GUIDE_COVERS),
        published_at=published_at,
    )
    async with service.transaction() as session:
        await session.merge(published)
    return published


@router.delete(
    "/faq/{seller}/{sku}/guides/{guide_id}/publication",
    status_code=204,
    summary="Take a guide back from the listing's buyers",
)
async def withdraw_guide(
    seller: str, sku: str, guide_id: str, caller: SellerAdmin, service: CurrentService
) -> None:
    caller.seller_or_404(seller, "seller")
    async with service.transaction() as session:
        missing = f"no guide {guide_id} published for {sku}"
        found = await get_or_404(session, GuidePublication, (seller, sku, guide_id), missing)
        await session.delete(found)


async def published_answers(
    session: AsyncSession, seller: str, sku: str, language: str
) -> list[PublishedAnswer]:
    """The listing's published FAQ entries in `language`, then its published guides."""
    rows = await session.scalars(
        select(FaqEntry)
        .where(
            FaqEntry.seller_account == seller,
            FaqEntry.sku == sku,
            FaqEntry.published_at.is_not(None),
        )
        .order_by(FaqEntry.published_at, FaqEntry.entry_id)
    )
    entries = [
        PublishedAnswer(row.entry_id, language, row.question, row.answer, row.published_at)
        for row in rows
        if base_language(row.language) == language
    ]
    guides = await session.scalars(
        select(GuidePublication)
        .where(
            GuidePublication.seller_account == seller,
            GuidePublication.sku == sku,
            GuidePublication.language == language,
        )
        .order_by(GuidePublication.published_at, GuidePublication.guide_id)
    )
    return entries + [
        publishing.guide_answer(g.guide_id, language, g.title, g.steps, g.published_at)
        for g in guides
    ]


async def listing_title(session: AsyncSession, seller: str, sku: str) -> str | None:
    """The listing's title as its latest case named it (analytics knows no catalog)."""
    return await session.scalar(
        select(CaseView.title)
        .where(CaseView.seller_account == seller, CaseView.sku == sku, CaseView.title.is_not(None))
        .order_by(CaseView.opened_at.desc().nulls_last())
        .limit(1)
    )


def language_or_422(language: str | None) -> str:
    try:
        return publishing.language_of(language)
    except CannotExport as refused:
        raise HTTPException(422, str(refused)) from None


@router.get(
    "/listings/{seller}/{sku}/faq",
    summary="A listing's published FAQ answers, as a page to embed (no sign-in)",
    response_class=HTMLResponse,
    dependencies=[PUBLIC_PAGE],
)
async def public_page(
    seller: str, sku: str, service: CurrentService, language: str = "en"
) -> HTMLResponse:
    chosen = language_or_422(language)
    async with service.sessions() as session:
        answers = await published_answers(session, seller, sku, chosen)
        if not answers:
            raise HTTPException(404, f"no published answers in {chosen} for this listing")
        title = await listing_title(session, seller, sku)
    return HTMLResponse(
        publishing.page(title, sku, chosen, answers), headers=publishing.page_headers()
    )


@router.get("/faq/{seller}/{sku}/embed", summary="The public page's address and embed snippet")
async def embed(
    seller: str,
    sku: str,
    request: Request,
    caller: SellerReader,
    service: CurrentService,
    language: str = "en",
) -> dict[str, str]:
    caller.seller_or_404(seller, "seller")
    chosen = language_or_422(language)
    path = request.app.url_path_for("public_page", seller=seller, sku=sku)
    # The public address, when the caller reaches analytics by another (from the inside).
    base = service.settings.faq_page_base_url or str(request.base_url)
    url = f"{base.rstrip('/')}{path}?{urlencode({'language': chosen})}"
    async with service.sessions() as session:
        title = await listing_title(session, seller, sku)
    heading = publishing.WORDS[chosen]["heading"]
    return {
        "url": url,
        "snippet": publishing.embed_snippet(url, f"{heading} · {title or sku}"),
    }


@router.get(
    "/faq/{seller}/{sku}/export/{marketplace}",
    summary="The published answers in the shape the marketplace's listing accepts",
)
async def export(
    seller: str,
    sku: str,
    marketplace: Marketplace,
    caller: SellerReader,
    service: CurrentService,
    language: str = "en",
    market: Market | None = None,
    product_type: Annotated[str | None, Query(max_length=100)] = None,
    listing_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Export:
    caller.seller_or_404(seller, "seller")
    chosen = language_or_422(language)
    async with service.sessions() as session:
        answers = await published_answers(session, seller, sku, chosen)
    try:
        return publishing.export(
            marketplace, sku, chosen, answers, market, product_type, listing_id
        )
    except CannotExport as refused:
        raise HTTPException(422, str(refused)) from None


@router.get(
    "/reports/faq-effect",
    summary="Each published entry: the listing's return reasons before and after it",
)
async def faq_effect(
    caller: SellerReader,
    service: CurrentService,
    seller: str | None = None,
    sku: str | None = None,
    window_days: Annotated[int, Query(ge=1, le=MAX_WINDOW_DAYS)] = 28,
) -> list[dict]:
    query = select(FaqEntry).where(
        FaqEntry.published_at.is_not(None), caller.sellers_in(FaqEntry.seller_account)
    )
    if seller is not None:
        caller.seller_or_404(seller, "seller")
        query = query.where(FaqEntry.seller_account == seller)
    if sku is not None:
        query = query.where(FaqEntry.sku == sku)
    guides = select(GuidePublication).where(caller.sellers_in(GuidePublication.seller_account))
    if seller is not None:
        guides = guides.where(GuidePublication.seller_account == seller)
    if sku is not None:
        guides = guides.where(GuidePublication.sku == sku)
    window, now = timedelta(days=window_days), utc_now()
    answers = []
    async with service.sessions() as session:
        entries = list(
            await session.scalars(
                query.order_by(FaqEntry.seller_account, FaqEntry.sku, FaqEntry.published_at)
            )
        )
        published = [
            (
                Published(e.seller_account, e.sku, e.entry_id, e.language, e.question, e.covers),
                e.published_at,
            )
            for e in entries
        ]
        published += [
            (
                Published(
                    g.seller_account,
                    g.sku,
                    f"{publishing.GUIDE_PREFIX}{g.guide_id}",
                    g.language,
                    g.title,
                    g.covers,
                ),
                g.published_at,
            )
            for g in await session.scalars(
                guides.order_by(
                    GuidePublication.seller_account,
                    GuidePublication.sku,
                    GuidePublication.published_at,
                )
            )
        ]
        for entry, published_at in published:
            before, after = await returns_around(session, entry, published_at, window, now)
            effect = effect_of_counts(before, after, published_at, entry.covers, window, now)
            answers.append({**asdict(entry), **asdict(effect)})
    return answers


@dataclass(frozen=True)
class Published:
    """An FAQ entry or a guide, as the effect report names it."""

    seller_account: str
    sku: str
    entry_id: str  # a guide's: guide:<guide id>
    language: str
    question: str  # a guide's: its title
    covers: list[str]


async def returns_around(
    session: AsyncSession,
    entry: Published,
    published: datetime,
    window: timedelta,
    now: datetime,
) -> tuple[Counter[str], Counter[str]]:
    """The listing's cases with a reason, from its buyers in the entry's language, counted
    per reason in the window before its publication and in the one after (cut at `now`):
    counted by PostgreSQL per reason and buyer's language, the languages read here."""
    before_from, after_until = window_around(published, window, now)
    after = CaseView.opened_at >= published
    rows = await session.execute(
        select(after, CaseView.reason, CaseView.language, func.count())
        .where(
            CaseView.seller_account == entry.seller_account,
            CaseView.sku == entry.sku,
            CaseView.reason.is_not(None),
            CaseView.opened_at >= before_from,
            CaseView.opened_at < max(published, after_until),
        )
        .group_by(after, CaseView.reason, CaseView.language)
    )
    language = base_language(entry.language)
    counted: dict[bool, Counter[str]] = {False: Counter(), True: Counter()}
    for is_after, reason, buyer_language, cases in rows:
        if base_language(buyer_language or "en") == language:
            counted[is_after][reason] += cases
    return counted[False], counted[True]
