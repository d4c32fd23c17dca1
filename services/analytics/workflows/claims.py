"""Marketplace claims as analytics keeps them: a case's evidence pack from its kept events,
a claim opened with its clock, its filing and its outcome, and the report of claims won and
money recovered (`domain/claims.py`, `domain/evidence.py`)."""

import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.adapters.refurbish_photos import BenchPhotos
from services.analytics.domain.claims import (
    DECIDED,
    RECOVERING,
    ClaimKind,
    ClaimRefused,
    Outcome,
    StartsFrom,
    clock_state,
    due_at,
    recovered,
    rule_for,
)
from services.analytics.domain.evidence import EvidencePack, KeptEvent, MissingPhoto, assemble
from services.analytics.domain.evidence_files import Clock
from services.analytics.tables import AppliedEvent, CaseView, MarketplaceClaim
from shared.consumer import Delivery
from shared.events import CaseMarketplaceUpdated, ClaimNotice
from shared.markets import Market

log = logging.getLogger(__name__)


class ClaimConflict(ValueError):
    """A move the claim's state does not allow (a 409 with the reason)."""


async def kept_events(session: AsyncSession, case_id: str) -> list[KeptEvent]:
    events = await session.scalars(
        select(AppliedEvent)
        .where(AppliedEvent.case_id == case_id)
        .order_by(AppliedEvent.time, AppliedEvent.seq)
    )
    return [KeptEvent(e.type, e.time, e.data) for e in events]


async def pack_of(session: AsyncSession, case: CaseView, kind: ClaimKind) -> EvidencePack:
    rule = rule_for(kind, case.marketplace)
    return assemble(case.case_id, rule, await kept_events(session, case.case_id))


async def with_bench_photos(pack: EvidencePack, photos: BenchPhotos | None) -> EvidencePack:
    """The pack with its inspections' bench photos from refurbish; each one refurbish does
    not give listed as missing, with the reason."""
    if photos is None:
        pack.photos_missing = [
            MissingPhoto(f"inspection {i}", "refurbish is not reachable from analytics")
            for i in pack.inspections
        ]
        return pack
    pack.bench_photos, pack.photos_missing = await photos.of_inspections(pack.inspections)
    return pack


def clock_of(claim: MarketplaceClaim, now: datetime) -> Clock:
    return Clock(
        claim_id=claim.claim_id,
        starts=claim.starts,
        due_at=claim.due_at,
        state=clock_state(claim.starts, claim.due_at, now, claim.filed_at),
        outcome=claim.outcome,
    )


async def latest_claim(
    session: AsyncSession, case_id: str, kind: ClaimKind
) -> MarketplaceClaim | None:
    return await session.scalar(
        select(MarketplaceClaim)
        .where(MarketplaceClaim.case_id == case_id, MarketplaceClaim.kind == kind.value)
        .order_by(MarketplaceClaim.updated_at.desc())
        .limit(1)
    )


def last_refund_at(pack_events: list[KeptEvent]) -> datetime | None:
    refunds = [
        datetime.fromisoformat(e.data["at"]) if e.data.get("at") else e.time
        for e in pack_events
        if e.type == "refund.issued"
    ]
    return max(refunds, default=None)


async def open_claim(
    session: AsyncSession,
    case: CaseView,
    kind: ClaimKind,
    *,
    amount_minor: int,
    notice_at: datetime,
    stated_due_at: datetime | None,
    marketplace_claim_id: str | None,
    note: str,
    by: str,
    now: datetime,
    notified: bool = False,
) -> MarketplaceClaim:
    """A claim on `case`, its clock started by the marketplace's notice, or for SAFE-T by
    the refund it asks back (the case's latest; a SAFE-T claim the marketplace `notified`
    on a refund it made itself starts at the notice)."""
    rule = rule_for(kind, case.marketplace)
    if case.market is None:
        raise ClaimRefused(f"case {case.case_id} has no market yet: its opening is not known")
    starts = notice_at
    if rule.starts_from is StartsFrom.REFUND:
        refunded = last_refund_at(await kept_events(session, case.case_id))
        if refunded is None and not notified:
            raise ClaimRefused(f"a {rule.title} asks back a refund: case {case.case_id} has none")
        starts = refunded or notice_at
    claim = MarketplaceClaim(
        claim_id=f"clm-{uuid.uuid4()}",
        case_id=case.case_id,
        seller_account=case.seller_account,
        kind=kind.value,
        marketplace_claim_id=marketplace_claim_id,
        starts=starts,
        due_at=due_at(rule, starts, Market(case.market), stated_due_at),
        amount_minor=amount_minor,
        currency=case.currency,
        outcome=Outcome.OPEN.value,
        note=note,
        opened_by=by,
        updated_at=now,
    )
    session.add(claim)
    return claim


async def open_notified_claims(session: AsyncSession, deliveries: list[Delivery]) -> None:
    """Every claim a marketplace notified (a `case.marketplace_updated` carrying its
    `claim`), opened on its case as it comes, so its clock runs from the notice."""
    for delivery in deliveries:
        update = delivery.payload
        if isinstance(update, CaseMarketplaceUpdated) and update.claim is not None:
            await open_notified(session, update.case_id, update.claim, datetime.now(UTC))


