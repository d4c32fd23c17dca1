"""Sends the removal orders owed for unsellable FBA units to Amazon, one step per claim of
each (`workflows/removal_orders.py`): the feed, then a look at it until Amazon processed it,
or a read-back of Amazon's removal order detail report before anything is sent again."""

from services.intake.tables import AmazonRemovalOrder
from services.intake.workflows import removal_orders
from services.intake.workflows.context import Intake
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now


class RemovalOrderWorker(LeasedWork[AmazonRemovalOrder]):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        super().__init__(
            "intake amazon removal orders",
            removal_orders.REMOVAL_ORDERS_CHANNEL,
            intake.service,
            AmazonRemovalOrder,
            self.take_step,
            pending=removal_orders.RemovalState.OWED.value,
            batch=10,
        )

    async def take_step(self, order: AmazonRemovalOrder) -> None:
        values = await removal_orders.take_step(self.intake, order, utc_now())
        await removal_orders.settle(self.intake, order, values)
