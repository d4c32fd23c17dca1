"""Refunds: owed in the transaction that decides them, paid by a worker afterwards.

The refund id is derived from the case and the remedy, and it is the idempotency key the
marketplace sees: a redelivered event owes nothing new (same primary key), and a worker
that dies after paying but before recording pays nothing new when it retries (same key).
"""

import logging
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution import timekeeping
from services.resolution.marketplace_refunds import (
    MarketplaceRefunds,
    RefundNotYetIssued,
    RefundReceipt,
    RefundRefused,
    RefundRequest,
)
from services.resolution.tables import CaseDecision, Refund
from shared.events import RefundIssued, Remedy, ResolutionHeldForAgent, Scenario
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.outbox import emit
from shared.service import Service
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

REFUNDS_CHANNEL = "refunds_due"


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
        "state": "pending",
    }
    await session.execute(insert(Refund).values(row).on_conflict_do_nothing())


class RefundWorker(LeasedWork[Refund]):
    """Pays pending refunds through the marketplace, retrying with the same key."""

    def __init__(self, service: Service, client: httpx.AsyncClient) -> None:
        self.refunds = MarketplaceRefunds(client)
        super().__init__("refund worker", REFUNDS_CHANNEL, service, Refund, self._pay)

    async def _pay(self, refund: Refund) -> None:
        try:
            receipt = await self.refunds.issue(request_of(refund))
        except RefundNotYetIssued as failure:
            await self._retry_later(refund, failure)
        except RefundRefused as refusal:
            await self._refused(refund, refusal)
        else:
            await self._issued(refund, receipt)

    async def _issued(self, refund: Refund, receipt: RefundReceipt) -> None:
        now = utc_now()
        async with (
            self.service.transaction() as session,
            self.service.case_span(session, refund.case_id, "refund.issue"),
        ):
            await set_refund(
                session,
                refund.refund_id,
                state="issued",
                marketplace_refund_id=receipt.marketplace_refund_id,
                issued_at=now,
                error=None,
            )
            await emit(session, issued_event(refund, receipt, now))
            await timekeeping.stop_clocks(session, refund.case_id, ("refund",), now)
            record = await session.get(CaseDecision, refund.case_id)
            if record is not None and record.scenario == Scenario.QUALITY_DEFECT.value:
                await timekeeping.start_follow_up(session, record, now)

    async def _retry_later(self, refund: Refund, failure: RefundNotYetIssued) -> None:
        if refund.attempts >= self.service.settings.refund_max_attempts:
            await self._refused(refund, failure)
            return
        pause = retry_pause(refund.attempts)
        if failure.retry_after is not None:
            pause = max(pause, timedelta(seconds=failure.retry_after))
        async with self.service.transaction() as session:
            await set_refund(
                session, refund.refund_id, next_attempt_at=utc_now() + pause, error=str(failure)
            )

    async def _refused(self, refund: Refund, failure: Exception) -> None:
        """Never paid as asked: the case goes to an agent with the marketplace's reason."""
        log.warning("refund %s for case %s refused: %s", refund.refund_id, refund.case_id, failure)
        self.service.counter("refunds.refused", "refunds an agent must look at").add(1)
        async with (
            self.service.transaction() as session,
            self.service.case_span(session, refund.case_id, "refund.refused"),
        ):
            await set_refund(session, refund.refund_id, state="refused", error=str(failure))
            record = await session.get(CaseDecision, refund.case_id, with_for_update=True)
            if record is not None:
                record.state = "held"
                session.add(record)
            finding = f"refund of {refund.amount_minor} {refund.currency} refused: {failure}"
            await emit(
                session,
                ResolutionHeldForAgent(
                    case_id=refund.case_id,
                    remedy=Remedy(refund.remedy),
                    findings=[finding],
                    at=utc_now(),
                ),
            )


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
