"""Intake's failed outgoing calls (`shared/failed_calls.py`), for an operator: the messages
to buyers, the return actions on the marketplaces (refunds, labels, receipts) and the
refunds the refund protocol asked the marketplaces for, that failed — refused, or
unavailable after every try — listed with their cause, retried or discarded with the
reason, one by one or all of a kind, a cause and a time owed. Each read and change is kept
to the caller's seller accounts.

- `message`: retried = queued again, now; discarded = `not_sent` (`domain/outgoing_messages.py`);
- `return_action`: retried = owed again, now; discarded = `dropped`, a later decision of
  the case may owe it again (`domain/return_actions.py`);
- `refund`: one the marketplace refused (`domain/refunds.py`). Retried = asked again, for
  resolution's next try of the same key to pay it (resolution's refused refund is retried
  on resolution's `/failed-calls` once intake's is); discarded = `discarded`: asked again by
  resolution, it answers refused with the reason.
- `removal_order`: an Amazon removal order of an unsellable FBA unit that Amazon refused, or
  that was unavailable too many times in a row (`domain/removal_orders.py`). Retried = owed
  again, now, its worker woken (Amazon read back first if a try may have reached it; also
  `/amazon/removal-orders/{id}/retry`); discarded = `discarded`, never sent again, not
  even when the unit is reported again.
The discard's reason is kept as the call's cause: "discarded by <who>: <reason>".

What waits is counted for the gauge of `shared/recovery.py`: failed deliveries per channel,
failed calls per kind.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import outgoing_messages as message_states
from services.intake.domain import refunds as refund_states
from services.intake.domain import removal_orders as removal_states
from services.intake.domain import return_actions as action_states
from services.intake.tables import (
    AmazonRemovalOrder,
    OutgoingMessage,
    RefundRecord,
    ReturnActionRecord,
)
from services.intake.workflows import outgoing_messages, refunding, removal_orders, return_actions
from services.intake.workflows.reviving import failed_waiting
from shared.failed_calls import FailedCallKind, FailedCalls, moved_by
from shared.recovery import WaitingQueue

MESSAGES = OutgoingMessage.__table__
ACTIONS = ReturnActionRecord.__table__
REFUNDS = RefundRecord.__table__
REMOVALS = AmazonRemovalOrder.__table__


async def retry_message(session: AsyncSession, call_id: str, scope: ColumnElement[bool]):
    row = await outgoing_messages.retry(session, call_id, scope)
    return None if row is None else row.state


async def retry_action(session: AsyncSession, call_id: str, scope: ColumnElement[bool]):
    row = await return_actions.retry(session, call_id, scope)
    return None if row is None else row.state


async def retry_refund(session: AsyncSession, call_id: str, scope: ColumnElement[bool]):
    row = await refunding.reopen(session, call_id, scope)
    return None if row is None else row.state


async def retry_removal(session: AsyncSession, call_id: str, scope: ColumnElement[bool]):
    row = await removal_orders.retry(session, call_id, scope)
    return None if row is None else row.state


def removal_asked(row: Mapping[str, Any]) -> str:
    return f"removal order of {row['quantity']} × {row['sku']} ({row['market']})"


def refund_asked(row: Mapping[str, Any]) -> str:
    amount = row["request"].get("amount", {})
    return f"refund {amount.get('minor')} {amount.get('currency')} ({row['request'].get('reason')})"


FAILED_CALLS = FailedCalls(
    {
        "message": FailedCallKind(
            MESSAGES,
            "message_id",
            "queued_at",
            retry_message,
            moved_by(MESSAGES, "message_id", message_states.discard, message_states.MessageState),
            lambda row: row["kind"],
        ),
        "return_action": FailedCallKind(
            ACTIONS,
            "action_id",
            "owed_at",
            retry_action,
            moved_by(ACTIONS, "action_id", action_states.discard, action_states.ActionState),
            lambda row: row["action"],
        ),
        "refund": FailedCallKind(
            REFUNDS,
            "refund_id",
            "asked_at",
            retry_refund,
            moved_by(REFUNDS, "refund_id", refund_states.discard, refund_states.RefundState),
            refund_asked,
            failed=refund_states.RefundState.REFUSED.value,
        ),
        "removal_order": FailedCallKind(
            REMOVALS,
            "removal_order_id",
            "owed_at",
            retry_removal,
            moved_by(
                REMOVALS, "removal_order_id", removal_states.discard, removal_states.RemovalState
            ),
            removal_asked,
            channel=None,
        ),
    }
)


WAITING_QUEUES = (
    WaitingQueue(
        "recovery.failed_deliveries.waiting",
        "failed deliveries waiting for an operator to retry or discard them",
        failed_waiting,
    ),
    FAILED_CALLS.waiting_queue(),
)
