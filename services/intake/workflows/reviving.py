"""Failed deliveries found and retried by an operator: one by one, or all those of a
channel, a seller account, a cause or a time of receipt at once.

Each read and retry is kept to a `scope`: the caller's seller accounts, a condition on the
deliveries' `account` (`Principal.sellers_in`).

A retried delivery is revived (`domain/delivery.py`): accepted again, due at once, its tries
counted and its time budget run anew from now. Its channel's delivery worker wakes on the
change (a trigger notifies it, as for a new delivery) and tries it like any other.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.case import Channel
from services.intake.domain.delivery import DeliveryState, discarded, revivable, revived
from services.intake.tables import DeliveryRecord

SHOWN = (
    "channel",
    "account",
    "delivery_id",
    "state",
    "attempts",
    "error",
    "received_at",
    "revived_at",
    "next_attempt_at",
    "applied_at",
    "discarded_at",
    "discarded_by",
    "discard_reason",
)


class NoSuchDelivery(Exception):
    pass


@dataclass(frozen=True)
class Deliveries:
    """Which deliveries: each condition given narrows them."""

    channel: Channel | None = None
    account: str | None = None
    cause: str | None = None  # words of the cause of their last failed try, any case
    received_since: datetime | None = None
    received_until: datetime | None = None  # received before

    def conditions(self) -> list[ColumnElement[bool]]:
        table = DeliveryRecord.__table__
        conditions = []
        if self.channel is not None:
            conditions.append(table.c.channel == self.channel.value)
        if self.account is not None:
            conditions.append(table.c.account == self.account)
        if self.cause is not None:
            conditions.append(table.c.error.icontains(self.cause, autoescape=True))
        if self.received_since is not None:
            conditions.append(table.c.received_at >= self.received_since)
        if self.received_until is not None:
            conditions.append(table.c.received_at < self.received_until)
        return conditions


async def listed(
    session: AsyncSession,
    state: DeliveryState,
    which: Deliveries,
    limit: int,
    scope: ColumnElement[bool],
) -> list[dict[str, Any]]:
    """The deliveries in `state` among `which`, most recently received first."""
    table = DeliveryRecord.__table__
    query = (
        select(*(table.c[name] for name in SHOWN))
        .where(table.c.state == state.value, scope, *which.conditions())
        .order_by(table.c.received_at.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def _locked(
    session: AsyncSession,
    channel: Channel,
    account: str,
    delivery_id: str,
    scope: ColumnElement[bool],
) -> DeliveryRecord:
    """One delivery, locked for the change; NoSuchDelivery if it is not there (or out of
    `scope`)."""
    row = await session.scalar(
        select(DeliveryRecord)
        .where(
            DeliveryRecord.channel == channel.value,
            DeliveryRecord.account == account,
            DeliveryRecord.delivery_id == delivery_id,
            scope,
        )
        .with_for_update()
    )
    if row is None:
        raise NoSuchDelivery(f"no {channel} delivery {delivery_id} of account {account}")
    return row


async def retry_one(
    session: AsyncSession,
    channel: Channel,
    account: str,
    delivery_id: str,
    now: datetime,
    scope: ColumnElement[bool],
) -> dict[str, Any]:
    """Revive one failed delivery; raises NoSuchDelivery (one out of `scope` too), or
    IllegalTransition for one that was applied. One still being tried is left as it is
    (`revived` false)."""
    row = await _locked(session, channel, account, delivery_id, scope)
    what = f"delivery {channel}/{account}/{delivery_id}"
    transition = revived(DeliveryState(row.state), what)
    if transition is not None:
        row.state = transition.state.value
        row.attempts = 0
        row.next_attempt_at = row.revived_at = now
        session.add(row)
    return {
        "channel": row.channel,
        "account": row.account,
        "delivery_id": row.delivery_id,
        "state": row.state,
        "revived": transition is not None,
    }


async def retry_all(
    session: AsyncSession, which: Deliveries, now: datetime, scope: ColumnElement[bool]
) -> int:
    """Revive every failed delivery among `which` within `scope`; how many."""
    table = DeliveryRecord.__table__
    count = 0
    for state in revivable():
        result = await session.execute(
            update(table)
            .where(table.c.state == state.value, scope, *which.conditions())
            .values(
                state=revived(state).state.value, attempts=0, next_attempt_at=now, revived_at=now
            )
        )
        count += result.rowcount
    return count


async def discard_one(
    session: AsyncSession,
    channel: Channel,
    account: str,
    delivery_id: str,
    by: str,
    reason: str,
    now: datetime,
    scope: ColumnElement[bool],
) -> dict[str, Any]:
    """Set one failed delivery aside with the reason; raises NoSuchDelivery (one out of
    `scope` too), or IllegalTransition for one that is not failed."""
    row = await _locked(session, channel, account, delivery_id, scope)
    what = f"delivery {channel}/{account}/{delivery_id}"
    row.state = discarded(DeliveryState(row.state), what).state.value
    row.discarded_at, row.discarded_by, row.discard_reason = now, by, reason
    session.add(row)
    return {name: getattr(row, name) for name in SHOWN}


async def discard_all(
    session: AsyncSession,
    which: Deliveries,
    by: str,
    reason: str,
    now: datetime,
    scope: ColumnElement[bool],
) -> int:
    """Set aside every failed delivery among `which` within `scope`; how many."""
    table = DeliveryRecord.__table__
    result = await session.execute(
        update(table)
        .where(table.c.state == DeliveryState.FAILED.value, scope, *which.conditions())
        .values(
            state=DeliveryState.DISCARDED.value,
            discarded_at=now,
            discarded_by=by,
            discard_reason=reason,
        )
    )
    return result.rowcount


async def failed_waiting(session: AsyncSession) -> list[tuple[dict[str, str], int]]:
    """Failed deliveries waiting for an operator, per channel (a gauge, `shared/recovery.py`)."""
    table = DeliveryRecord.__table__
    query = (
        select(table.c.channel, func.count())
        .where(table.c.state == DeliveryState.FAILED.value)
        .group_by(table.c.channel)
    )
    return [({"channel": channel}, n) for channel, n in (await session.execute(query)).all()]
