"""Reimbursement claims for FBA units Amazon damaged (`domain/reimbursement_claims.py`):
owed when a unit's grading says so (`workflows/fba_units.py`, in the transaction that
records it), listed for the agents, who file them in Seller Central (the SP-API has no call
for it) and say here what became of them: filed, settled or rejected.

Metric `amazon.reimbursement_claims` counts each claim owed, filed, settled and rejected
(by `state` and `market`).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import reimbursement_claims as claims
from services.intake.domain.case import Channel
from services.intake.domain.reimbursement_claims import ClaimState, claim_id_of, value_claimed
from services.intake.tables import AmazonFbaUnit, AmazonReimbursementClaim, CaseRecord
from services.intake.workflows.accounts import narrowed
from shared.service import Service

METRIC = "amazon.reimbursement_claims"


def count(service: Service, state: ClaimState, market: str) -> None:
    service.counter(METRIC, "Amazon reimbursement claims, by what became of them").add(
        1, {"state": state.value, "market": market}
    )


async def owe(
    session: AsyncSession, service: Service, case: CaseRecord, unit: AmazonFbaUnit
) -> None:
    """The case's claim owed, with its evidence; one the unit no longer needed is owed
    again (with what the unit says now); one filed or settled is left as it is."""
    table = AmazonReimbursementClaim.__table__
    price = next(
        (
            item["unit_price_minor"]
            for item in case.case.get("items", [])
            if item["sku"] == unit.sku
        ),
        None,
    )
    evidence = {
        "disposition": unit.disposition,
        "amazon_status": unit.amazon_status,
        "fulfillment_center": unit.fulfillment_center,
        "value_minor": value_claimed(price, unit.quantity),
    }
    statement = insert(table).values(
        claim_id=claim_id_of(case.case_id),
        case_id=case.case_id,
        account=case.account,
        order_id=unit.order_id,
        sku=unit.sku,
        fnsku=unit.fnsku,
        asin=unit.asin,
        license_plate=unit.license_plate,
        quantity=unit.quantity,
        market=case.market,
        returned_at=unit.returned_at,
        currency=case.case.get("currency", ""),
        state=ClaimState.OWED.value,
        note="",
        owed_at=unit.updated_at,
        **evidence,
    )
    owed = await session.scalar(
        statement.on_conflict_do_update(
            index_elements=["claim_id"],
            set_={"state": ClaimState.OWED.value, "owed_at": unit.updated_at, **evidence},
            where=table.c.state == ClaimState.NOT_NEEDED.value,
        ).returning(table.c.claim_id)
    )
    if owed is not None:
        count(service, ClaimState.OWED, case.market)


async def drop(session: AsyncSession, case_id: str, why: str) -> None:
    """A claim still owed is not needed after all (the unit is sellable, or the seller's)."""
    await moved(session, case_id, "drop", ClaimState.OWED, note=why)


async def settled_by_amazon(
    session: AsyncSession, service: Service, case_id: str, why: str, now: datetime
) -> None:
    """A report says Amazon reimbursed the unit: the claim, owed or filed, is settled."""
    for state in (ClaimState.OWED, ClaimState.FILED):
        market = await moved(session, case_id, "settle", state, note=why, settled_at=now)
        if market is not None:
            count(service, ClaimState.SETTLED, market)


async def moved(
    session: AsyncSession, case_id: str, action: str, from_: ClaimState, **values: Any
) -> str | None:
    """The case's claim in `from_` moved by `action`: its market; None when it is not in
    `from_`."""
    table = AmazonReimbursementClaim.__table__
    to = claims.CLAIM.moves[action][from_]
    return await session.scalar(
        update(table)
        .where(table.c.case_id == case_id, table.c.state == from_.value)
        .values(state=to.value, **values)
        .returning(table.c.market)
    )


async def listed(
    session: AsyncSession,
    state: ClaimState | None,
    seller: str | None,
    account: str | None,
    case_id: str | None,
    limit: int,
    scope: ColumnElement[bool],
) -> list[AmazonReimbursementClaim]:
    """Claims within `scope` (the reader's seller accounts), the oldest return first (the
    nearest to Amazon's deadline for claims)."""
    claim = AmazonReimbursementClaim
    query = select(claim).where(scope).order_by(claim.returned_at, claim.claim_id).limit(limit)
    query = narrowed(
        query, claim, Channel.AMAZON, state=state and state.value, seller=seller,
        account=account, case_id=case_id,
    )  # fmt: skip
    return list(await session.scalars(query))


async def agent_moves(
    session: AsyncSession,
    service: Service,
    claim: AmazonReimbursementClaim,
    action: str,
    agent: str,
    note: str,
    now: datetime,
    **values: Any,
) -> AmazonReimbursementClaim:
    """An agent says what became of the claim (`file`, `settle`, `reject`); raises
    IllegalTransition for a move its state does not allow. `claim` is locked."""
    transition = claims.move(ClaimState(claim.state), action, claim.claim_id)
    if transition.state.value == claim.state:
        return claim  # said before: nothing changes
    claim.state = transition.state.value
    claim.updated_by = agent
    claim.note = note or claim.note
    if action == "file":
        claim.filed_at = now
    else:
        claim.settled_at = now
    for name, value in values.items():
        if value is not None:
            setattr(claim, name, value)
    session.add(claim)
    count(service, transition.state, claim.market)
    return claim
