"""The Amazon returns reports, polled per account and report type
(`workflows/amazon_reports.py`): every few seconds the authorised accounts are scheduled,
and each poll that is due takes its next step."""

import time

from services.intake.tables import AmazonReportPoll
from services.intake.workflows import amazon_reports
from services.intake.workflows.context import Intake
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now

# How often the accounts are looked at for new or newly authorised ones.
SCHEDULE_SECONDS = 5.0


class AmazonReportsWorker(LeasedWork[AmazonReportPoll]):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self._scheduled_at = float("-inf")
        super().__init__(
            "intake amazon reports",
            amazon_reports.POLLS_CHANNEL,
            intake.service,
            AmazonReportPoll,
            self.take_step,
            pending=amazon_reports.SCHEDULED,
            batch=10,
        )

    async def work_once(self) -> bool:
        if time.monotonic() - self._scheduled_at >= SCHEDULE_SECONDS:
            self._scheduled_at = time.monotonic()
            await amazon_reports.schedule_accounts(self.intake, utc_now())
        return await super().work_once()

    async def take_step(self, polled: AmazonReportPoll) -> None:
        values = await amazon_reports.poll(self.intake, polled, utc_now())
        await amazon_reports.settle(self.intake, polled, values)
