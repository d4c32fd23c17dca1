"""FBA refunds read from the Finances API per account and followed until their unit comes
back (`workflows/fba_refunds.py`): every few seconds the authorised accounts are scheduled,
and each account's poll that is due reads its window and settles its open refunds."""

import time

from services.intake.tables import AmazonRefundPoll
from services.intake.workflows import fba_refunds
from services.intake.workflows.context import Intake
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now

# How often the accounts are looked at for new or newly authorised ones.
SCHEDULE_SECONDS = 5.0


class FbaRefundsWorker(LeasedWork[AmazonRefundPoll]):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self._scheduled_at = float("-inf")
        super().__init__(
            "intake amazon fba refunds",
            fba_refunds.POLLS_CHANNEL,
            intake.service,
            AmazonRefundPoll,
            self.take_step,
            pending=fba_refunds.SCHEDULED,
            batch=10,
        )

    async def work_once(self) -> bool:
        if time.monotonic() - self._scheduled_at >= SCHEDULE_SECONDS:
            self._scheduled_at = time.monotonic()
            await fba_refunds.schedule_accounts(self.intake, utc_now())
        return await super().work_once()

    async def take_step(self, polled: AmazonRefundPoll) -> None:
        values = await fba_refunds.poll(self.intake, polled, utc_now())
        await fba_refunds.settle(self.intake, polled, values)
