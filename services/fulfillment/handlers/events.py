"""Events in: a decided remedy becomes a dispatch owed or a return label (drawn here, or
owed to the carrier when fulfillment buys labels from one: see `app.spec_for`); a repair
gets a return label to the local repair shop, marked as a repair; a unit refurbish routes
back to the factory joins the warehouse's origin consolidation, and a repaired unit going
back to its buyer becomes a staff task that reserves no stock."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.shipments import SHIPPED_REMEDIES
from services.fulfillment.workflows import dispatching, labelling, origin, returns
from shared.events import Disposition, DispositionDecided, Envelope, Remedy, ResolutionDecided

# Remedies whose unit comes in on a prepaid label: a return, or the buyer's unit for repair.
LABELLED_REMEDIES = frozenset({Remedy.RETURN_FULL_REFUND, Remedy.REPAIR})


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
            decision.seller_account,
        )
    elif decision.remedy in LABELLED_REMEDIES:
        await returns.issue_return_label(session, decision)


async def on_resolution_decided_buying_labels(
    session: AsyncSession, decision: ResolutionDecided, envelope: Envelope
) -> None:
    """The same, but a return's label is owed to the carrier: a worker buys it, then
    issues the return with the carrier's tracking number."""
    if decision.remedy in LABELLED_REMEDIES:
        await labelling.owe_return_label(session, decision)
    else:
        await on_resolution_decided(session, decision, envelope)


async def on_disposition_decided(
    session: AsyncSession, disposition: DispositionDecided, _: Envelope
) -> None:
    if disposition.disposition is Disposition.RETURN_TO_ORIGIN:
        await origin.hold_for_origin(session, disposition)
    elif disposition.disposition is Disposition.RETURN_TO_BUYER:
        await dispatching.ship_back_repaired(session, disposition)
