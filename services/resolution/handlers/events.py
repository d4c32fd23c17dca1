"""Events in, the case's next step out. Each handler runs in the consumer's transaction.

- `case.opened`: record the case, plan and take the first step; or wait for an agent's
  `case.classified` when intake could not tell the scenario, or for the carrier's word on
  a parcel the buyer says never arrived; clocks run for a case not answered at once. A
  case the marketplace fulfilled (Amazon FBA) is the marketplace's to take back and
  refund: nothing is planned (no label, no refund), it is held with that reason.
- `case.buyer_replied`: accept or decline the open offer.
- `fulfillment.stock_unavailable`: the part or exchange cannot ship: the next step.
- `fulfillment.return_received`: the unit is back: the full refund is owed now.
- `refurbish.disposition_decided`: what a returned unit was graded and recovered, kept
  for the recovery values the cost model learns.
- `refurbish.unit_held_for_agent`: the repair shop cannot repair the buyer's unit: the
  case goes to the agents' queue with the shop's reason.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain import cases
from services.resolution.domain.cases import CaseState
from services.resolution.domain.clocks import ANSWER_CLOCKS, first_reply_clock, marketplace_clocks
from services.resolution.domain.fulfilment import (
    fulfilled_by_marketplace,
    marketplace_takes_it_back,
)
from services.resolution.domain.offers import OfferState
from services.resolution.tables import CaseDecision
from services.resolution.workflows import (
    batches,
    offering,
    parcel_tracing,
    policies,
    recoveries,
    refunding,
    timekeeping,
)
from services.resolution.workflows.cases import hold, record_of
from shared.consumer import RejectedEvent
from shared.events import (
    BuyerAnswer,
    BuyerReplied,
    CaseClassified,
    CaseOpened,
    DispositionDecided,
    Envelope,
    Remedy,
    ReturnReceived,
    StockUnavailable,
    UnitHeldForAgent,
)
from shared.messaging_tables import utc_now


async def on_case_opened(session: AsyncSession, case: CaseOpened, _: Envelope) -> None:
    now = utc_now()
    record = record_of(case)
    session.add(record)
    batches.opened(session, record)
    if fulfilled_by_marketplace(case.marketplace):
        # No remedy, no clock: the marketplace answers its buyer and takes the unit back.
        record.rule = "no remedy is the seller's to plan"
        await hold(session, record, [marketplace_takes_it_back(case.marketplace)], now)
        return
    deadlines = marketplace_clocks([(d.name, d.due_at) for d in case.deadlines], case.opened_at)
    deadlines = await timekeeping.breach_overdue(session, case.case_id, deadlines, case.opened_at)
    in_force = await policies.policy_for_planning(session, case.seller_account)
    answered = False
    if case.scenario is None:
        record.rule = "waiting for an agent to classify the case"
    else:
        why = f"intake classified a {case.scenario.value}"
        answered = await parcel_tracing.trace_or_resolve(
            session, record, why, now, in_force, buyer_words=case.buyer_comment
        )
    if answered:
        return  # answered in this very transaction, the usual case: no clock needs to run
    reply_hours = in_force[0].first_reply_business_hours
    clocks = [first_reply_clock(case.opened_at, case.market, reply_hours), *deadlines]
    timekeeping.add_new_case_clocks(session, case.case_id, clocks)


async def case_of(session: AsyncSession, case_id: str) -> CaseDecision:
    record = await batches.find_case(session, case_id, lock=True)
    if record is None:
        raise RejectedEvent(f"no case {case_id} in resolution")
    return record


async def on_case_classified(session: AsyncSession, event: CaseClassified, _: Envelope) -> None:
    record = await case_of(session, event.case_id)
    if not cases.takes_classification(CaseState(record.state)):
        return  # planned already: an agent's late choice changes nothing
    record.scenario = event.scenario.value
    why = f"agent {event.agent} classified a {event.scenario.value}"
    now = utc_now()
    if await parcel_tracing.trace_or_resolve(session, record, why, now):
        await timekeeping.stop_clocks(session, record.case_id, ANSWER_CLOCKS, now)


async def on_buyer_replied(session: AsyncSession, reply: BuyerReplied, _: Envelope) -> None:
    """A yes or no answers the open offer; free text, or no open offer, is for an agent."""
    if reply.answer is BuyerAnswer.MESSAGE:
        return
    record = await case_of(session, reply.case_id)
    offer = await offering.open_offer(session, reply.case_id)
    if offer is None:
        return
    if reply.answer is BuyerAnswer.ACCEPT:
        await offering.accept(session, record, offer, reply.at, reply.exchange_for)
    else:
        note = reply.text[:500]
        await offering.give_up(session, record, offer, OfferState.DECLINED, note, reply.at)


async def on_stock_unavailable(session: AsyncSession, event: StockUnavailable, _: Envelope) -> None:
    record = await case_of(session, event.case_id)
    await offering.undo(session, record, event, utc_now())


async def on_return_received(session: AsyncSession, event: ReturnReceived, _: Envelope) -> None:
    record = await case_of(session, event.case_id)
    if record.remedy != Remedy.RETURN_FULL_REFUND:
        return  # e.g. the old unit of an exchange: nothing more is owed
    await refunding.owe_refund(session, record, Remedy.RETURN_FULL_REFUND, record.refund_minor)
    await timekeeping.start_refund_clock(session, record, event.received_at)


async def on_disposition_decided(
    session: AsyncSession, event: DispositionDecided, _: Envelope
) -> None:
    record = await batches.find_case(session, event.case_id, lock=False)
    if record is None:
        return  # a unit of a case resolution never planned (e.g. opened by hand elsewhere)
    await recoveries.record(session, record, event)


async def on_unit_held_for_agent(
    session: AsyncSession, event: UnitHeldForAgent, _: Envelope
) -> None:
    """A repair the shop cannot carry out: an agent decides what the buyer gets instead."""
    record = await batches.find_case(session, event.case_id, lock=True)
    if record is None:
        return  # a unit of a case resolution never planned
    finding = f"repair shop {event.warehouse} cannot repair the unit: {event.reason}"
    if record.state == CaseState.HELD and finding in record.rule:
        return  # held for this already
    await hold(session, record, [finding], event.at, Remedy.REPAIR)
