"""Actions owed on the marketplaces' returns (`domain/return_actions.py`): owed in the
transaction that consumes their cause, performed by the return action worker
(`workers/return_actions.py`), which records here what the marketplace answered.

The action id is derived from the case and the action, so a redelivered event owes nothing
new. An event about a case intake never opened owes nothing.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import return_actions
from services.intake.domain.marketplace_side import ReturnAction, ReturnOrder
from services.intake.domain.return_actions import ActionState, action_id_of, nothing_to_act_on
from services.intake.tables import CaseRecord, ReturnActionRecord
from shared.events import MarketplaceStatus
from shared.lifecycle import Transition
from shared.messaging_tables import utc_now


async def owe(session: AsyncSession, case_id: str, action: ReturnAction, note: str) -> bool:
    """Owe `action` on the case's marketplace return; False when intake has no such case.
    A case with no marketplace return open records the action as not needed, with why."""
    case = await session.get(CaseRecord, case_id)
    if case is None:
        return False
    # Whether the channel acts on returns at all is the worker's to find: it holds them.
    why = nothing_to_act_on(case.return_id, MarketplaceStatus(case.marketplace_status))
    row = {
        "action_id": action_id_of(case_id, action),
        "case_id": case_id,
        "channel": case.channel,
        "account": case.account,
        "order_id": case.order_id,
        "return_id": case.return_id,
        "action": action.value,
        "note": note,
        "state": (ActionState.OWED if why is None else ActionState.NOT_NEEDED).value,
        "error": why,
        "owed_at": utc_now(),
        "next_attempt_at": utc_now(),
    }
    await session.execute(insert(ReturnActionRecord).values(row).on_conflict_do_nothing())
    return True


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
    transition = return_actions.perform(ActionState(row.state), row.action_id)
    await moved(session, row, transition, done_at=now, error=None)


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


async def retry(session: AsyncSession, action_id: str) -> ReturnActionRecord | None:
    """An agent's retry of a failed action: owed again, now. None: no such action."""
    row = await session.get(ReturnActionRecord, action_id, with_for_update=True)
    if row is None:
        return None
    transition = return_actions.retry(ActionState(row.state), action_id)
    row.state = transition.state.value
    row.attempts = 0
    row.next_attempt_at = utc_now()
    return row


async def listed(
    session: AsyncSession, state: ActionState | None, case_id: str | None, limit: int
) -> list[ReturnActionRecord]:
    query = select(ReturnActionRecord).order_by(ReturnActionRecord.owed_at.desc()).limit(limit)
    if state is not None:
        query = query.where(ReturnActionRecord.state == state.value)
    if case_id is not None:
        query = query.where(ReturnActionRecord.case_id == case_id)
    return list(await session.scalars(query))


async def moved(
    session: AsyncSession,
    row: ReturnActionRecord,
    transition: Transition[ActionState],
    **values: object,
) -> None:
    table = ReturnActionRecord.__table__
    await session.execute(
        update(table)
        .where(table.c.action_id == row.action_id)
        .values(state=transition.state.value, **values)
    )
