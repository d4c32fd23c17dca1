"""Dispatch tasks pushed to warehouses' own systems: the endpoints they register, each
task's delivery owed, the attempts the delivery worker makes, and their log.

A task's delivery is written in the transaction that creates the task, so none is lost
and none is sent for a task that rolled back. Each attempt is logged with what the
warehouse answered.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.adapters.warehouse_webhooks import new_secret
from services.fulfillment.domain.warehouse_deliveries import DELIVERED, PENDING, DeliveryState
from services.fulfillment.tables import DeliveryAttempt, WarehouseDelivery, WarehouseEndpoint
from shared.events import DispatchRequested, Envelope
from shared.messaging_tables import utc_now
from shared.service import Service
from shared.wakeup import retry_pause

DELIVERIES_CHANNEL = "warehouse_deliveries_due"  # the delivery worker's wake-up


@dataclass(frozen=True)
class Attempt:
    """One try at a delivery: the warehouse's HTTP status (None: no answer), why it failed."""

    status_code: int | None
    error: str | None
    duration_ms: int


async def register(session: AsyncSession, warehouse: str, url: str) -> WarehouseEndpoint:
    """The warehouse's endpoint at `url`, with its signing secret; registering again moves
    it and keeps the secret."""
    return await session.scalar(
        insert(WarehouseEndpoint)
        .values(warehouse=warehouse, url=url, secret=new_secret(), registered_at=utc_now())
        .on_conflict_do_update(index_elements=[WarehouseEndpoint.warehouse], set_={"url": url})
        .returning(WarehouseEndpoint)
    )


async def unregister(session: AsyncSession, warehouse: str) -> bool:
    """False when the warehouse had no endpoint."""
    endpoint = await session.get(WarehouseEndpoint, warehouse)
    if endpoint is None:
        return False
    await session.delete(endpoint)
    return True


async def owe_delivery(
    session: AsyncSession, task: DispatchRequested, seller_account: str, now: datetime
) -> None:
    """Owe a delivery of the task (the seller account's) when its warehouse has a
    registered endpoint."""
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
            seller_account=seller_account,
            body=envelope.model_dump_json(),
            state=PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


async def record_attempt(
    service: Service, delivery: WarehouseDelivery, state: DeliveryState, attempt: Attempt
) -> None:
    """The attempt in the log, and the delivery in `state` (still pending: tried again
    after a pause that grows with the attempts)."""
    now = utc_now()
    values: dict[str, object] = {"state": state, "error": attempt.error}
    if state is DELIVERED:
        values["delivered_at"] = now
    if state is PENDING:
        values["next_attempt_at"] = now + retry_pause(delivery.attempts)
    async with service.transaction() as session:
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.delivery_id,
                attempt=delivery.attempts,
                at=now,
                status_code=attempt.status_code,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
            )
        )
        await session.execute(
            update(WarehouseDelivery)
            .where(WarehouseDelivery.delivery_id == delivery.delivery_id)
            .values(**values)
        )


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
