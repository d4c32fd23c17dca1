"""A case's way through its plan: offer a step, take the answer, decide, or hand it over.

    plan ─▶ step 1 ─ owed? ──yes──▶ decided (+ refund owed)
               │ no
               ▼
            offered ─ accepted ─▶ decided
               │ declined / expired / impossible
               ▼
            step 2 ... ─ none left, or a message fails the lint ─▶ held for an agent

Every function runs inside the caller's transaction and emits its events through the
outbox, so a state change and its event commit together. The seller's policy is read
once per step: whoever reads it first passes it on (`policy`); the later steps of a case
read the version it was planned with.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain import cases, nothing_owed, offers
from services.resolution.domain.cases import CaseState
from services.resolution.domain.engine import breach_of, consider, marketplace_exclusion
from services.resolution.domain.exchanges import Swap, settles, swap_for
from services.resolution.domain.law import BuyerRights, ReturnException
from services.resolution.domain.offers import OfferState, PlannedStep, draft, planned_steps
from services.resolution.domain.policy import SellerPolicy
from services.resolution.tables import CaseDecision, Offer
from services.resolution.workflows import batches, policies, refunding
from services.resolution.workflows.cases import facts_of, hold, items_of, product_title, steps_of
from services.resolution.workflows.moves import moved
from services.resolution.workflows.planning import planning_inputs
from shared.events import (
    ExchangeChoice,
    Remedy,
    ResolutionDecided,
    ResolutionOffered,
    Scenario,
    StockUnavailable,
)
from shared.markets import Currency, Market

# Remedies paid as soon as they are decided (a return's refund waits for the unit; an
# exchange pays back a cheaper variant's difference; store credit is a gift card intake
# issues through the refund protocol).
REFUNDED_AT_ONCE = (
    Remedy.PARTIAL_REFUND,
    Remedy.REFUND_WITHOUT_RETURN,
    Remedy.EXCHANGE,
    Remedy.STORE_CREDIT,
)

LAPSED_BATCH = 200  # lapsed offers per sweep


async def resolve(
    session: AsyncSession,
    record: CaseDecision,
    why: str,
    now: datetime,
    in_force: tuple[SellerPolicy, int] | None = None,
) -> bool:
    """Plan the case's remedies with the seller's policy in force (`in_force` when the
    caller read it already), then take the first step. True when a message went to the
    buyer."""
    facts = facts_of(record, now)
    inputs = await planning_inputs(session, record.seller_account, (facts.scenario,), in_force)
    the_plan = inputs.plan(facts, inputs.learnt())
    steps = planned_steps(the_plan)
    record.plan = [step.model_dump(mode="json") for step in steps]
    record.alternatives = [a.model_dump(mode="json") for a in the_plan.alternatives]
    record.policy_version = inputs.version
    record.rule = f"{why}; {the_plan.rule}"
    record.step = 0
    reason = nothing_owed.reason_of(facts, the_plan)
    if reason is not None:
        excepted = facts.not_returnable
        return await answer_nothing_owed(session, record, reason, the_plan.rights, now, excepted)
    return await take_next_step(session, record, now, steps, policy=inputs.policy)


async def answer_nothing_owed(
    session: AsyncSession,
    record: CaseDecision,
    reason: nothing_owed.NothingOwedReason,
    rights: BuyerRights,
    now: datetime,
    excepted: ReturnException | None = None,
) -> bool:
    """The buyer is owed nothing: they are told why and what the law still gives them (intake
    sends it), and the case waits for an agent, who may offer something anyway. A message
    the lint refuses is not sent: the case waits for the agent in silence, as before.
    `excepted`: the channel's exception that keeps the item from going back, if that is why."""
    scenario = Scenario(record.scenario)
    products = excepted.products if excepted else ""
    the_draft = nothing_owed.draft(
        reason, rights, record.language, product_title(record), scenario, products
    )
    if not the_draft.sendable:
        await hold(session, record, the_draft.findings, now)
        return False
    told = cases.Told(reason.value, the_draft.language, the_draft.message)
    why = f"{excepted.id}, {products} do not go back" if excepted else ""
    finding = nothing_owed.finding_of(reason, rights.return_closed_on, why)
    await hold(session, record, [finding], now, told=told)
    return True


