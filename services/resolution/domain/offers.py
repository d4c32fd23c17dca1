"""From a planned step to the message a buyer receives, checked before it goes out.

A plan is stored as `PlannedStep`s, so a case resumes after a restart exactly where it
was, with the amounts, rights and guide fixed when it was planned. `draft` renders the
step in the buyer's language and runs the compliance lint; a draft with findings is
never sent.

An offer sent is open until the buyer accepts or declines it, it lapses, or it turns out
impossible (`OFFER`); the notice of a remedy owed without asking is accepted as it goes.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from services.resolution.domain.engine import Plan, Step
from services.resolution.domain.law import BuyerRights, Window
from services.resolution.domain.messages import LANGUAGES, OfferFacts, render_offer
from services.resolution.domain.troubleshooting import guide_to_dict
from shared.compliance import Finding, lint
from shared.events import Remedy, ResolutionAccepted, ResolutionDeclined, ReturnRoute, Scenario
from shared.lifecycle import Lifecycle, Transition
from shared.markets import Currency, Market

GREETING = {"en": "Hello", "de": "Guten Tag", "fr": "Bonjour", "es": "Hola", "it": "Buongiorno"}
FALLBACK_LANGUAGE = "en"  # a buyer whose language has no templates yet reads English

# The law's disclosure rules, by the name the lint knows their wording under.
LINT_NAME_OF_RULE = {
    "eu.crd.withdrawal": "withdrawal_right",
    "uk.ccr.cancellation": "cancellation_right",
    "uk.cra.short_term_right_to_reject": "right_to_reject",
    "eu.sgd.remedies": "legal_guarantee",
    "uk.cra.repair_or_replacement": "statutory_repair",
    "eu.crd.return_cost": "return_cost",
    "uk.ccr.return_cost": "return_cost",
}


class PlannedStep(BaseModel):
    remedy: Remedy
    refund_minor: int
    seller_pays_return: bool
    route: ReturnRoute | None
    acceptance: float
    cost_minor: int
    disclosures: list[str]  # rule ids of what the message must tell the buyer
    withdrawal_until: datetime | None
    guide: dict | None = None
    right_to_reject_until: datetime | None = None
    legal_guarantee_until: datetime | None = None
    bonus_minor: int = 0  # store credit: part of `refund_minor`, the seller's bonus

    @property
    def owed(self) -> bool:
        return self.acceptance >= 1

    @property
    def required(self) -> list[str]:
        return sorted(_names(self.disclosures))


def planned_steps(plan: Plan) -> list[PlannedStep]:
    return [planned(step, plan.rights) for step in plan.steps]


def planned(step: Step, rights: BuyerRights) -> PlannedStep:
    """The step as stored; a window's end is kept only when the message must disclose it."""
    rules = [d.rule_id for d in step.disclosures]
    names = _names(rules)

    def until(name: str, window: Window) -> datetime | None:
        return rights.until(window) if name in names else None

    return PlannedStep(
        remedy=step.remedy,
        refund_minor=step.refund_minor,
        seller_pays_return=step.seller_pays_return,
        route=step.route,
        acceptance=step.acceptance,
        cost_minor=step.cost_minor,
        disclosures=rules,
        withdrawal_until=until("withdrawal_right", Window.WITHDRAWAL)
        or until("cancellation_right", Window.WITHDRAWAL),
        right_to_reject_until=until("right_to_reject", Window.RIGHT_TO_REJECT),
        legal_guarantee_until=until("legal_guarantee", Window.LEGAL_GUARANTEE),
        guide=None if step.guide is None else guide_to_dict(step.guide),
        bonus_minor=step.bonus_minor,
    )


def _names(rules: list[str]) -> set[str]:
    return {LINT_NAME_OF_RULE.get(rule, rule) for rule in rules}


class Draft(BaseModel):
    language: str
    message: str
    findings: list[str]

    @property
    def sendable(self) -> bool:
        return not self.findings


def draft(
    step: PlannedStep,
    language: str,
    market: Market,
    currency: Currency,
    product_title: str,
    expires_at: datetime,
    scenario: Scenario,
) -> Draft:
    """The message for one step, in the buyer's language, with the lint's findings."""
    language = language if language in LANGUAGES else FALLBACK_LANGUAGE
    guide = step.guide or {}
    facts = OfferFacts(
        greeting=GREETING[language],
        product_title=product_title,
        expires_at=expires_at,
        amount_minor=step.refund_minor or None,
        currency=currency if step.refund_minor else None,
        withdrawal_right_until=step.withdrawal_until,
        right_to_reject_until=step.right_to_reject_until,
        legal_guarantee_until=step.legal_guarantee_until,
        scenario=scenario,
        buyer_pays_return=not step.seller_pays_return,
        guide_title=guide.get("title"),
        guide_steps=tuple(guide.get("steps", ())),
        guide_video_url=guide.get("video_url"),
        bonus_minor=step.bonus_minor,
        cancellation="cancellation_right" in step.required,
        statutory_repair="statutory_repair" in step.required,
    )
    message = render_offer(language, step.remedy, facts)
    findings: list[Finding] = lint(message, language, market, step.required)
    return Draft(language=language, message=message, findings=[str(f) for f in findings])


class OfferState(StrEnum):
    OPEN = "open"  # waits for the buyer's answer until it expires
    ACCEPTED = "accepted"  # by the buyer, or owed without asking (a notice)
    DECLINED = "declined"
    EXPIRED = "expired"
    IMPOSSIBLE = "impossible"  # out of stock, or beyond the seller's policy


OPEN, ACCEPTED, DECLINED, EXPIRED, IMPOSSIBLE = OfferState
ANSWERED = (ACCEPTED, DECLINED, EXPIRED)  # what buyers did, for learnt acceptance

# How an offer ends without the buyer taking it, by the state it ends in.
UNTAKEN = {DECLINED: "decline", EXPIRED: "expire", IMPOSSIBLE: "rule out"}

OFFER = Lifecycle(
    "offer",
    {"accept": {OPEN: ACCEPTED}} | {action: {OPEN: end} for end, action in UNTAKEN.items()},
    done={"accept": {ACCEPTED}} | {action: {end} for end, action in UNTAKEN.items()},
)


def sent(step: PlannedStep) -> OfferState:
    """The state an offer starts in: open, or accepted for the notice of an owed remedy."""
    return ACCEPTED if step.owed else OPEN


def accept(
    state: OfferState, case_id: str, offer_id: str, remedy: Remedy, at: datetime
) -> Transition[OfferState]:
    to = OFFER.next(state, "accept", f"offer {offer_id}")
    if to is None:
        return Transition(state)
    accepted = ResolutionAccepted(case_id=case_id, offer_id=offer_id, remedy=remedy, at=at)
    return Transition(to, (accepted,))


def end_untaken(
    state: OfferState,
    end: OfferState,
    case_id: str,
    offer_id: str,
    remedy: Remedy,
    note: str,
    at: datetime,
) -> Transition[OfferState]:
    """The buyer does not take the offer: `end` says how (declined, expired, impossible)."""
    to = OFFER.next(state, UNTAKEN[end], f"offer {offer_id}")
    if to is None:
        return Transition(state)
    declined = ResolutionDeclined(
        case_id=case_id, offer_id=offer_id, remedy=remedy, cause=end.value, note=note, at=at
    )
    return Transition(to, (declined,))
