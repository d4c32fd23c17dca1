"""Resolution's failed outgoing calls (`shared/failed_calls.py`): the refunds its worker
could not get paid through the refund API (intake's) — the marketplace refused them, or they
stayed unavailable `refund_max_attempts` times (`domain/refunds.py`: the case went to an
agent) — listed with their cause, retried or discarded with the reason, one by one or by
cause and time last due, within the caller's sellers.

- `refund`: retried = pending again, due now, its tries counted afresh: the worker asks the
  refund API again under the same key (when intake refused it too, retry intake's `refund`
  first: intake answers a refused key as refused until then); discarded = `discarded`, the
  reason kept as its `error` ("discarded by <who>: <reason>").

Counted as the gauge `recovery.failed_calls.waiting` (kind `refund`) of `shared/recovery.py`.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain import refunds
from services.resolution.tables import Refund
from services.resolution.workflows import refunding
from shared.failed_calls import FailedCallKind, FailedCalls, moved_by

REFUNDS = Refund.__table__


async def retry_refund(
    session: AsyncSession, refund_id: str, scope: ColumnElement[bool]
) -> str | None:
    refund = await refunding.retry(session, refund_id, scope)
    return None if refund is None else str(refund.state)


def refund_owed(row: Mapping[str, Any]) -> str:
    return f"refund {row['amount_minor']} {row['currency']} ({row['remedy']})"


FAILED_CALLS = FailedCalls(
    {
        "refund": FailedCallKind(
            REFUNDS,
            "refund_id",
            "next_attempt_at",
            retry_refund,
            moved_by(REFUNDS, "refund_id", refunds.discard, refunds.RefundState),
            refund_owed,
            account="seller_account",
            failed=refunds.RefundState.REFUSED.value,
            channel="marketplace",
        ),
    }
)

WAITING_QUEUES = (FAILED_CALLS.waiting_queue(),)
