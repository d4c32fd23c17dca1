"""Marketplace claims, written as data: the four kinds of claim a seller answers with an
evidence pack, each with its filing or response deadline as a service-level clock, and the
outcomes a claim ends with. Plain rules, no I/O.

Each `ClaimRule` says when its clock starts (`starts_from`), how long it runs (calendar
days, business days or hours, counted on the market's own calendar by
`shared.business_time`), and where the figure comes from (`Source`: citation, URL, and
whether it was checked against the marketplace's own text), as resolution's law does.
A deadline the marketplace states on the claim itself (a chargeback's `due_by`, the date
on an Amazon notice) wins over the rule's: `due_at(..., stated=...)`.

`REPLY_RULES` are the marketplaces' deadlines for answering a buyer's message: the pack
shows each reply of the seller against them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.business_time import business_days_after, calendar_days_after
from shared.events import MAX_MINOR, ClaimKind
from shared.markets import Market

MAX_CLAIM_MINOR = MAX_MINOR
__all__ = ["ClaimKind"]  # the kinds are the event contract's (`shared.events`)


class StartsFrom(StrEnum):
    """What starts a claim's clock."""

    NOTICE = "notice"  # the marketplace's or the processor's notice of the claim
    REFUND = "refund"  # the refund the seller wants back (SAFE-T)


class Outcome(StrEnum):
    OPEN = "open"  # the pack is not sent yet
    FILED = "filed"  # sent; waiting for the marketplace's decision
    WON = "won"  # decided for the seller: the money is kept or paid back
    PARTLY_WON = "partly_won"  # some of it recovered
    LOST = "lost"  # decided for the buyer
    WITHDRAWN = "withdrawn"  # the seller let it go (refunded the buyer, settled)


DECIDED = frozenset({Outcome.WON, Outcome.PARTLY_WON, Outcome.LOST, Outcome.WITHDRAWN})
RECOVERING = frozenset({Outcome.WON, Outcome.PARTLY_WON})


@dataclass(frozen=True)
class Source:
    citation: str
    url: str
    verified: bool  # checked against the marketplace's own text
    note: str = ""


@dataclass(frozen=True)
class ClaimRule:
    kind: ClaimKind
    title: str
    says: str
    starts_from: StartsFrom
    source: Source
    days: int | None = None  # calendar days, to the end of the market's local day
    business_days: int | None = None
    hours: int | None = None
    marketplaces: frozenset[str] = frozenset()  # the channels it applies to; empty: any
    # What the pack must show for this kind, in the order the marketplace's form asks.
    sections: tuple[str, ...] = ()


AMAZON = frozenset({"amazon", "amazon_fba"})

RULES: dict[ClaimKind, ClaimRule] = {
    rule.kind: rule
    for rule in (
        ClaimRule(
            kind=ClaimKind.AMAZON_A_TO_Z,
            title="Amazon A-to-z Guarantee claim",
            says="When Amazon asks the seller for more information on an A-to-z claim, the "
            "seller answers within 48 hours or the claim is granted to the buyer and debited.",
            starts_from=StartsFrom.NOTICE,
            hours=48,
            marketplaces=AMAZON,
            source=Source(
                "Amazon Seller Central help G1781, Respond to an A-to-z Guarantee claim "
                "notification",
                "https://sellercentral.amazon.com/gp/help/external/1781",
                verified=True,
                note="Help page 27951 (About A-to-z Guarantee claims) says 72 hours for the "
                "same request; the shorter is kept. A granted claim may be appealed within "
                "30 calendar days (27951).",
            ),
            sections=("order", "delivery", "conversation", "offers", "refunds", "return"),
        ),
        ClaimRule(
            kind=ClaimKind.AMAZON_SAFE_T,
            title="Amazon SAFE-T reimbursement claim",
            says="A SAFE-T claim for a refund Amazon issued on the seller's account is filed "
            "within 30 days (60 before 16 February 2026) of the refund.",
            starts_from=StartsFrom.REFUND,
            days=30,
            marketplaces=AMAZON,
            source=Source(
                "Amazon SAFE-T reimbursement policy (Seller Central help 202175000), window "
                "change of 16 February 2026",
                "https://sellercentral.amazon.com/gp/help/external/help.html?itemID=202175000",
                verified=False,
                note="The 30 days are reported by sellers' services (biginternetcommerce.com, "
                "northline-seller-recovery.com); Amazon's page was not read with the figure. "
                "Some stores (AE) are reported with 7 days for damaged returns.",
            ),
            sections=("order", "return", "refunds", "conversation", "delivery", "offers"),
        ),
        ClaimRule(
            kind=ClaimKind.EBAY_MONEY_BACK,
            title="eBay Money Back Guarantee case",
            says="The seller has 3 business days from the opening of a request or case to "
            "make it right before the buyer may ask eBay to step in.",
            starts_from=StartsFrom.NOTICE,
            business_days=3,
            marketplaces=frozenset({"ebay"}),
            source=Source(
                "eBay Resolution Centre, What does eBay Money Back Guarantee mean to sellers?",
                "https://pages.ebay.ca/resolutioncenter/BuyerProtectionForSellers.html",
                verified=True,
                note="Also pages.ebay.com seller-protection/fair-case-resolution: buyers can "
                "escalate after 3 business days. Proof of delivery wins an item-not-received "
                "case.",
            ),
            sections=("order", "delivery", "conversation", "offers", "return", "refunds"),
        ),
        ClaimRule(
            kind=ClaimKind.CHARGEBACK,
            title="Payment chargeback",
            says="The seller answers a card dispute with evidence by the processor's due "
            "date; without one stated, the shortest network window assumed here is 7 days.",
            starts_from=StartsFrom.NOTICE,
            days=7,
            source=Source(
                "Stripe, Use the API to respond to disputes (evidence_details.due_by)",
                "https://stripe.com/docs/disputes/api",
                verified=False,
                note="Each dispute states its own due date (Stripe's `due_by`): record it with "
                "the claim. Networks give 20 to 45 days (Chargeflow's network timelines); "
                "processors cut that to 7 to 21, so 7 is the safe default.",
            ),
            sections=("order", "delivery", "refunds", "conversation", "offers", "return"),
        ),
    )
}


