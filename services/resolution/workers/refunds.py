"""Pays pending refunds through the refund API (intake's, which pays each through the case's
marketplace), retrying with the same key.

A refund the marketplace refuses, or that stays unavailable `refund_max_attempts` times,
is refused: the case goes to an agent with the reason (`workflows/refunding.py`).
"""

import logging

from services.resolution.adapters.marketplace_refunds import MarketplaceRefunds
from services.resolution.domain.refunds import RefundState
from services.resolution.tables import Refund
from services.resolution.workers.backoff import pause_after
from services.resolution.workflows import refunding
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.outbound import OutboundError, Refused, Unavailable
from shared.service import Service

log = logging.getLogger(__name__)

REFUNDS_CHANNEL = refunding.DUE_CHANNEL


class RefundWorker(LeasedWork[Refund]):
    def __init__(self, service: Service, refunds: MarketplaceRefunds) -> None:
        self.refunds = refunds
        super().__init__(
            "refund worker",
            REFUNDS_CHANNEL,
            service,
            Refund,
            self._pay,
            pending=RefundState.PENDING,
            poll_seconds=service.settings.resolution_poll_seconds,
        )

    async def _pay(self, refund: Refund) -> None:
        try:
            receipt = await self.refunds.issue(refunding.request_of(refund))
        except Unavailable as failure:
            await self._retry_later(refund, failure)
        except Refused as refusal:
            await self._refused(refund, refusal)
        else:
            async with (
                self.service.transaction() as session,
                self.service.case_span(session, refund.case_id, "refund.issue"),
            ):
                await refunding.issued(session, refund, receipt, utc_now())

    async def _retry_later(self, refund: Refund, failure: Unavailable) -> None:
        if refund.attempts >= self.service.settings.refund_max_attempts:
            await self._refused(refund, failure)
            return
        at = utc_now() + pause_after(refund.attempts, failure)
        async with self.service.transaction() as session:
            await refunding.retry_later(session, refund, at, str(failure))

    async def _refused(self, refund: Refund, failure: OutboundError) -> None:
        log.warning("refund %s for case %s refused: %s", refund.refund_id, refund.case_id, failure)
        self.service.counter("refunds.refused", "refunds an agent must look at").add(1)
        async with (
            self.service.transaction() as session,
            self.service.case_span(session, refund.case_id, "refund.refused"),
        ):
            await refunding.refused(session, refund, str(failure), utc_now())
