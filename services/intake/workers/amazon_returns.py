"""Amazon returns waiting for their orders (`workflows/amazon_returns.py`): each claimed
one reads its order and stores the delivery that opens its case.

An Orders API that is down or throttling leaves the return waiting, tried again after a
growing pause (at least what Amazon asked for), with the cause kept; an order Amazon will
not show, or rows that cannot make a case, fail the return with the cause, listed at
`GET /amazon/returns?state=failed`.
"""

import logging

from sqlalchemy import update

from services.intake.tables import AmazonReturnRows
from services.intake.workflows.amazon_returns import (
    FAILED,
    OPENED,
    RETURNS_CHANNEL,
    WAITING,
    ReturnRefused,
    open_return,
    pause_after,
)
from services.intake.workflows.context import Intake
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable

log = logging.getLogger(__name__)


class AmazonReturnsWorker(LeasedWork[AmazonReturnRows]):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        super().__init__(
            "intake amazon returns",
            RETURNS_CHANNEL,
            intake.service,
            AmazonReturnRows,
            self.open_case,
            pending=WAITING,
            batch=20,
        )

    async def open_case(self, row: AmazonReturnRows) -> None:
        values: dict
        try:
            await open_return(self.intake, row)
            values = {"state": OPENED, "error": None}
        except Unavailable as error:
            when = pause_after(row.attempts, error.retry_after, utc_now())
            values = {"state": WAITING, "error": str(error), "next_attempt_at": when}
        except (Refused, ReturnRefused) as error:
            log.warning("amazon return %s of %s failed: %s", row.return_key, row.account, error)
            values = {"state": FAILED, "error": str(error)}
        table = AmazonReturnRows.__table__
        async with self.service.engine.begin() as connection:
            await connection.execute(
                update(table)
                .where(table.c.account == row.account, table.c.return_key == row.return_key)
                .values(**values)
            )