@dataclass(frozen=True)
class ReplyRule:
    marketplaces: frozenset[str]
    hours: int
    source: Source


REPLY_RULES: tuple[ReplyRule, ...] = (
    ReplyRule(
        AMAZON,
        48,
        Source(
            "Amazon, A-to-z Guarantee seller response policy (announcement of July 2020)",
            "https://sellercentral.amazon.com/gp/help/external/help.html?itemID=27951",
            verified=True,
            note="Sellers answer buyers' messages and return requests within 48 hours.",
        ),
    ),
    ReplyRule(
        frozenset({"ebay"}),
        72,
        Source(
            "eBay seller protection, fair case resolution",
            "http://pages.ebay.com/seller-center/seller-protection/fair-case-resolution.html",
            verified=True,
            note="3 business days, held here as 72 hours for each reply.",
        ),
    ),
)


def reply_hours(marketplace: str | None) -> int | None:
    """The hours a marketplace gives the seller to answer a buyer; None where none is set."""
    for rule in REPLY_RULES:
        if marketplace in rule.marketplaces:
            return rule.hours
    return None


class ClaimRefused(ValueError):
    """A claim that cannot be opened as asked (a 422 with the reason)."""


def rule_for(kind: ClaimKind, marketplace: str | None) -> ClaimRule:
    """The rule of `kind`, if it applies to the case's marketplace."""
    rule = RULES[kind]
    if rule.marketplaces and marketplace not in rule.marketplaces:
        raise ClaimRefused(f"a {rule.title} is for {', '.join(sorted(rule.marketplaces))} cases")
    return rule


def due_at(
    rule: ClaimRule, starts: datetime, market: Market, stated: datetime | None = None
) -> datetime:
    """When the claim's clock runs out: the date the marketplace stated, or the rule's span
    from `starts` on the market's calendar."""
    if starts.tzinfo is None or (stated is not None and stated.tzinfo is None):
        raise ClaimRefused("times must carry their time zone")
    if stated is not None:
        return stated
    if rule.hours is not None:
        return starts + timedelta(hours=rule.hours)
    if rule.business_days is not None:
        return business_days_after(starts, rule.business_days, market)
    return calendar_days_after(starts, rule.days or 0, market)


class ClockState(StrEnum):
    RUNNING = "running"
    NEAR_BREACH = "near_breach"  # 75% of the span gone, as resolution's deadline alerts
    BREACHED = "breached"  # past due and not filed
    MET = "met"  # filed in time
    MISSED = "missed"  # filed after the due time


NEAR = 0.75


def clock_state(
    starts: datetime, due: datetime, now: datetime, filed_at: datetime | None
) -> ClockState:
    if filed_at is not None:
        return ClockState.MET if filed_at <= due else ClockState.MISSED
    if now > due:
        return ClockState.BREACHED
    span = (due - starts).total_seconds()
    if span <= 0 or (now - starts).total_seconds() >= NEAR * span:
        return ClockState.NEAR_BREACH
    return ClockState.RUNNING


def recovered(outcome: Outcome, amount_minor: int, recovered_minor: int | None) -> int:
    """What a decided claim brought back: the whole claim when won and nothing said, what
    was said when partly won, nothing otherwise."""
    if outcome is Outcome.WON:
        return amount_minor if recovered_minor is None else recovered_minor
    if outcome is Outcome.PARTLY_WON:
        if recovered_minor is None:
            raise ClaimRefused("a claim partly won says how much was recovered")
        return recovered_minor
    if recovered_minor:
        raise ClaimRefused(f"a claim {outcome.value} recovers nothing")
    return 0
