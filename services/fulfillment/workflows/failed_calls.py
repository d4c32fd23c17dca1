"""Fulfillment's failed outgoing calls (`shared/failed_calls.py`): the labels the carrier
would not sell (EasyPost refused the purchase: an address it cannot ship to, an account
without funds, no service for the parcel) and the dispatch tasks a warehouse's own system
never took, listed with their cause, retried or discarded with the reason, one by one or by
kind, cause and time owed, within the caller's sellers.

- `carrier_label`: retried = owed again, due now, its tries counted afresh (the label
  worker buys it at its next turn, reading back a shipment an earlier try may have
  bought); discarded = given up (`void_owed`: the void worker voids it at once when nothing
  was bought), "discarded by <who>: <reason>" kept as its cause.
- `warehouse_delivery`: a dispatch task's signed webhook the warehouse refused or never
  answered after the last attempt (its log at `/warehouses/{code}/webhook/deliveries`).
  Retried = pending again, due now, its tries counted afresh (the delivery worker sends it
  at once, to the warehouse's endpoint as registered then); discarded = `discarded`, the
  warehouse's staff told some other way, "discarded by <who>: <reason>" kept as its cause.

What fulfillment waits for an operator on is counted per kind as the gauge of
`shared/recovery.py`.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy import text as sql
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain import carrier_labels
from services.fulfillment.domain import warehouse_deliveries as delivery_states
from services.fulfillment.domain.carrier_labels import FAILED
from services.fulfillment.tables import CarrierLabel, WarehouseDelivery
from services.fulfillment.workflows import labelling
from services.fulfillment.workflows.warehouse_deliveries import DELIVERIES_CHANNEL
from shared.failed_calls import FailedCallKind, FailedCalls, moved_by
from shared.lifecycle import IllegalTransition
from shared.messaging_tables import utc_now

LABELS = CarrierLabel.__table__
DELIVERIES = WarehouseDelivery.__table__


async def retry_label(
    session: AsyncSession, reference: str, scope: ColumnElement[bool]
) -> str | None:
    row = await session.scalar(
        select(CarrierLabel).where(CarrierLabel.reference == reference, scope).with_for_update()
    )
    if row is None:
        return None
    return (await labelling.owe_again(session, row)).state


async def discard_label(session: AsyncSession, row: Mapping[str, Any], note: str) -> str:
    reference = row["reference"]
    if row["state"] != FAILED:
        raise IllegalTransition(f"label {reference} is {row['state']}, not failed")
    await labelling.give_up(session, reference)
    label = await session.get(CarrierLabel, reference)
    assert label is not None
    label.cause = note
    session.add(label)
    return carrier_labels.give_up(FAILED, reference).value


def label_bought_for(row: Mapping[str, Any]) -> str:
    return f"{row['kind']} label via {row['carrier'] or 'the carrier'} from {row['warehouse']}"


async def retry_delivery(
    session: AsyncSession, delivery_id: str, scope: ColumnElement[bool]
) -> str | None:
    row = await session.scalar(
        select(WarehouseDelivery)
        .where(WarehouseDelivery.delivery_id == delivery_id, scope)
        .with_for_update()
    )
    if row is None:
        return None
    row.state = delivery_states.retry(row.state, delivery_id).state
    row.attempts, row.next_attempt_at = 0, utc_now()
    session.add(row)
    await session.execute(sql("SELECT pg_notify(:channel, '')"), {"channel": DELIVERIES_CHANNEL})
    return row.state


def task_delivered_to(row: Mapping[str, Any]) -> str:
    return f"dispatch task to warehouse {row['warehouse']}'s system"


FAILED_CALLS = FailedCalls(
    {
        "carrier_label": FailedCallKind(
            LABELS,
            "reference",
            "created_at",
            retry_label,
            discard_label,
            label_bought_for,
            account="seller_account",
            cause="cause",
            channel=None,
        ),
        "warehouse_delivery": FailedCallKind(
            DELIVERIES,
            "delivery_id",
            "created_at",
            retry_delivery,
            moved_by(
                DELIVERIES, "delivery_id", delivery_states.discard, delivery_states.DeliveryState
            ),
            task_delivered_to,
            account="seller_account",
            channel=None,
        ),
    }
)

WAITING_QUEUES = (FAILED_CALLS.waiting_queue(),)