async def open_notified(
    session: AsyncSession, case_id: str, notice: ClaimNotice, now: datetime
) -> MarketplaceClaim | None:
    """The notified claim, opened once (by its kind and the marketplace's id of it) and
    marked filed when the notice says so; None when it was opened before or cannot be
    (the reason is logged: a notice is never dead-lettered for it)."""
    known = await session.scalar(
        select(MarketplaceClaim.claim_id).where(
            MarketplaceClaim.case_id == case_id,
            MarketplaceClaim.kind == notice.kind.value,
            MarketplaceClaim.marketplace_claim_id == notice.marketplace_claim_id,
        )
    )
    case = await session.get(CaseView, case_id)
    if known is not None:
        return None
    if case is None:  # intake opens a case before it says anything more of it
        log.warning("claim %s on case %s not opened: the case is not known", notice.kind, case_id)
        return None
    amount = notice.amount_minor
    if amount is None:
        amount = order_value(await kept_events(session, case_id))
    try:
        claim = await open_claim(
            session,
            case,
            notice.kind,
            amount_minor=amount,
            notice_at=notice.notice_at,
            stated_due_at=notice.due_at,
            marketplace_claim_id=notice.marketplace_claim_id,
            note=f"opened from {case.marketplace}'s notice {notice.state}".strip(),
            by=f"{case.marketplace} notice",
            now=now,
            notified=True,
        )
        if notice.filed_at is not None:
            record_filing(claim, max(notice.filed_at, claim.starts), now)
    except ClaimRefused as error:
        log.warning("claim %s on case %s not opened: %s", notice.kind, case_id, error)
        return None
    return claim


def order_value(events: list[KeptEvent]) -> int:
    """What the case's order came to, from its opening: what a claim asks when the notice
    states no amount."""
    opened = next((e for e in events if e.type == "case.opened"), None)
    items = opened.data.get("items", []) if opened else []
    return sum(item.get("quantity", 1) * item.get("unit_price_minor", 0) for item in items)


def record_filing(claim: MarketplaceClaim, filed_at: datetime, now: datetime) -> None:
    if claim.outcome != Outcome.OPEN.value:
        raise ClaimConflict(f"claim {claim.claim_id} is {claim.outcome}, not open")
    if filed_at < claim.starts:
        raise ClaimRefused("a claim is filed after its clock starts")
    claim.filed_at, claim.outcome, claim.updated_at = filed_at, Outcome.FILED.value, now


def record_outcome(
    claim: MarketplaceClaim,
    outcome: Outcome,
    recovered_minor: int | None,
    decided_at: datetime,
    now: datetime,
) -> None:
    if outcome not in DECIDED:
        raise ClaimRefused(f"an outcome is one of {', '.join(sorted(DECIDED))}")
    if claim.outcome in DECIDED:
        raise ClaimConflict(f"claim {claim.claim_id} is already {claim.outcome}")
    back = recovered(outcome, claim.amount_minor, recovered_minor)
    if back > claim.amount_minor and outcome is Outcome.PARTLY_WON:
        raise ClaimRefused("a claim partly won recovers less than it asked")
    claim.outcome, claim.recovered_minor = outcome.value, back
    claim.decided_at, claim.updated_at = decided_at, now


def claim_view(claim: MarketplaceClaim, now: datetime) -> dict[str, Any]:
    clock = clock_of(claim, now)
    return {
        **claim.model_dump(),
        "clock": {"starts": clock.starts, "due_at": clock.due_at, "state": clock.state.value},
    }


def claims_report(claims: list[MarketplaceClaim], now: datetime) -> dict[str, Any]:
    """Claims by kind and currency: how many, in which state, won and money recovered; the
    clocks missed (filed late, or breached and never filed)."""
    groups: dict[tuple[str, str | None], dict[str, Any]] = defaultdict(
        lambda: {
            "claims": 0,
            **{o.value: 0 for o in Outcome},
            "claimed_minor": 0,
            "recovered_minor": 0,
            "clocks_missed": 0,
        }
    )
    for claim in claims:
        row = groups[(claim.kind, claim.currency)]
        row["claims"] += 1
        row[claim.outcome] += 1
        row["claimed_minor"] += claim.amount_minor
        row["recovered_minor"] += claim.recovered_minor
        state = clock_of(claim, now).state.value
        row["clocks_missed"] += state in ("missed", "breached")
    rows = []
    for (kind, currency), row in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or "")):
        contested = sum(row[o.value] for o in (*RECOVERING, Outcome.LOST))
        won = sum(row[o.value] for o in RECOVERING)
        rows.append(
            {
                "kind": kind,
                "currency": currency,
                **row,
                "win_rate": round(won / contested, 4) if contested else None,
            }
        )
    return {
        "by_kind": rows,
        "claims": len(claims),
        "won": sum(r["won"] + r["partly_won"] for r in rows),
        "recovered_by_currency": {
            currency: sum(r["recovered_minor"] for r in rows if (r["currency"] or "") == currency)
            for currency in sorted({r["currency"] or "" for r in rows})
        },
    }