async def take_next_step(
    session: AsyncSession,
    record: CaseDecision,
    now: datetime,
    steps: list[PlannedStep] | None = None,
    *,
    policy: SellerPolicy | None = None,
) -> bool:
    """Offer the next step, or decide it when owed; True when a message went to the buyer.
    The caller stops the answer clocks after a first message (`clocks.ANSWER_CLOCKS`).
    `steps`: the plan just made, when the caller has it (saves reading it back)."""
    steps = steps if steps is not None else steps_of(record)
    if record.step >= len(steps):
        await hold(session, record, ["no remedy left in the plan: an agent decides"], now)
        return False
    record.step += 1
    step = steps[record.step - 1]
    policy = policy or await policies.policy_of(session, record)
    expires_at = now + timedelta(hours=policy.offer_expiry_hours)
    the_draft = draft(
        step,
        record.language,
        Market(record.market),
        Currency(record.currency),
        product_title(record),
        expires_at,
        Scenario(record.scenario),
    )
    if not the_draft.sendable:
        await hold(session, record, the_draft.findings, now, step.remedy)
        return False
    owed = step.owed
    offer = Offer(
        offer_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.case_id}/offer/{record.step}")),
        case_id=record.case_id,
        step=record.step,
        remedy=step.remedy.value,
        amount_minor=step.refund_minor,
        currency=record.currency,
        language=the_draft.language,
        message=the_draft.message,
        state=offers.sent(step),
        offered_at=now,
        expires_at=expires_at,
        answered_at=now if owed else None,
    )
    session.add(offer)
    batches.offered(session, offer)
    offered = offered_event(offer, step)
    if owed:
        why = f"{step.remedy.value} is owed without asking"
        await decide(session, record, step, now, why, notice=offered)
    else:
        await moved(session, record, cases.offer(CaseState(record.state), offered))
    return True


def offered_event(offer: Offer, step: PlannedStep) -> ResolutionOffered:
    return ResolutionOffered(
        case_id=offer.case_id,
        offer_id=offer.offer_id,
        step=offer.step,
        remedy=step.remedy,
        amount_minor=offer.amount_minor,
        currency=Currency(offer.currency),
        language=offer.language,
        message=offer.message,
        expires_at=offer.expires_at,
        needs_answer=not step.owed,
    )


async def decide(
    session: AsyncSession,
    record: CaseDecision,
    step: PlannedStep,
    now: datetime,
    why: str,
    swap: Swap | None = None,
    notice: ResolutionOffered | None = None,
) -> None:
    """The case ends with `step`; for an exchange, `swap` says what ships and for what;
    `notice` tells the buyer of a remedy owed without asking."""
    refund = swap.refund_minor if swap else step.refund_minor
    decided = ResolutionDecided(
        case_id=record.case_id,
        scenario=Scenario(record.scenario),
        remedy=step.remedy,
        market=record.market,
        region=record.region,
        currency=record.currency,
        refund_minor=refund,
        items=swap.items if swap else items_of(record),
        rule=f"{record.rule}; step {record.step}: {why}",
        route=step.route,
        policy_version=record.policy_version,
        alternatives=record.alternatives,
        price_difference_minor=swap.price_difference_minor if swap else 0,
        seller_account=record.seller_account,
    )
    transition = cases.decide(CaseState(record.state), decided, notice)
    record.remedy = step.remedy.value
    record.refund_minor = refund
    record.route = step.route.value if step.route else None
    record.decided_at = now
    await moved(session, record, transition)
    if step.remedy in REFUNDED_AT_ONCE:
        await refunding.owe_refund(session, record, step.remedy, refund)


async def open_offer(session: AsyncSession, case_id: str) -> Offer | None:
    known, offer = batches.known_open_offer(session, case_id)
    if known:
        return offer
    return await session.scalar(
        select(Offer)
        .where(Offer.case_id == case_id, Offer.state == OfferState.OPEN)
        .with_for_update()
    )


async def accept(
    session: AsyncSession,
    record: CaseDecision,
    offer: Offer,
    now: datetime,
    choice: ExchangeChoice | None = None,
) -> None:
    """The buyer takes the offer; an exchange for a variant whose price differs by more
    than the seller's policy settles is impossible, and the next step follows."""
    remedy = Remedy(offer.remedy)
    step = steps_of(record)[offer.step - 1]
    swap = swap_for(items_of(record), choice) if remedy is Remedy.EXCHANGE else None
    if swap is not None:
        policy = await policies.policy_of(session, record)
        limit = policy.exchange_max_price_difference_minor
        if not settles(swap, limit):
            note = f"price difference {swap.price_difference_minor} exceeds the policy's {limit}"
            await give_up(session, record, offer, OfferState.IMPOSSIBLE, note, now, policy=policy)
            return
    transition = offers.accept(OfferState(offer.state), offer.case_id, offer.offer_id, remedy, now)
    if transition.repeated:
        return
    offer.answered_at = now
    await moved(session, offer, transition)
    await decide(session, record, step, now, f"the buyer accepted {remedy.value}", swap)


