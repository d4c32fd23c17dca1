"""Removal orders of unsellable FBA units (`domain/removal_orders.py`): owed when a unit's
grading says so (`workflows/fba_units.py`, in the transaction that records it), sent to
Amazon one step at a time by the removal order worker (`workers/removal_orders.py`):

    SUBMIT ── submitted_at committed, then the feed created ──▶ LOOK_AT_FEED ─┬─ accepted: done
      ▲                                                                      ├─ refused: failed
      │                                                                      └─ FATAL: SUBMIT
      └─ not in the report ◀── READ_BACK ◀── ASK_FOR_READ_BACK ◀── sent, its feed unknown
                                   └─ in the report: done

Each step is one claim of the row; its values are written after it (`settle`). Amazon
unavailable: the same step later (its Retry-After, a growing pause), failed after
AMAZON_REMOVAL_MAX_FAILURES in a row; refused: failed with Amazon's words, listed
(`GET /amazon/removal-orders?state=failed`) and owed again by an agent once the cause is
fixed (`POST /amazon/removal-orders/{id}/retry`). The address is the local warehouse of the
case's market (AMAZON_REMOVAL_ADDRESSES). Metric `amazon.removal_orders` counts the orders
done and failed.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.channels.amazon import removals
from services.intake.channels.amazon.marketplaces import MARKETPLACE_IDS
from services.intake.channels.amazon.reports_api import ProcessingStatus
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.domain import removal_orders
from services.intake.domain.case import Channel
from services.intake.domain.removal_orders import (
    RemovalState,
    Step,
    droppable,
    fails_after,
    next_step,
    removal_order_id_of,
)
from services.intake.tables import AmazonFbaUnit, AmazonRemovalOrder, CaseRecord
from services.intake.workflows.accounts import narrowed
from services.intake.workflows.context import Intake
from shared.markets import Market
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

REMOVAL_ORDERS_CHANNEL = "amazon_removal_orders_intake"
METRIC = "amazon.removal_orders"

Values = dict[str, Any]


async def owe(session: AsyncSession, case: CaseRecord, unit: AmazonFbaUnit) -> None:
    """The case's removal order owed; one dropped before is owed again; one sent, done or
    failed is left as it is."""
    table = AmazonRemovalOrder.__table__
    now = utc_now()
    statement = insert(table).values(
        removal_order_id=removal_order_id_of(case.case_id),
        case_id=case.case_id,
        account=case.account,
        license_plate=unit.license_plate,
        order_id=unit.order_id,
        sku=unit.sku,
        fnsku=unit.fnsku,
        quantity=unit.quantity,
        market=case.market,
        state=RemovalState.OWED.value,
        attempts=0,
        failures=0,
        next_attempt_at=now,
        owed_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["removal_order_id"],
            set_={"state": RemovalState.OWED.value, "error": None, "next_attempt_at": now},
            where=table.c.state == RemovalState.NOT_NEEDED.value,
        )
    )


async def drop(session: AsyncSession, case_id: str, why: str) -> None:
    """The case's removal order, owed and never sent, is not needed after all."""
    table = AmazonRemovalOrder.__table__
    named = table.c.removal_order_id == removal_order_id_of(case_id)
    order = (
        await session.execute(select(table.c.state, table.c.submitted_at).where(named))
    ).first()
    if order is None or not droppable(RemovalState(order.state), order.submitted_at):
        return
    await session.execute(
        update(table)
        .where(named, table.c.state == RemovalState.OWED.value, table.c.submitted_at.is_(None))
        .values(state=RemovalState.NOT_NEEDED.value, error=why)
    )


