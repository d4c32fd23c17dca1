"""Actions owed on the marketplaces' returns (`domain/return_actions.py`, and which:
`domain/return_decisions.py`): owed in the transaction that consumes their cause,
performed by the return action worker (`workers/return_actions.py`), which records here
what the marketplace answered.

The action id is derived from the case and the action, so a redelivered event owes nothing
new. An event about a case intake never opened owes nothing. The latest decision of a case
governs its actions: one decided earlier (by resolution's clock: the event's time) than
the latest one seen changes nothing; a later one drops what it no longer owes and owes
what it does. The case's actions are locked while a decision or a receipt moves them.
"""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import return_actions
from services.intake.domain.marketplace_side import ReturnAction, ReturnOrder
from services.intake.domain.return_actions import (
    ActionState,
    action_id_of,
    nothing_to_act_on,
)
from services.intake.domain.return_decisions import (
    Change,
    Move,
    after_decision,
    after_receipt,
    ground_of,
    marketplace_of,
    owed_by_decision,
    owed_by_receipt,
    words,
)
from services.intake.tables import CaseRecord, ReturnActionRecord
from shared.events import MarketplaceStatus, Remedy
from shared.lifecycle import Transition
from shared.messaging_tables import utc_now

log = logging.getLogger(__name__)


async def owe_for_decision(
    session: AsyncSession,
    case_id: str,
    remedy: Remedy,
    refund_minor: int,
    decided_at: datetime,
) -> bool:
    """What resolution's decision owes the case's marketplace return, per remedy,
    marketplace and the buyer's reason; the actions an earlier decision owed follow this
    one. False when intake has no such case."""
    case = await session.get(CaseRecord, case_id, with_for_update=True)
    if case is None:
        return False
    held = await actions_of(session, case_id)
    latest = max((r.decided_at for r in held.values() if r.decided_at), default=None)
    if latest is not None and decided_at < latest:
        log.info("decision %s of case %s predates its latest: changes nothing", remedy, case_id)
        return True
    marketplace = marketplace_of(case.channel, case.case)
    owed = owed_by_decision(remedy, marketplace, ground_of(case.case.get("reason")), refund_minor)
    changes = after_decision(
        owed,
        {action: ActionState(row.state) for action, row in held.items()},
        marketplace,
        remedy,
        nothing_open_for(case),
    )
    decision = {
        "note": f"resolved by {words(remedy)}",
        "remedy": remedy.value,
        "decided_at": decided_at,
    }
    for change in changes:
        await apply(session, case, held.get(change.action), change, decision)
    return True


async def owe_for_receipt(session: AsyncSession, case_id: str, note: str) -> bool:
    """A unit received at a warehouse: MARK_RECEIVED owed on the return, once; False when
    intake has no such case."""
    case = await session.get(CaseRecord, case_id, with_for_update=True)
    if case is None:
        return False
    held = await actions_of(session, case_id)
    marketplace = marketplace_of(case.channel, case.case)
    change = after_receipt(
        owed_by_receipt(marketplace),
        {action: ActionState(row.state) for action, row in held.items()},
        marketplace,
        nothing_open_for(case),
    )
    await apply(session, case, held.get(change.action), change, {"note": note})
    return True


def nothing_open_for(case: CaseRecord) -> str | None:
    return nothing_to_act_on(case.return_id, MarketplaceStatus(case.marketplace_status))


