"""One seller's listing audit: the listings as intake's catalog holds them (read with the
caller's token, `adapters/intake_catalog_api`), the period's returns of each listing and
market from analytics' own case rows, and the rules of `domain/listing_audit`."""

from functools import cache

import httpx
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.adapters.intake_catalog_api import IntakeCatalogApi
from services.analytics.domain.listing_audit import (
    Finding,
    audit,
    listings_of,
    returns_by_listing,
    rules,
)
from services.analytics.tables import CaseView
from shared.markets import DEFAULT_LANGUAGE_OF
from shared.outbound import Refused, Unavailable

LANGUAGES = sorted(set(DEFAULT_LANGUAGE_OF.values()))


@cache
def _detector() -> LanguageIdentifier:
    detector = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    detector.set_languages(LANGUAGES)
    return detector


def language_of(text: str) -> str | None:
    """The language a listing's prose is written in, among the markets' languages."""
    if not text.strip():
        return None
    language, _ = _detector().classify(text)
    return language


async def audit_seller(
    session: AsyncSession,
    catalog: IntakeCatalogApi,
    seller: str,
    conditions: list,
    authorization: str | None,
    market: str | None = None,
) -> list[Finding]:
    """The seller's findings, ranked by expected saving; `conditions` pick the period's
    cases (the caller's sellers, the seller, the market, the dates)."""
    products = await catalog.products_of(seller, authorization)
    listings = [
        listing
        for listing in listings_of(products)
        if listing.seller == seller and (market is None or listing.market == market)
    ]
    cases = await session.scalars(select(CaseView).where(*conditions))
    returns = returns_by_listing(case.model_dump() for case in cases)
    return audit(listings, returns, rules(language_of))


async def audit_or_why_not(
    session: AsyncSession,
    intake: httpx.AsyncClient | None,
    seller: str,
    conditions: list,
    authorization: str | None,
    market: str | None = None,
) -> tuple[list[Finding] | None, str | None]:
    """The seller's findings, or why the listings could not be read (intake not
    configured, unreachable, or refusing the caller): for a report that goes on without
    them, as the analysis workbook does."""
    if intake is None:
        return None, "intake's catalog API is not configured"
    catalog = IntakeCatalogApi(intake)
    try:
        findings = await audit_seller(session, catalog, seller, conditions, authorization, market)
    except Unavailable as unavailable:
        return None, f"intake is unreachable: {unavailable.reason}"
    except Refused as refused:
        return None, f"intake refused the catalog: {refused.reason}"
    return findings, None
