"""Dispatch tasks pushed to a warehouse's own system by signed webhook.

A task's delivery is written in the transaction that creates the task (so none is lost
and none is sent for a task that rolled back), then sent by a worker with retries and
backoff. Each attempt is logged. The signature follows Standard Webhooks
(`webhook-id`, `webhook-timestamp`, `webhook-signature`), with a secret per endpoint;
`webhook-id` is the same on every retry, so the receiver can drop duplicates.
"""

import base64
import logging
import secrets
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession
from standardwebhooks.webhooks import Webhook

from services.fulfillment.tables import DeliveryAttempt, WarehouseDelivery, WarehouseEndpoint
from shared.events import DispatchRequested, Envelope
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.service import Service
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

DELIVERIES_CHANNEL = "warehouse_deliveries_due"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, delivery_id: str, body: str, now: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, now.astimezone(UTC), body),
    }


async def push_task(session: AsyncSession, task: DispatchRequested, now: datetime) -> None:
    """Owe a delivery of the task when its warehouse has a registered endpoint."""
    endpoint = await session.get(WarehouseEndpoint, task.warehouse)
    if endpoint is None:
        return
    envelope = Envelope.wrap(task)
    await session.execute(
        insert(WarehouseDelivery)
        .values(
            delivery_id=envelope.id,
            warehouse=task.warehouse,
            url=endpoint.url,
            case_id=task.case_id,
            body=envelope.model_dump_json(),
            state="pending",
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


class DeliveryWorker(LeasedWork[WarehouseDelivery]):
    """Sends owed deliveries; a 2xx delivers, anything else is tried again later."""

    def __init__(self, service: Service, client: httpx.AsyncClient) -> None:
        self.client = client
        self.max_attempts = service.settings.warehouse_webhook_max_attempts
        super().__init__(
            "warehouse webhooks", DELIVERIES_CHANNEL, service, WarehouseDelivery, self._send
        )

    async def _send(self, delivery: WarehouseDelivery) -> None:
        async with self.service.sessions() as session:
            endpoint = await session.get(WarehouseEndpoint, delivery.warehouse)
        if endpoint is None:
            await self._finish(delivery, "cancelled", None, "the endpoint was removed", 0)
            return
        status, error, took_ms = await self._post(delivery, endpoint)
        if status is not None and 200 <= status < 300:
            await self._finish(delivery, "delivered", status, None, took_ms)
        elif delivery.attempts >= self.max_attempts:
            log.warning("webhook %s to %s failed for good", delivery.delivery_id, delivery.url)
            await self._finish(delivery, "failed", status, error, took_ms)
        else:
            await self._finish(delivery, "pending", status, error, took_ms)

    async def _post(
        self, delivery: WarehouseDelivery, endpoint: WarehouseEndpoint
    ) -> tuple[int | None, str | None, int]:
        headers = signed_headers(endpoint.secret, delivery.delivery_id, delivery.body, utc_now())
        started = time.perf_counter()
        try:
            answer = await self.client.post(endpoint.url, content=delivery.body, headers=headers)
        except httpx.HTTPError as failure:
            return None, f"{failure.__class__.__name__}: {failure}", _ms_since(started)
        error = None if answer.is_success else f"HTTP {answer.status_code}: {answer.text[:200]}"
        return answer.status_code, error, _ms_since(started)

    async def _finish(
        self,
        delivery: WarehouseDelivery,
        state: str,
        status: int | None,
        error: str | None,
        took_ms: int,
    ) -> None:
        now = utc_now()
        values: dict[str, object] = {"state": state}
        if state == "delivered":
            values["delivered_at"] = now
        if state == "pending":
            values["next_attempt_at"] = now + retry_pause(delivery.attempts)
        async with self.service.transaction() as session:
            session.add(
                DeliveryAttempt(
                    delivery_id=delivery.delivery_id,
                    attempt=delivery.attempts,
                    at=now,
                    status_code=status,
                    error=error,
                    duration_ms=took_ms,
                )
            )
            await session.execute(
                update(WarehouseDelivery)
                .where(WarehouseDelivery.delivery_id == delivery.delivery_id)
                .values(**values)
            )


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def delivery_log(session: AsyncSession, warehouse: str, limit: int = 100) -> list[dict]:
    """The warehouse's latest deliveries, each with its attempts, newest first."""
    deliveries = list(
        await session.scalars(
            select(WarehouseDelivery)
            .where(WarehouseDelivery.warehouse == warehouse)
            .order_by(WarehouseDelivery.created_at.desc())
            .limit(limit)
        )
    )
    attempts = await session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_([d.delivery_id for d in deliveries]))
        .order_by(DeliveryAttempt.id)
    )
    by_delivery: dict[str, list[dict]] = {}
    for attempt in attempts:
        by_delivery.setdefault(attempt.delivery_id, []).append(
            attempt.model_dump(exclude={"id", "delivery_id"})
        )
    return [
        delivery.model_dump(exclude={"body"}) | {"log": by_delivery.get(delivery.delivery_id, [])}
        for delivery in deliveries
    ]