async def give_up(
    session: AsyncSession,
    record: CaseDecision,
    offer: Offer,
    end: OfferState,
    note: str,
    now: datetime,
    *,
    policy: SellerPolicy | None = None,
) -> None:
    """The buyer does not take the offer (`end`: declined, expired, impossible): on to
    the next step."""
    transition = offers.end_untaken(
        OfferState(offer.state),
        OfferState(end),
        record.case_id,
        offer.offer_id,
        Remedy(offer.remedy),
        note,
        now,
    )
    if transition.repeated:
        return
    offer.answered_at = now
    await moved(session, offer, transition)
    await take_next_step(session, record, now, policy=policy)


async def undo(
    session: AsyncSession, record: CaseDecision, unavailable: StockUnavailable, now: datetime
) -> None:
    """Fulfillment cannot ship the remedy decided (out of stock): on to the next step,
    unless the case has moved on since."""
    transition = cases.undo(CaseState(record.state), record.remedy, unavailable, now)
    if transition.repeated:
        return
    await moved(session, record, transition)
    await take_next_step(session, record, now)


async def cases_with_lapsed_offers(session: AsyncSession, now: datetime) -> list[str]:
    rows = await session.scalars(
        select(Offer.case_id)
        .where(Offer.state == OfferState.OPEN, Offer.expires_at <= now)
        .order_by(Offer.expires_at)
        .limit(LAPSED_BATCH)
    )
    return list(rows)


async def next_lapse(session: AsyncSession) -> datetime | None:
    """When the next open offer lapses."""
    return await session.scalar(
        select(func.min(Offer.expires_at)).where(Offer.state == OfferState.OPEN)
    )


class NotOffered(ValueError):
    """An agent's offer the case cannot take: `conflict` when the case is not held."""

    def __init__(self, reason: str, conflict: bool = False):
        super().__init__(reason)
        self.conflict = conflict


async def offer_anyway(
    session: AsyncSession, record: CaseDecision, remedy: Remedy, agent: str, now: datetime
) -> bool:
    """An agent overrides a held case (nothing owed, or no remedy left): `remedy` goes to the
    buyer anyway, as goodwill, even where the seller's policy or a closed window ruled it
    out, but never what the law forbids or what cannot be carried out. A retry of the same
    offer once made changes nothing (False). True when a message went to the buyer."""
    steps = steps_of(record)
    if CaseState(record.state) is not CaseState.HELD:
        if steps and steps[-1].remedy is remedy and anyway(agent, remedy) in record.rule:
            return False  # made already: a retried request
        raise NotOffered(f"case {record.case_id} is {record.state}, not held", conflict=True)
    facts = facts_of(record, now)
    # The guides are read for a guide offered on any case, not only where a ladder has one.
    guided = (Scenario.FUNCTIONAL_FAULT,) if remedy is Remedy.TROUBLESHOOTING else ()
    inputs = await planning_inputs(session, record.seller_account, (facts.scenario, *guided))
    policy = inputs.learnt()
    rights = inputs.plan(facts, policy).rights
    candidate = consider(remedy, facts, policy, inputs.version, inputs.guides, rights)
    step = candidate.step
    offer = (facts.market, facts.scenario, remedy, rights, step.seller_pays_return)
    no_guide = remedy is Remedy.TROUBLESHOOTING and step.guide is None
    why_not = marketplace_exclusion(facts) or breach_of(offer, facts) or (no_guide and "no guide")
    if why_not:
        raise NotOffered(f"{remedy.value} cannot be offered: {why_not}")
    record.plan = [*record.plan, offers.planned(step, rights).model_dump(mode="json")]
    record.step = len(record.plan) - 1
    record.rule = f"{record.rule}; {anyway(agent, remedy)}"
    return await take_next_step(session, record, now, policy=policy)


def anyway(agent: str, remedy: Remedy) -> str:
    return f"agent {agent} offered {remedy.value} anyway"