async def actions_of(session: AsyncSession, case_id: str) -> dict[ReturnAction, ReturnActionRecord]:
    """The case's actions, locked until the transaction ends."""
    rows = await session.scalars(
        select(ReturnActionRecord)
        .where(ReturnActionRecord.case_id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {ReturnAction(row.action): row for row in rows}


async def apply(
    session: AsyncSession,
    case: CaseRecord,
    row: ReturnActionRecord | None,
    change: Change,
    decision: dict[str, Any],
) -> None:
    if change.move in (Move.OWE, Move.SKIP):
        await insert_action(session, case, change, decision)
        return
    if row is None or change.move is Move.KEEP:
        return
    state = ActionState(row.state)
    if change.move is Move.REFRESH:
        await set_values(session, row.action_id, **decision)
    elif change.move is Move.DROP:
        dropped = return_actions.drop(state, row.action_id).state
        await set_values(session, row.action_id, state=dropped.value, error=change.why)
    elif change.move is Move.OWE_AGAIN:
        owed = return_actions.owe_again(state, row.action_id).state
        await set_values(
            session,
            row.action_id,
            state=owed.value,
            error=None,
            attempts=0,
            next_attempt_at=utc_now(),
            **decision,
        )


async def insert_action(
    session: AsyncSession, case: CaseRecord, change: Change, decision: dict[str, Any]
) -> None:
    owed = change.move is Move.OWE
    row = {
        "action_id": action_id_of(case.case_id, change.action),
        "case_id": case.case_id,
        "channel": case.channel,
        "account": case.account,
        "order_id": case.order_id,
        "return_id": case.return_id,
        "action": change.action.value,
        "note": "",
        "state": (ActionState.OWED if owed else ActionState.NOT_NEEDED).value,
        "error": change.why,
        "owed_at": utc_now(),
        "next_attempt_at": utc_now(),
        **decision,
    }
    await session.execute(insert(ReturnActionRecord).values(row).on_conflict_do_nothing())


async def set_values(session: AsyncSession, action_id: str, **values: object) -> None:
    table = ReturnActionRecord.__table__
    await session.execute(update(table).where(table.c.action_id == action_id).values(**values))


def order_of(row: ReturnActionRecord) -> ReturnOrder:
    return ReturnOrder(
        action_id=row.action_id,
        case_id=row.case_id,
        order_id=row.order_id,
        return_id=row.return_id,
        action=ReturnAction(row.action),
        note=row.note,
    )


async def performed(session: AsyncSession, row: ReturnActionRecord, now: datetime) -> None:
    """Done: also when a decision dropped it while the marketplace was taking it (it did)."""
    transition = return_actions.perform(ActionState(row.state), row.action_id)
    await moved(
        session, row, transition, (ActionState.OWED, ActionState.DROPPED), done_at=now, error=None
    )


async def not_needed(session: AsyncSession, row: ReturnActionRecord, why: str) -> None:
    await moved(session, row, return_actions.skip(ActionState(row.state), row.action_id), error=why)


async def failed(session: AsyncSession, row: ReturnActionRecord, why: str) -> None:
    await moved(session, row, return_actions.fail(ActionState(row.state), row.action_id), error=why)


async def after_unavailable(
    session: AsyncSession, row: ReturnActionRecord, why: str, at: datetime, max_attempts: int
) -> None:
    """Tried again at `at` while tries are left; failed with the cause after the last."""
    transition = return_actions.after_unavailable(
        ActionState(row.state), row.action_id, row.attempts, max_attempts
    )
    await moved(session, row, transition, next_attempt_at=at, error=why)


async def retry(
    session: AsyncSession, action_id: str, scope: ColumnElement[bool]
) -> ReturnActionRecord | None:
    """An agent's retry of a failed action: owed again, now. None: no such action within
    `scope` (the agent's seller accounts)."""
    row = await session.scalar(
        select(ReturnActionRecord)
        .where(ReturnActionRecord.action_id == action_id, scope)
        .with_for_update()
    )
    if row is None:
        return None
    transition = return_actions.retry(ActionState(row.state), action_id)
    row.state = transition.state.value
    row.attempts = 0
    row.next_attempt_at = utc_now()
    return row


async def listed(
    session: AsyncSession,
    state: ActionState | None,
    case_id: str | None,
    limit: int,
    scope: ColumnElement[bool],
) -> list[ReturnActionRecord]:
    """The actions within `scope` (the reader's seller accounts), the newest first."""
    query = (
        select(ReturnActionRecord)
        .where(scope)
        .order_by(ReturnActionRecord.owed_at.desc())
        .limit(limit)
    )
    if state is not None:
        query = query.where(ReturnActionRecord.state == state.value)
    if case_id is not None:
        query = query.where(ReturnActionRecord.case_id == case_id)
    return list(await session.scalars(query))


async def moved(
    session: AsyncSession,
    row: ReturnActionRecord,
    transition: Transition[ActionState],
    only_from: tuple[ActionState, ...] = (ActionState.OWED,),
    **values: object,
) -> None:
    """The worker's record of a try, unless a decision moved the action meanwhile (dropped
    it): a try never owes again what a later decision dropped."""
    table = ReturnActionRecord.__table__
    await session.execute(
        update(table)
        .where(
            table.c.action_id == row.action_id,
            table.c.state.in_([state.value for state in only_from]),
        )
        .values(state=transition.state.value, **values)
    )