async def take_step(intake: Intake, order: AmazonRemovalOrder, now: datetime) -> Values:
    """The order's next step with Amazon; the values it moves to."""
    settings = intake.service.settings
    account = await intake.accounts.find(Channel.AMAZON, order.account)
    partner = selling_partner(account) if account else None
    if partner is None:
        return failed(intake, order, f"amazon account {order.account} has no SP-API authorisation")
    address = settings.amazon_removal_addresses.get(Market(order.market))
    if address is None:
        why = f"no local warehouse address for market {order.market} (AMAZON_REMOVAL_ADDRESSES)"
        return failed(intake, order, why)
    apis = intake.marketplaces
    later = now + timedelta(seconds=settings.amazon_report_check_seconds)
    step = next_step(order.submitted_at, order.feed_id, order.read_back_report_id)
    try:
        if step is Step.SUBMIT:
            await sent(intake, order, now, address.model_dump())  # committed before the call
            request = removals.RemovalRequest(
                removal_order_id=order.removal_order_id,
                marketplace_id=MARKETPLACE_IDS[Market(order.market)],
                sku=order.sku,
                unsellable_quantity=order.quantity,
                address=address,
                notes=f"after-sales case {order.case_id}, unit {order.license_plate}",
            )
            feed_id = await removals.submit(apis, partner, request)
            return {"feed_id": feed_id, "failures": 0, "error": None, "next_attempt_at": later}
        if step is Step.LOOK_AT_FEED:
            outcome = await removals.feed_outcome(
                apis, partner, order.feed_id or "", order.removal_order_id
            )
            if outcome is removals.FeedOutcome.ACCEPTED:
                return done(intake, order, now, None)
            if outcome is removals.FeedOutcome.NOT_APPLIED:  # nothing made: send it again
                return {"submitted_at": None, "feed_id": None, "next_attempt_at": now}
            return {"failures": 0, "next_attempt_at": later}
        if step is Step.ASK_FOR_READ_BACK:
            since = order.submitted_at or now
            busy = await removals.in_process(apis, partner, since)
            if busy:
                why = f"removal feed {busy[0].feed_id} still in process: read back once done"
                return {"failures": 0, "error": why, "next_attempt_at": later}
            report_id = await removals.ask_for_detail_report(apis, partner, since, now)
            return {"read_back_report_id": report_id, "failures": 0, "next_attempt_at": later}
        back = await removals.read_back(
            apis, partner, order.read_back_report_id or "", order.removal_order_id
        )
        if back.found:
            return done(intake, order, now, back.order_status)
        if back.done or back.status is ProcessingStatus.CANCELLED:  # not at Amazon: send it
            return {"submitted_at": None, "read_back_report_id": None, "next_attempt_at": now}
        if back.status is ProcessingStatus.FATAL:  # ask for another report
            return {"read_back_report_id": None, "next_attempt_at": later}
        return {"failures": 0, "next_attempt_at": later}
    except Unavailable as error:
        failures = order.failures + 1
        if fails_after(failures, settings.amazon_removal_max_failures):
            return {**failed(intake, order, str(error)), "failures": failures}
        pause = max(error.retry_after or 0, retry_pause(failures).total_seconds())
        return {
            "failures": failures,
            "error": str(error),
            "next_attempt_at": now + timedelta(seconds=pause),
        }
    except Refused as error:
        values = failed(intake, order, str(error))
        if step is Step.LOOK_AT_FEED:  # Amazon refused the record: nothing was made
            values |= {"submitted_at": None, "feed_id": None}
        if step is Step.READ_BACK:
            values |= {"read_back_report_id": None}
        return values


async def sent(intake: Intake, order: AmazonRemovalOrder, now: datetime, address: dict) -> None:
    """Recorded as sent before Amazon is called: a try whose answer is lost, or whose
    process dies before its commit, is read back before anything is sent again."""
    table = AmazonRemovalOrder.__table__
    async with intake.service.transaction() as session:
        await session.execute(
            update(table)
            .where(table.c.removal_order_id == order.removal_order_id)
            .values(submitted_at=now, address=address)
        )


def done(intake: Intake, order: AmazonRemovalOrder, now: datetime, status: str | None) -> Values:
    state = removal_orders.move(RemovalState(order.state), "accept", order.removal_order_id).state
    count(intake, order, state)
    return {
        "state": state.value,
        "done_at": now,
        "amazon_status": status,
        "failures": 0,
        "error": None,
        "read_back_report_id": None,
    }


def failed(intake: Intake, order: AmazonRemovalOrder, why: str) -> Values:
    state = removal_orders.move(RemovalState(order.state), "fail", order.removal_order_id).state
    log.warning("amazon removal order %s of case %s failed: %s", order.removal_order_id,
                order.case_id, why)  # fmt: skip
    count(intake, order, state)
    return {"state": state.value, "error": why}


def count(intake: Intake, order: AmazonRemovalOrder, state: RemovalState) -> None:
    intake.service.counter(METRIC, "Amazon removal orders, done or failed").add(
        1, {"state": state.value, "market": order.market}
    )


async def settle(intake: Intake, order: AmazonRemovalOrder, values: Values) -> None:
    table = AmazonRemovalOrder.__table__
    async with intake.service.transaction() as session:
        await session.execute(
            update(table)
            .where(
                table.c.removal_order_id == order.removal_order_id,
                table.c.state == RemovalState.OWED.value,
            )
            .values(**values)
        )


async def retry(
    session: AsyncSession, removal_order_id: str, scope: ColumnElement[bool]
) -> AmazonRemovalOrder | None:
    """An agent's retry of a failed order: owed again, now, its worker woken (read back first
    if it may have been sent). None: no such order within `scope` (the agent's seller accounts)."""
    order = await session.scalar(
        select(AmazonRemovalOrder)
        .where(AmazonRemovalOrder.removal_order_id == removal_order_id, scope)
        .with_for_update()
    )
    if order is None:
        return None
    state = removal_orders.move(RemovalState(order.state), "retry", removal_order_id).state
    order.state = state.value
    order.failures = 0
    order.attempts = 0
    order.next_attempt_at = utc_now()
    session.add(order)
    await session.execute(
        sql("SELECT pg_notify(:channel, '')"), {"channel": REMOVAL_ORDERS_CHANNEL}
    )
    return order


async def listed(
    session: AsyncSession,
    state: RemovalState | None,
    seller: str | None,
    account: str | None,
    case_id: str | None,
    limit: int,
    scope: ColumnElement[bool],
) -> list[AmazonRemovalOrder]:
    """Orders within `scope` (the reader's seller accounts), the newest first."""
    order = AmazonRemovalOrder
    newest = (order.owed_at.desc(), order.removal_order_id)
    query = select(order).where(scope).order_by(*newest).limit(limit)
    query = narrowed(
        query, order, Channel.AMAZON, state=state and state.value, seller=seller,
        account=account, case_id=case_id,
    )  # fmt: skip
    return list(await session.scalars(query))
