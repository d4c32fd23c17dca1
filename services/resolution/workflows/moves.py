"""A lifecycle move stored: the row where the domain's `Transition` leaves it, and the
events it causes in the outbox, in the caller's transaction."""

from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.lifecycle import Transition
from shared.outbox import emit_all


async def moved(session: AsyncSession, row: SQLModel, transition: Transition[Any]) -> None:
    row.state = transition.state
    session.add(row)
    await emit_all(session, transition.events)
