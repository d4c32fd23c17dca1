"""Failed outgoing calls, for an operator: the messages to buyers and the return actions
on the marketplaces (refunds, labels, receipts) that failed — refused, or unavailable
after every try — listed with their cause, retried (owed again, due now) or discarded with
the reason, one by one or all of a kind, a cause and a time owed. Each read and change is
kept to a `scope`: the caller's seller accounts (`Principal.sellers_in`).

Discarding moves a failed message to `not_sent` and a failed return action to `dropped`
(`domain/outgoing_messages.py`, `domain/return_actions.py`), the reason in `error` as
"discarded by <who>: <reason>"; a later decision of the case may owe the action again.

What waits is counted for the gauges of `shared/recovery.py`: failed deliveries per
channel, failed calls per kind (Amazon removal orders and refused refunds among them,
retried by their own routes `/removal-orders/{id}/retry`, `/refunds/{id}/retry`).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import outgoing_messages as message_states
from services.intake.domain import return_actions as action_states
from services.intake.tables import (
    AmazonRemovalOrder,
    OutgoingMessage,
    RefundRecord,
    ReturnActionRecord,
)
from services.intake.workflows import outgoing_messages, return_actions
from services.intake.workflows.reviving import failed_waiting
from shared.recovery import WaitingQueue

FAILED = "failed"
BULK_MOST = 1000  # calls changed by one bulk request; ask again for more


class CallKind(StrEnum):
    MESSAGE = "message"  # a message to a buyer: mail relay or marketplace messaging
    RETURN_ACTION = "return_action"  # a refund, label or receipt on the marketplace


@dataclass(frozen=True)
class Kind:
    """One kind of outgoing call: its table, key, when it was owed, retry and discard."""

    table: Table
    key: str
    owed: str
    retry: Callable[[AsyncSession, str, ColumnElement[bool]], Awaitable[Any]]
    discard: Callable[[Any, str], Any]  # (state, id) -> Transition
    state_type: type


KINDS = {
    CallKind.MESSAGE: Kind(
        OutgoingMessage.__table__,
        "message_id",
        "queued_at",
        outgoing_messages.retry,
        message_states.discard,
        message_states.MessageState,
    ),
    CallKind.RETURN_ACTION: Kind(
        ReturnActionRecord.__table__,
        "action_id",
        "owed_at",
        return_actions.retry,
        action_states.discard,
        action_states.ActionState,
    ),
}


@dataclass(frozen=True)
class Calls:
    """Which failed calls: each condition given narrows them."""

    kind: CallKind | None = None
    cause: str | None = None  # words of the cause, any case
    owed_since: datetime | None = None
    owed_until: datetime | None = None  # owed before

    def kinds(self) -> list[CallKind]:
        return [self.kind] if self.kind is not None else list(CallKind)

    def conditions(self, kind: Kind) -> list[ColumnElement[bool]]:
        table = kind.table
        found = [table.c.state == FAILED]
        if self.cause is not None:
            found.append(table.c.error.icontains(self.cause, autoescape=True))
        if self.owed_since is not None:
            found.append(table.c[kind.owed] >= self.owed_since)
        if self.owed_until is not None:
            found.append(table.c[kind.owed] < self.owed_until)
        return found


class NoSuchCall(Exception):
    pass


def view(kind: CallKind, row: Any) -> dict[str, Any]:
    table = KINDS[kind]
    return {
        "kind": kind.value,
        "id": row[table.key],
        "case_id": row["case_id"],
        "channel": row["channel"],
        "account": row["account"],
        "what": row["kind"] if kind is CallKind.MESSAGE else row["action"],
        "state": row["state"],
        "attempts": row["attempts"],
        "error": row["error"],
        "owed_at": row[table.owed],
    }


async def listed(
    session: AsyncSession, which: Calls, limit: int, scope: Callable[[Table], ColumnElement[bool]]
) -> list[dict[str, Any]]:
    """The failed calls among `which` within the caller's sellers, the latest owed first."""
    found = []
    for kind in which.kinds():
        table = KINDS[kind].table
        query = (
            select(table)
            .where(scope(table), *which.conditions(KINDS[kind]))
            .order_by(table.c[KINDS[kind].owed].desc())
            .limit(limit)
        )
        found += [view(kind, row) for row in (await session.execute(query)).mappings()]
    return sorted(found, key=lambda call: call["owed_at"], reverse=True)[:limit]


