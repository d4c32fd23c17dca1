"""Amazon FBA units follow their case: each returns report's word on a unit (its
disposition, Amazon's status) recorded for the case, and what it calls for owed in the same
transaction (`domain/fba_units.py`): a removal order to a local warehouse, a reimbursement
claim, nothing, or an agent's decision.

A report's word arrives with the delivery that opens the unit's case, and again as a
delivery of its own whenever a report says something new (`channels/amazon/reports.py`:
`unit_deliveries`); the newest report counts, an older one changes nothing. A unit whose
disposition intake does not know is kept as Amazon wrote it and waits for an agent
(`GET /amazon/fba-units?outcome=agent`, `POST /amazon/fba-units/{account}/{plate}/decision`),
counted by `amazon.fba_units_for_agents`.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.case import Channel, FbaUnitFound
from services.intake.domain.fba_units import (
    DECIDABLE,
    FOLLOW_UPS,
    WORDS,
    Outcome,
    moves_on,
    note_of,
    outcome_of,
)
from services.intake.tables import AmazonFbaUnit, CaseRecord
from services.intake.workflows import reimbursement_claims, removal_orders
from services.intake.workflows.accounts import narrowed
from shared.lifecycle import IllegalTransition
from shared.service import Service

FOR_AGENTS = "amazon.fba_units_for_agents"


async def record_unit(
    session: AsyncSession, service: Service, case: CaseRecord, found: FbaUnitFound, now: datetime
) -> str | None:
    """Keep what the report says of the case's unit and owe what it calls for; the note for
    the case's timeline, or None when the report says nothing new."""
    table = AmazonFbaUnit.__table__
    known = (
        await session.execute(
            select(table.c.disposition, table.c.amazon_status, table.c.seen_at)
            .where(
                table.c.account == found.seller_account,
                table.c.license_plate == found.license_plate,
            )
            .with_for_update()
        )
    ).first()
    before = None if known is None else tuple(known)
    if not moves_on(before, found.disposition, found.amazon_status, found.seen_at):
        return None
    outcome = outcome_of(found.disposition, found.amazon_status)
    values = {
        "case_id": case.case_id,
        "order_id": found.order_id,
        "sku": found.sku,
        "fnsku": found.fnsku,
        "asin": found.asin,
        "quantity": found.quantity,
        "market": case.market,
        "fulfillment_center": found.fulfillment_center,
        "disposition": found.disposition,
        "amazon_status": found.amazon_status,
        "outcome": outcome.value,
        "decided_by": None,
        "decision_note": None,
        "returned_at": found.returned_at,
        "seen_at": found.seen_at,
        "updated_at": now,
    }
    statement = insert(table).values(
        account=found.seller_account, license_plate=found.license_plate, **values
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["account", "license_plate"], set_=values)
    )
    unit = AmazonFbaUnit(account=found.seller_account, license_plate=found.license_plate, **values)
    await follow_up(session, service, case, unit, outcome, now)
    if outcome is Outcome.AGENT:
        service.counter(FOR_AGENTS, "FBA units whose disposition an agent decides").add(
            1, {"market": case.market}
        )
    return note_of(found.fulfillment_center, found.disposition, found.amazon_status)


async def follow_up(
    session: AsyncSession,
    service: Service,
    case: CaseRecord,
    unit: AmazonFbaUnit,
    outcome: Outcome,
    now: datetime,
) -> None:
    """Owe, drop or settle the unit's removal order and reimbursement claim."""
    follow = FOLLOW_UPS[outcome]
    why = f"the unit is {unit.disposition or 'not graded'} ({unit.amazon_status}): {WORDS[outcome]}"
    if follow.removal == "owe":
        await removal_orders.owe(session, case, unit)
    elif follow.removal == "drop":
        await removal_orders.drop(session, case.case_id, why)
    if follow.claim == "owe":
        await reimbursement_claims.owe(session, service, case, unit)
    elif follow.claim == "drop":
        await reimbursement_claims.drop(session, case.case_id, why)
    elif follow.claim == "settle":
        await reimbursement_claims.settled_by_amazon(session, service, case.case_id, why, now)


async def decide(
    session: AsyncSession,
    service: Service,
    unit: AmazonFbaUnit,
    outcome: Outcome,
    agent: str,
    note: str,
    now: datetime,
) -> AmazonFbaUnit:
    """An agent's decision for a unit whose disposition intake does not know: what it calls
    for. Raises IllegalTransition for a unit not waiting for one. `unit` is locked."""
    if unit.outcome != Outcome.AGENT.value:
        raise IllegalTransition(
            f"unit {unit.license_plate} is {unit.outcome}: only a unit whose disposition "
            "intake does not know waits for an agent's decision"
        )
    if outcome not in DECIDABLE:
        raise IllegalTransition(f"an agent decides one of {sorted(DECIDABLE)}, not {outcome}")
    case = await session.get(CaseRecord, unit.case_id)
    unit.outcome = outcome.value
    unit.decided_by = agent
    unit.decision_note = note
    unit.updated_at = now
    session.add(unit)
    await follow_up(session, service, case, unit, outcome, now)
    return unit


async def listed(
    session: AsyncSession,
    outcome: Outcome | None,
    seller: str | None,
    account: str | None,
    case_id: str | None,
    limit: int,
    scope: ColumnElement[bool],
) -> list[AmazonFbaUnit]:
    """Units within `scope` (the reader's seller accounts), the latest word first."""
    unit = AmazonFbaUnit
    query = select(unit).where(scope).order_by(unit.seen_at.desc(), unit.license_plate).limit(limit)
    query = narrowed(
        query, unit, Channel.AMAZON, outcome=outcome and outcome.value, seller=seller,
        account=account, case_id=case_id,
    )  # fmt: skip
    return list(await session.scalars(query))
