"""Events in: a decided remedy becomes a dispatch owed or a return label; a unit refurbish
routes back to the factory joins the warehouse's origin consolidation."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.shipments import SHIPPED_REMEDIES
from services.fulfillment.workflows import dispatching, origin, returns
from shared.events import Disposition, DispositionDecided, Envelope, Remedy, ResolutionDecided


async def on_resolution_decided(
    session: AsyncSession, decision: ResolutionDecided, envelope: Envelope
) -> None:
    if decision.remedy in SHIPPED_REMEDIES:
        await dispatching.owe_dispatch(
            session,
            envelope.id,
            decision.case_id,
            decision.remedy,
            decision.market,
            decision.items,
        )
    elif decision.remedy is Remedy.RETURN_FULL_REFUND:
        await returns.issue_return_label(session, decision)


async def on_disposition_decided(
    session: AsyncSession, disposition: DispositionDecided, _: Envelope
) -> None:
    if disposition.disposition is Disposition.RETURN_TO_ORIGIN:
        await origin.hold_for_origin(session, disposition)
