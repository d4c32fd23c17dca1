"""Marketplace claims: a case's evidence pack (PDF, or ZIP for an upload form) for an Amazon
A-to-z claim, an Amazon SAFE-T reimbursement, an eBay Money Back Guarantee case or a
chargeback; the claims opened on cases with their deadline clocks, their filing and their
outcome; the report of claims won and money recovered. Each caller reaches its own
sellers' cases and claims only: another seller's answers 404, as one that does not exist."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select

from services.analytics.domain.claims import MAX_CLAIM_MINOR, ClaimKind, ClaimRefused, Outcome
from services.analytics.domain.evidence_files import pdf_of, zip_of
from services.analytics.handlers.tenancy import case_of
from services.analytics.tables import MarketplaceClaim
from services.analytics.workflows.claims import (
    ClaimConflict,
    claim_view,
    claims_report,
    clock_of,
    latest_claim,
    open_claim,
    pack_of,
    record_filing,
    record_outcome,
    with_bench_photos,
)
from services.analytics.workflows.context import CurrentAnalytics
from shared.audit import personal_data
from shared.identity import Principal, SellerAgent, SellerReader
from shared.routes import attachment, served
from shared.service import CurrentService

router = APIRouter(tags=["claims"])


class PackFormat(StrEnum):
    PDF = "pdf"
    ZIP = "zip"


def now() -> datetime:
    return datetime.now(UTC)


def refused(error: ClaimRefused | ClaimConflict) -> HTTPException:
    return HTTPException(409 if isinstance(error, ClaimConflict) else 422, str(error))


@router.get(
    "/cases/{case_id}/evidence/{kind}",
    summary="A case's evidence pack for a marketplace claim, as a PDF or a ZIP to upload",
    dependencies=[personal_data("evidence pack")],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/zip": {}}}},
)
async def evidence_pack(
    case_id: str,
    kind: ClaimKind,
    caller: SellerReader,
    service: CurrentService,
    analytics: CurrentAnalytics,
    format: PackFormat = PackFormat.PDF,
) -> Response:
    async with service.sessions() as session:
        case = await case_of(session, caller, case_id)
        try:
            pack = await pack_of(session, case, kind)
        except ClaimRefused as error:
            raise refused(error) from error
        claim = await latest_claim(session, case_id, kind)
    # Without its context (the app run bare), refurbish is not reachable: photos missing.
    pack = await with_bench_photos(pack, analytics.bench_photos if analytics else None)
    clock = clock_of(claim, now()) if claim is not None else None
    stem = f"evidence-{kind.value}-{case_id}"
    if format is PackFormat.ZIP:
        body, media = zip_of(pack, clock), "application/zip"
    else:
        body, media = pdf_of(pack, clock), "application/pdf"
    return Response(body, media_type=media, headers=attachment(f"{stem}.{format.value}"))


class ClaimOpening(BaseModel):
    """A claim the marketplace (or the card processor) notified: its kind, what it asks,
    when the notice came, and the due date it states, if any (it wins over the rule's)."""

    kind: ClaimKind
    amount_minor: int = Field(ge=0, le=MAX_CLAIM_MINOR)
    notice_at: AwareDatetime | None = Field(default=None, description="default: now")
    due_at: AwareDatetime | None = Field(default=None, description="as the notice states it")
    marketplace_claim_id: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=2000)


@router.post(
    "/cases/{case_id}/claims",
    summary="Open a claim on a case: its deadline clock starts",
    status_code=201,
)
async def new_claim(
    case_id: str, opening: ClaimOpening, caller: SellerAgent, service: CurrentService
) -> dict[str, Any]:
    moment = now()
    async with service.transaction() as session:
        case = await case_of(session, caller, case_id)
        try:
            claim = await open_claim(
                session,
                case,
                opening.kind,
                amount_minor=opening.amount_minor,
                notice_at=opening.notice_at or moment,
                stated_due_at=opening.due_at,
                marketplace_claim_id=opening.marketplace_claim_id,
                note=opening.note,
                by=caller.name,
                now=moment,
            )
        except ClaimRefused as error:
            raise refused(error) from error
        return claim_view(claim, moment)


