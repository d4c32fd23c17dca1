"""Events in: what a case's resolution and its returned unit owe the marketplace's return
(`domain/return_decisions.py`), owed in the consuming transaction and performed after by
the return action worker; and the messages each step owes the buyer
(`domain/outgoing_messages.py`), owed in the same transaction and sent after by the
message worker. Each message is keyed by the event's id: a redelivery owes nothing new."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.outgoing_messages import MessageKind, offer_kind
from services.intake.workflows import outgoing_messages, refunding, return_actions
from shared.events import (
    Envelope,
    RefundIssued,
    Remedy,
    ResolutionDecided,
    ResolutionHeldForAgent,
    ResolutionOffered,
    ReturnLabelIssued,
    ReturnReceived,
    Shipped,
)


async def on_resolution_decided(
    session: AsyncSession, decision: ResolutionDecided, envelope: Envelope
) -> None:
    """Approve the return when the unit comes back; close (or decline) it when the case is
    resolved without it, as the marketplace takes it; a later decision supersedes this one."""
    await return_actions.owe_for_decision(
        session, decision.case_id, decision.remedy, decision.refund_minor, envelope.time
    )
    facts = {
        "remedy": decision.remedy.value,
        "amount_minor": decision.refund_minor or None,
        "currency": decision.currency.value if decision.refund_minor else None,
    }
    await outgoing_messages.owe_after_decision(
        session, decision.case_id, decision.remedy, envelope.id, facts
    )


async def on_resolution_offered(
    session: AsyncSession, offer: ResolutionOffered, envelope: Envelope
) -> None:
    """The offer (or the notice of a remedy owed) in resolution's own words, which carry
    its amount, what the buyer keeps, its expiry and the legal notices it needs."""
    facts = {
        "offer_text": offer.message,
        "remedy": offer.remedy.value,
        "amount_minor": offer.amount_minor,
        "currency": offer.currency.value,
        "expires_at": offer.expires_at.isoformat(),
    }
    kind = offer_kind(offer.needs_answer)
    await outgoing_messages.owe(session, offer.case_id, kind, envelope.id, facts)


async def on_resolution_held_for_agent(
    session: AsyncSession, held: ResolutionHeldForAgent, envelope: Envelope
) -> None:
    """Nothing is owed: resolution's answer, why and the rights the buyer keeps, goes to the
    buyer; the case still waits for an agent. Any other hold says nothing to the buyer."""
    if not held.message:
        return
    facts = {"offer_text": held.message, "nothing_owed": held.nothing_owed}
    await outgoing_messages.owe(session, held.case_id, MessageKind.NOTHING_OWED, envelope.id, facts)


async def on_return_label_issued(
    session: AsyncSession, label: ReturnLabelIssued, envelope: Envelope
) -> None:
    facts = {"carrier": label.carrier, "tracking": label.tracking_number, "rma": label.rma_id}
    await outgoing_messages.owe(
        session, label.case_id, MessageKind.RETURN_LABEL_ISSUED, envelope.id, facts
    )


async def on_shipped(session: AsyncSession, shipped: Shipped, envelope: Envelope) -> None:
    facts = {
        "remedy": shipped.remedy.value,
        "carrier": shipped.carrier,
        "service": shipped.service,
        "tracking": shipped.tracking_number,
        "promised_by": shipped.promised_by.isoformat() if shipped.promised_by else None,
    }
    await outgoing_messages.owe(
        session, shipped.case_id, MessageKind.PARCEL_SHIPPED, envelope.id, facts
    )


async def on_refund_issued(session: AsyncSession, refund: RefundIssued, envelope: Envelope) -> None:
    facts = {
        "remedy": refund.remedy.value,
        "amount_minor": refund.amount_minor,
        "currency": refund.currency.value,
    }
    if refund.remedy is Remedy.STORE_CREDIT:
        facts["credit_code"] = await refunding.credit_code_of(session, refund.refund_id)
    await outgoing_messages.owe_after_refund(
        session, refund.case_id, refund.remedy, envelope.id, facts
    )


async def on_return_received(session: AsyncSession, received: ReturnReceived, _: Envelope) -> None:
    note = f"received at {received.warehouse} under {received.rma_id}"
    await return_actions.owe_for_receipt(session, received.case_id, note)
