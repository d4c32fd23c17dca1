"""Refunds: owed in the transaction that decides them, paid by a worker afterwards
(`workers/refunds.py`), which records here what the marketplace answered.

The refund id is derived from the case and the remedy, and it is the idempotency key the
marketplace sees: a redelivered event owes nothing new (same primary key), and a worker
that dies after paying but before recording pays nothing new when it retries (same key).
"""

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy import text as sql
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.adapters.marketplace_refunds import RefundReceipt, RefundRequest
from services.resolution.domain import refunds
from services.resolution.domain.clocks import ClockName
from services.resolution.domain.refunds import RefundState
from services.resolution.tables import CaseDecision, Refund
from services.resolution.workflows import cases, timekeeping
from shared.batch_writes import insert_later
from shared.events import RefundIssued, Remedy, Scenario
from shared.messaging_tables import utc_now
from shared.outbox import emit_all

DUE_CHANNEL = "refunds_due"  # what wakes the refund worker (`workers/refunds.py`)


def refund_id_of(case_id: str, remedy: Remedy) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/refund/{remedy.value}"))


async def owe_refund(
    session: AsyncSession, record: CaseDecision, remedy: Remedy, amount_minor: int
) -> None:
    if amount_minor <= 0:
        return
    row = {
        "refund_id": refund_id_of(record.case_id, remedy),
        "case_id": record.case_id,
        "marketplace": record.marketplace,
        "seller_account": record.seller_account,
        "order_id": record.order_id,
        "return_id": record.return_id,
        "remedy": remedy.value,
        "amount_minor": amount_minor,
        "currency": record.currency,
        "state": RefundState.PENDING,
    }
    # A batch's refunds go in with one statement at its end.
    await insert_later(session, Refund.__table__, row, skip_existing=True)


async def issued(
    session: AsyncSession, refund: Refund, receipt: RefundReceipt, now: datetime
) -> None:
    """Paid: the refund clock stops; a quality defect's follow-up call is due."""
    transition = refunds.issue(RefundState(refund.state), issued_event(refund, receipt, now))
    await set_refund(
        session,
        refund.refund_id,
        state=transition.state,
        marketplace_refund_id=receipt.marketplace_refund_id,
        issued_at=now,
        error=None,
    )
    await emit_all(session, transition.events)
    await timekeeping.stop_clocks(session, refund.case_id, (ClockName.REFUND,), now)
    record = await session.get(CaseDecision, refund.case_id)
    if record is not None and record.scenario == Scenario.QUALITY_DEFECT:
        await timekeeping.start_follow_up(session, record, now)


async def refused(session: AsyncSession, refund: Refund, why: str, now: datetime) -> None:
    """Never paid as asked: the case goes to an agent with the marketplace's reason."""
    transition = refunds.refuse(RefundState(refund.state), refund.refund_id)
    await set_refund(session, refund.refund_id, state=transition.state, error=why)
    record = await session.get(CaseDecision, refund.case_id, with_for_update=True)
    if record is not None:
        finding = f"refund of {refund.amount_minor} {refund.currency} refused: {why}"
        await cases.hold(session, record, [finding], now, Remedy(refund.remedy))


async def retry_later(session: AsyncSession, refund: Refund, at: datetime, why: str) -> None:
    await set_refund(session, refund.refund_id, next_attempt_at=at, error=why)


async def retry(session: AsyncSession, refund_id: str, scope: ColumnElement[bool]) -> Refund | None:
    """An agent's retry of a refused refund, its cause fixed: owed again, due now, its tries
    counted afresh (when intake refused it too, intake's refund is asked again first). None:
    no such refund within `scope` (the agent's seller accounts)."""
    refund = await session.scalar(
        select(Refund).where(Refund.refund_id == refund_id, scope).with_for_update()
    )
    if refund is None:
        return None
    moved = refunds.retry(RefundState(refund.state), refund_id).state
    if moved != refund.state:
        refund.state, refund.attempts, refund.next_attempt_at = moved, 0, utc_now()
        session.add(refund)
        await session.execute(sql("SELECT pg_notify(:c, '')"), {"c": DUE_CHANNEL})
    return refund


def request_of(refund: Refund) -> RefundRequest:
    return RefundRequest(
        refund_id=refund.refund_id,
        case_id=refund.case_id,
        marketplace=refund.marketplace,
        seller_account=refund.seller_account,
        order_id=refund.order_id,
        return_id=refund.return_id,
        amount_minor=refund.amount_minor,
        currency=refund.currency,
        reason=refund.remedy,
    )


def issued_event(refund: Refund, receipt: RefundReceipt, now: datetime) -> RefundIssued:
    return RefundIssued(
        case_id=refund.case_id,
        refund_id=refund.refund_id,
        marketplace=refund.marketplace,
        marketplace_refund_id=receipt.marketplace_refund_id,
        amount_minor=refund.amount_minor,
        currency=refund.currency,
        remedy=Remedy(refund.remedy),
        at=now,
    )


async def set_refund(session: AsyncSession, refund_id: str, **values: object) -> None:
    table = Refund.__table__
    await session.execute(update(table).where(table.c.refund_id == refund_id).values(**values))
