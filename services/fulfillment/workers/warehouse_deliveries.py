"""The worker that sends owed task deliveries to warehouses' own systems, with retries and
backoff, until one is taken or the last attempt is made."""

import logging
import time

from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.domain.warehouse_deliveries import (
    FAILED,
    PENDING,
    after_attempt,
    cancel,
)
from services.fulfillment.tables import WarehouseDelivery, WarehouseEndpoint
from services.fulfillment.workflows.warehouse_deliveries import (
    DELIVERIES_CHANNEL,
    Attempt,
    record_attempt,
)
from shared.leases import LeasedWork
from shared.outbound import OutboundError
from shared.service import Service

log = logging.getLogger(__name__)


class DeliveryWorker(LeasedWork[WarehouseDelivery]):
    """Sends owed deliveries; a 2xx delivers, anything else is tried again later."""

    def __init__(self, service: Service, webhooks: WarehouseWebhooks) -> None:
        self.webhooks = webhooks
        self.max_attempts = service.settings.warehouse_webhook_max_attempts
        super().__init__(
            "warehouse webhooks",
            DELIVERIES_CHANNEL,
            service,
            WarehouseDelivery,
            self._send,
            pending=PENDING,
        )

    async def _send(self, delivery: WarehouseDelivery) -> None:
        async with self.service.sessions() as session:
            endpoint = await session.get(WarehouseEndpoint, delivery.warehouse)
        if endpoint is None:
            removed = Attempt(None, "the endpoint was removed", 0)
            await record_attempt(self.service, delivery, cancel(delivery.state).state, removed)
            return
        attempt = await self._post(delivery, endpoint)
        taken = attempt.error is None
        moved = after_attempt(delivery.state, taken, delivery.attempts, self.max_attempts)
        if moved.state is FAILED:
            log.warning("webhook %s to %s failed for good", delivery.delivery_id, endpoint.url)
        await record_attempt(self.service, delivery, moved.state, attempt)

    async def _post(self, delivery: WarehouseDelivery, endpoint: WarehouseEndpoint) -> Attempt:
        started = time.perf_counter()
        try:
            status = await self.webhooks.send(
                endpoint.url, endpoint.secret, delivery.delivery_id, delivery.body
            )
        except OutboundError as failure:
            return Attempt(failure.status, failure.reason, _ms_since(started))
        return Attempt(status, None, _ms_since(started))


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