async def retry_one(
    session: AsyncSession, kind: CallKind, call_id: str, scope: ColumnElement[bool]
) -> dict[str, Any]:
    """Owe a failed call again, due now; raises NoSuchCall, or IllegalTransition for one
    that is not failed."""
    row = await KINDS[kind].retry(session, call_id, scope)
    if row is None:
        raise NoSuchCall(f"no {kind.value} {call_id}")
    return {"kind": kind.value, "id": call_id, "state": row.state}


async def discard_one(
    session: AsyncSession,
    kind: CallKind,
    call_id: str,
    by: str,
    reason: str,
    scope: ColumnElement[bool],
) -> dict[str, Any]:
    """Set a failed call aside, saying why; raises NoSuchCall, or IllegalTransition for
    one that is not failed."""
    spec = KINDS[kind]
    table = spec.table
    row = (
        (
            await session.execute(
                select(table).where(table.c[spec.key] == call_id, scope).with_for_update()
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NoSuchCall(f"no {kind.value} {call_id}")
    moved = spec.discard(spec.state_type(row["state"]), call_id).state.value
    await session.execute(
        table.update()
        .where(table.c[spec.key] == call_id)
        .values(state=moved, error=f"discarded by {by}: {reason}")
    )
    return {"kind": kind.value, "id": call_id, "state": moved}


async def chosen_ids(
    session: AsyncSession, kind: CallKind, which: Calls, scope: ColumnElement[bool]
) -> list[str]:
    spec = KINDS[kind]
    query = (
        select(spec.table.c[spec.key])
        .where(scope, *which.conditions(spec))
        .order_by(spec.table.c[spec.owed])
        .limit(BULK_MOST)
    )
    return list((await session.scalars(query)).all())


async def retry_all(
    session: AsyncSession, which: Calls, scope: Callable[[Table], ColumnElement[bool]]
) -> int:
    count = 0
    for kind in which.kinds():
        table = KINDS[kind].table
        for call_id in await chosen_ids(session, kind, which, scope(table)):
            await retry_one(session, kind, call_id, scope(table))
            count += 1
    return count


async def discard_all(
    session: AsyncSession,
    which: Calls,
    by: str,
    reason: str,
    scope: Callable[[Table], ColumnElement[bool]],
) -> int:
    count = 0
    for kind in which.kinds():
        table = KINDS[kind].table
        for call_id in await chosen_ids(session, kind, which, scope(table)):
            await discard_one(session, kind, call_id, by, reason, scope(table))
            count += 1
    return count


# ------------------------------------------------------------------- what waits, counted

# kind -> (table, the state its failed calls are in)
COUNTED = {
    "message": (OutgoingMessage.__table__, FAILED),
    "return_action": (ReturnActionRecord.__table__, FAILED),
    "removal_order": (AmazonRemovalOrder.__table__, FAILED),
    "refund": (RefundRecord.__table__, "refused"),  # retried by `/refunds/{id}/retry`
}


async def failed_calls_waiting(session: AsyncSession) -> list[tuple[dict[str, str], int]]:
    counts = []
    for kind, (table, state) in COUNTED.items():
        query = select(func.count()).select_from(table).where(table.c.state == state)
        counts.append(({"kind": kind}, await session.scalar(query) or 0))
    return counts


WAITING_QUEUES = (
    WaitingQueue(
        "recovery.failed_deliveries.waiting",
        "failed deliveries waiting for an operator to retry or discard them",
        failed_waiting,
    ),
    WaitingQueue(
        "recovery.failed_calls.waiting",
        "failed outgoing calls waiting for an operator to retry or discard them",
        failed_calls_waiting,
    ),
)