def _claim_served(caller: Principal, claim: MarketplaceClaim | None, claim_id: str):
    return served(caller, claim, lambda c: c.seller_account, f"no claim {claim_id}")


@router.get("/claims", summary="Claims with their clocks, the soonest due first")
async def claim_list(
    caller: SellerReader,
    service: CurrentService,
    seller: str | None = None,
    kind: ClaimKind | None = None,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    query = select(MarketplaceClaim).where(caller.sellers_in(MarketplaceClaim.seller_account))
    if seller is not None:
        caller.seller_or_404(seller, "seller")
        query = query.where(MarketplaceClaim.seller_account == seller)
    if kind is not None:
        query = query.where(MarketplaceClaim.kind == kind.value)
    if outcome is not None:
        query = query.where(MarketplaceClaim.outcome == outcome.value)
    query = query.order_by(MarketplaceClaim.due_at, MarketplaceClaim.claim_id).limit(limit)
    moment = now()
    async with service.sessions() as session:
        claims = list(await session.scalars(query))
    return {"claims": [claim_view(claim, moment) for claim in claims]}


@router.get("/claims/{claim_id}", summary="One claim, its clock and outcome")
async def one_claim(claim_id: str, caller: SellerReader, service: CurrentService) -> dict:
    async with service.sessions() as session:
        claim = _claim_served(caller, await session.get(MarketplaceClaim, claim_id), claim_id)
    return claim_view(claim, now())


class Filing(BaseModel):
    filed_at: AwareDatetime | None = Field(default=None, description="default: now")


@router.post("/claims/{claim_id}/filing", summary="The evidence was sent: the clock stops")
async def claim_filed(
    claim_id: str, filing: Filing, caller: SellerAgent, service: CurrentService
) -> dict[str, Any]:
    moment = now()
    async with service.transaction() as session:
        found = await session.get(MarketplaceClaim, claim_id, with_for_update=True)
        claim = _claim_served(caller, found, claim_id)
        try:
            record_filing(claim, filing.filed_at or moment, moment)
        except (ClaimRefused, ClaimConflict) as error:
            raise refused(error) from error
        return claim_view(claim, moment)


class Decision(BaseModel):
    """What the marketplace decided, and what it paid back (the whole claim when won and
    nothing is said)."""

    outcome: Outcome
    recovered_minor: int | None = Field(default=None, ge=0, le=MAX_CLAIM_MINOR)
    decided_at: AwareDatetime | None = Field(default=None, description="default: now")


@router.post("/claims/{claim_id}/outcome", summary="Record what the marketplace decided")
async def claim_decided(
    claim_id: str, decision: Decision, caller: SellerAgent, service: CurrentService
) -> dict[str, Any]:
    moment = now()
    async with service.transaction() as session:
        found = await session.get(MarketplaceClaim, claim_id, with_for_update=True)
        claim = _claim_served(caller, found, claim_id)
        try:
            record_outcome(
                claim,
                decision.outcome,
                decision.recovered_minor,
                decision.decided_at or moment,
                moment,
            )
        except (ClaimRefused, ClaimConflict) as error:
            raise refused(error) from error
        return claim_view(claim, moment)


@router.get("/reports/claims", summary="Claims won and money recovered, by kind and currency")
async def claims_won(
    caller: SellerReader,
    service: CurrentService,
    seller: str | None = None,
    since: Annotated[datetime | None, Query(description="clock started at or after")] = None,
    until: Annotated[datetime | None, Query(description="clock started before")] = None,
) -> dict[str, Any]:
    if since and until and since >= until:
        raise HTTPException(422, "since must be before until")
    query = select(MarketplaceClaim).where(caller.sellers_in(MarketplaceClaim.seller_account))
    if seller is not None:
        caller.seller_or_404(seller, "seller")
        query = query.where(MarketplaceClaim.seller_account == seller)
    if since is not None:
        query = query.where(MarketplaceClaim.starts >= since)
    if until is not None:
        query = query.where(MarketplaceClaim.starts < until)
    async with service.sessions() as session:
        claims = list(await session.scalars(query))
    return claims_report(claims, now())
