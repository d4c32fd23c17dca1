"""A case's way through its plan: offer a step, take the answer, decide, or hand it over.

    plan ─▶ step 1 ─ owed? ──yes──▶ decided (+ refund owed)
               │ no
               ▼
            offered ─ accepted ─▶ decided
               │ declined / expired / impossible
               ▼
            step 2 ... ─ none left, or a message fails the lint ─▶ held for an agent

Every function runs inside the caller's transaction and emits its events through the
outbox, so a state change and its event commit together.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution import knowledge_base, outcomes, policies, refunding
from services.resolution.domain.engine import LADDERS, CaseFacts, plan
from services.resolution.domain.exchanges import Swap, settles, swap_for
from services.resolution.domain.offers import PlannedStep, draft, planned_steps
from services.resolution.domain.policy import (
    DEFAULT_POLICY,
    SellerPolicy,
    with_learnt_acceptance,
)
from services.resolution.domain.troubleshooting import Guide
from services.resolution.tables import CaseDecision, Offer
from shared.events import (
    CaseItem,
    ExchangeChoice,
    Remedy,
    ResolutionAccepted,
    ResolutionDecided,
    ResolutionDeclined,
    ResolutionHeldForAgent,
    ResolutionOffered,
    Scenario,
)
from shared.markets import Currency, Market
from shared.outbox import emit

# Remedies paid as soon as they are decided (a return's refund waits for the unit; an
# exchange pays back a cheaper variant's difference).
REFUNDED_AT_ONCE = (Remedy.PARTIAL_REFUND, Remedy.REFUND_WITHOUT_RETURN, Remedy.EXCHANGE)

# Clocks a first message to the buyer stops.
ANSWER_CLOCKS = ("first_reply", "amazon_reply", "seller_response")


def items_of(record: CaseDecision) -> list[CaseItem]:
    return [CaseItem.model_validate(item) for item in record.items]


def steps_of(record: CaseDecision) -> list[PlannedStep]:
    return [PlannedStep.model_validate(step) for step in record.plan]


async def resolve(
    session: AsyncSession,
    record: CaseDecision,
    why: str,
    now: datetime,
    policy_in_force: tuple[SellerPolicy, int] | None = None,
) -> bool:
    """Plan the case's remedies with the seller's policy in force, then take the first step.
    True when a message went to the buyer."""
    policy, version = policy_in_force or await policies.policy_for_planning(
        session, record.seller_account
    )
    if policy.learn_acceptance:
        answers = await outcomes.answers_of(session, record.seller_account)
        policy = with_learnt_acceptance(policy, answers)
    facts = facts_of(record, now)
    guides: list[Guide] = []
    if Remedy.TROUBLESHOOTING in LADDERS[facts.scenario]:
        guides = await knowledge_base.guides_for_planning(session, record.seller_account)
    # The buyer's rights as of the day they opened the case: a right claimed in time stays.
    the_plan = plan(facts, policy, version, guides, now=facts.opened_at)
    steps = planned_steps(the_plan)
    record.plan = [step.model_dump(mode="json") for step in steps]
    record.alternatives = [a.model_dump(mode="json") for a in the_plan.alternatives]
    record.policy_version = version
    record.rule = f"{why}; {the_plan.rule}"
    record.step = 0
    return await take_next_step(session, record, now, steps)


def facts_of(record: CaseDecision, now: datetime) -> CaseFacts:
    return CaseFacts(
        case_id=record.case_id,
        marketplace=record.marketplace,
        market=Market(record.market),
        currency=Currency(record.currency),
        scenario=Scenario(record.scenario),
        items=items_of(record),
        opened_at=record.opened_at or now,
        delivered_at=record.delivered_at,
        language=record.language,
        fault_code=record.fault_code,
    )


async def take_next_step(
    session: AsyncSession,
    record: CaseDecision,
    now: datetime,
    steps: list[PlannedStep] | None = None,
) -> bool:
    """Offer the next step, or decide it when owed; True when a message went to the buyer.
    The caller stops the answer clocks after a first message (see `ANSWER_CLOCKS`).
    `steps`: the plan just made, when the caller has it (saves reading it back)."""
    steps = steps if steps is not None else steps_of(record)
    if record.step >= len(steps):
        await hold(session, record, ["no remedy left in the plan: an agent decides"], now)
        return False
    record.step += 1
    step = steps[record.step - 1]
    policy = await policies.policy_version(session, record.seller_account, record.policy_version)
    expiry = timedelta(hours=(policy or DEFAULT_POLICY).offer_expiry_hours)
    the_draft = draft(
        step,
        record.language,
        Market(record.market),
        Currency(record.currency),
        product_title(record),
        now + expiry,
        Scenario(record.scenario),
    )
    if not the_draft.sendable:
        await hold(session, record, the_draft.findings, now, step.remedy)
        return False
    offer = Offer(
        offer_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.case_id}/offer/{record.step}")),
        case_id=record.case_id,
        step=record.step,
        remedy=step.remedy.value,
        amount_minor=step.refund_minor,
        currency=record.currency,
        language=the_draft.language,
        message=the_draft.message,
        state="accepted" if step.owed else "open",
        offered_at=now,
        expires_at=now + expiry,
        answered_at=now if step.owed else None,
    )
    session.add(offer)
    await emit(session, offered_event(offer, step))
    if step.owed:
        await decide(session, record, step, now, f"{step.remedy.value} is owed without asking")
    else:
        record.state = "offered"
        session.add(record)
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


def product_title(record: CaseDecision) -> str:
    first = items_of(record)[0]
    return first.title or first.sku


async def decide(
    session: AsyncSession,
    record: CaseDecision,
    step: PlannedStep,
    now: datetime,
    why: str,
    swap: Swap | None = None,
) -> None:
    """The case ends with `step`; for an exchange, `swap` says what ships and for what."""
    refund = swap.refund_minor if swap else step.refund_minor
    record.state = "decided"
    record.remedy = step.remedy.value
    record.refund_minor = refund
    record.route = step.route.value if step.route else None
    record.decided_at = now
    session.add(record)
    await emit(
        session,
        ResolutionDecided(
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
        ),
    )
    if step.remedy in REFUNDED_AT_ONCE:
        await refunding.owe_refund(session, record, step.remedy, refund)


async def hold(
    session: AsyncSession,
    record: CaseDecision,
    findings: list[str],
    now: datetime,
    remedy: Remedy | None = None,
) -> None:
    """Nothing goes to the buyer; the case waits in the agents' queue with the reasons."""
    record.state = "held"
    record.rule = f"{record.rule}; held for an agent: {'; '.join(findings)}"
    session.add(record)
    await emit(
        session,
        ResolutionHeldForAgent(case_id=record.case_id, remedy=remedy, findings=findings, at=now),
    )


