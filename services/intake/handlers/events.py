"""Events in: what a case's resolution and its returned unit owe the marketplace's return
(`domain/return_decisions.py`), owed in the consuming transaction and performed after by
the return action worker."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.workflows import return_actions
from shared.events import Envelope, ResolutionDecided, ReturnReceived


async def on_resolution_decided(
    session: AsyncSession, decision: ResolutionDecided, envelope: Envelope
) -> None:
    """Approve the return when the unit comes back; close (or decline) it when the case is
    resolved without it, as the marketplace takes it; a later decision supersedes this one."""
    await return_actions.owe_for_decision(
        session, decision.case_id, decision.remedy, decision.refund_minor, envelope.time
    )


async def on_return_received(session: AsyncSession, received: ReturnReceived, _: Envelope) -> None:
    note = f"received at {received.warehouse} under {received.rma_id}"
    await return_actions.owe_for_receipt(session, received.case_id, note)
