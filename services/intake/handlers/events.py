"""Events in: what a case's resolution and its returned unit owe the marketplace's return
(`domain/return_actions.py`), owed in the consuming transaction and performed after by the
return action worker."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.marketplace_side import ReturnAction
from services.intake.domain.return_actions import owed_by_decision
from services.intake.workflows import return_actions
from shared.events import Envelope, ResolutionDecided, ReturnReceived


async def on_resolution_decided(
    session: AsyncSession, decision: ResolutionDecided, _: Envelope
) -> None:
    """Approve the return when the unit comes back, decline it when the case is resolved
    without it."""
    action = owed_by_decision(decision.remedy)
    note = f"resolved by {decision.remedy.value.replace('_', ' ')}"
    await return_actions.owe(session, decision.case_id, action, note)


async def on_return_received(session: AsyncSession, received: ReturnReceived, _: Envelope) -> None:
    note = f"received at {received.warehouse} under {received.rma_id}"
    await return_actions.owe(session, received.case_id, ReturnAction.MARK_RECEIVED, note)