async def open_offer(session: AsyncSession, case_id: str) -> Offer | None:
    return await session.scalar(
        select(Offer).where(Offer.case_id == case_id, Offer.state == "open").with_for_update()
    )


async def accept(
    session: AsyncSession,
    record: CaseDecision,
    offer: Offer,
    now: datetime,
    choice: ExchangeChoice | None = None,
) -> None:
    remedy = Remedy(offer.remedy)
    step = steps_of(record)[offer.step - 1]
    swap = swap_for(items_of(record), choice) if remedy is Remedy.EXCHANGE else None
    if swap is not None:
        policy = await policies.policy_version(
            session, record.seller_account, record.policy_version
        )
        limit = (policy or DEFAULT_POLICY).exchange_max_price_difference_minor
        if not settles(swap, limit):
            note = f"price difference {swap.price_difference_minor} exceeds the policy's {limit}"
            await give_up(session, record, offer, "impossible", note, now)
            return
    offer.state, offer.answered_at = "accepted", now
    session.add(offer)
    await emit(
        session,
        ResolutionAccepted(case_id=offer.case_id, offer_id=offer.offer_id, remedy=remedy, at=now),
    )
    await decide(session, record, step, now, f"the buyer accepted {remedy.value}", swap)


async def give_up(
    session: AsyncSession,
    record: CaseDecision,
    offer: Offer | None,
    cause: str,
    note: str,
    now: datetime,
) -> None:
    """The current step ends without the buyer taking it: on to the next one."""
    remedy = Remedy(offer.remedy) if offer else steps_of(record)[record.step - 1].remedy
    if offer is not None:
        offer.state, offer.answered_at = cause, now
        session.add(offer)
    await emit(
        session,
        ResolutionDeclined(
            case_id=record.case_id,
            offer_id=offer.offer_id if offer else "",
            remedy=remedy,
            cause=cause,
            note=note,
            at=now,
        ),
    )
    await take_next_step(session, record, now)
