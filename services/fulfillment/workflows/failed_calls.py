"""Fulfillment's failed outgoing calls (`shared/failed_calls.py`): the labels the carrier
would not sell (EasyPost refused the purchase: an address it cannot ship to, an account
without funds, no service for the parcel), listed with their cause, retried or discarded
with the reason, one by one or by kind, cause and time owed, within the caller's sellers.

- `carrier_label`: retried = owed again, due now, its tries counted afresh (the label
  worker buys it at its next turn, reading back a shipment an earlier try may have
  bought); discarded = given up (`void_owed`: the void worker voids it at once when nothing
  was bought), "discarded by <who>: <reason>" kept as its cause.

What fulfillment waits for an operator on is counted per kind as the gauge of
`shared/recovery.py`: failed labels, and failed calls to the warehouses (dispatch requests
not delivered, `warehouse_delivery`, seen at `/warehouses/{code}/webhook/deliveries`).
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain import carrier_labels
from services.fulfillment.domain.carrier_labels import FAILED
from services.fulfillment.tables import CarrierLabel, WarehouseDelivery
from services.fulfillment.workflows import labelling
from shared.failed_calls import FailedCallKind, FailedCalls
from shared.lifecycle import IllegalTransition

LABELS = CarrierLabel.__table__


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
    },
    counted_only={"warehouse_delivery": (WarehouseDelivery.__table__, "failed")},
)

WAITING_QUEUES = (FAILED_CALLS.waiting_queue(),)
