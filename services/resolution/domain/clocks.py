"""Service-level clocks of a case: what is owed to the buyer, and by when.

A clock starts when something is owed (a reply, a refund, a follow-up call) and is due
when the seller's own promise, the marketplace's policy or the law says it must be done.
Agents are warned before a clock breaches, when `WARN_SHARE` of its time has run, so the
case can still be saved; a breach costs seller metrics on the marketplace, or breaks
the law.

A clock runs until it is stopped (the thing owed was done, or is no longer needed); a
sweep alerts once when it nears its breach and once when it breaches (`CLOCK`). A
breached clock stays breached: the breach was reported, stopping it changes nothing.

Pure functions: the current time is always passed in.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.resolution.domain.law import term_of
from shared.business_time import (
    add_business_hours,
    business_days_after,
    calendar_days_after,
    utc,
)
from shared.events import DeadlineAlert
from shared.lifecycle import Lifecycle, Transition
from shared.markets import REGION_OF, Market, Region


class ClockName(StrEnum):
    FIRST_REPLY = "first_reply"  # our own: answer the buyer within the seller's business hours
    AMAZON_REPLY = "amazon_reply"  # from the case's marketplace deadlines (names come from intake)
    SELLER_RESPONSE = "seller_response"  # eBay: 2 business days
    REFUND = "refund"  # refund after the returned unit is received
    FOLLOW_UP = "follow_up"  # call the buyer after a quality-defect refund


# Clocks a first message to the buyer stops.
ANSWER_CLOCKS = (ClockName.FIRST_REPLY, ClockName.AMAZON_REPLY, ClockName.SELLER_RESPONSE)


class ClockState(StrEnum):
    RUNNING = "running"
    NEAR_BREACH = "near_breach"
    BREACHED = "breached"
    STOPPED = "stopped"  # met in time, or no longer needed


RUNNING, NEAR_BREACH, BREACHED, STOPPED = ClockState
TICKING = (RUNNING, NEAR_BREACH)  # the clocks a sweep alerts on and a stop stops

CLOCK = Lifecycle(
    "clock",
    {
        "warn": {RUNNING: NEAR_BREACH},
        "breach": {RUNNING: BREACHED, NEAR_BREACH: BREACHED},
        "stop": {RUNNING: STOPPED, NEAR_BREACH: STOPPED},
    },
    done={"warn": {NEAR_BREACH, BREACHED}, "breach": {BREACHED}, "stop": {STOPPED, BREACHED}},
)


@dataclass(frozen=True)
class Clock:
    name: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime  # near-breach moment: when WARN_SHARE of the span has elapsed


WARN_SHARE = 0.75

# Business days from receipt of the returned unit to the refund, per marketplace.
# Amazon: Seller Central return policy, refund within 2 business days of receiving the return.
# eBay: Money Back Guarantee, refund within 5 business days of receiving the item back; a
# late refund raises the ReturnRefundOverdue notification.
MARKETPLACE_REFUND_BUSINESS_DAYS: dict[str, int] = {"amazon": 2, "ebay": 5}

# The project's own default where neither a marketplace nor the law sets a refund term
# (any other marketplace in the US and Canada): not a legal rule.
DEFAULT_REFUND_BUSINESS_DAYS = 5

# The law's refund term, in calendar days, read from `law.term_of`: Directive 2011/83/EU
# art. 13 (EU) and UK Consumer Contracts Regulations 2013 reg. 34 (UK), 14 days. The UK
# counts them from receipt of the goods; the EU counts them from the buyer's notice of
# withdrawal and lets the trader withhold the refund until the goods are back (art. 13(3)),
# so counted from receipt it can end later than the law's own term: on Amazon and eBay the
# marketplace's shorter term governs anyway. Canada's 15 days (Ontario) are for a cancelled
# internet agreement only, not for every return, so they are not applied here.
LEGAL_REFUND_REGIONS = frozenset({Region.EU, Region.UK})

FOLLOW_UP_BUSINESS_DAYS = 1


def clock(name: str, started_at: datetime, due_at: datetime) -> Clock:
    """A clock that warns once `WARN_SHARE` of the time from start to due has run.

    A clock already overdue when it starts (due before its start) warns at its due time.
    """
    started_at, due_at = utc(started_at), utc(due_at)
    if due_at <= started_at:
        return Clock(name, started_at, due_at, warn_at=due_at)
    warn_at = started_at + (due_at - started_at) * WARN_SHARE
    return Clock(name, started_at, due_at, warn_at)


def first_reply_clock(opened_at: datetime, market: Market, business_hours: float) -> Clock:
    """The seller's promise to answer within `business_hours` of the buyer's business hours.

    Its warning is counted in business hours too, so agents are warned during working
    time (after 3 of 4 business hours) rather than over a weekend when nobody can act.
    """
    due_at = add_business_hours(opened_at, business_hours, market)
    warn_at = add_business_hours(opened_at, business_hours * WARN_SHARE, market)
    return Clock(ClockName.FIRST_REPLY, utc(opened_at), due_at, warn_at)


def marketplace_clocks(deadlines: list[tuple[str, datetime]], opened_at: datetime) -> list[Clock]:
    """One clock per deadline the marketplace set on the case (named by intake).

    A deadline already past when the case opened still yields a clock: it is breached,
    and agents must see it.
    """
    return [clock(name, opened_at, due_at) for name, due_at in deadlines]


def refund_clock(marketplace: str, market: Market, received_at: datetime) -> Clock:
    """Refund the buyer by the earliest deadline that applies once the unit is back."""
    due_at = min(refund_deadlines(marketplace, market, received_at))
    return clock(ClockName.REFUND, received_at, due_at)


def refund_deadlines(marketplace: str, market: Market, received_at: datetime) -> list[datetime]:
    """Every refund deadline that applies: the marketplace's, the law's, else our default."""
    deadlines = [
        due
        for due in (
            marketplace_refund_deadline(marketplace, market, received_at),
            legal_refund_deadline(market, received_at),
        )
        if due is not None
    ]
    return deadlines or [business_days_after(received_at, DEFAULT_REFUND_BUSINESS_DAYS, market)]


def marketplace_refund_deadline(
    marketplace: str, market: Market, received_at: datetime
) -> datetime | None:
    days = MARKETPLACE_REFUND_BUSINESS_DAYS.get(marketplace.strip().lower())
    return None if days is None else business_days_after(received_at, days, market)


def legal_refund_deadline(market: Market, received_at: datetime) -> datetime | None:
    if REGION_OF[market] not in LEGAL_REFUND_REGIONS:
        return None
    days = term_of(market, "refund_deadline_days")
    if not isinstance(days, int):
        return None
    return calendar_days_after(received_at, days, market)


def follow_up_clock(refunded_at: datetime, market: Market) -> Clock:
    """Call the buyer by the end of the next business day after a quality-defect refund."""
    due_at = business_days_after(refunded_at, FOLLOW_UP_BUSINESS_DAYS, market)
    return clock(ClockName.FOLLOW_UP, refunded_at, due_at)


def state_of(clock: Clock, now: datetime) -> ClockState:
    """Running until the warning, near breach up to and including the due time, then breached."""
    now = utc(now)
    if now > clock.due_at:
        return ClockState.BREACHED
    if now >= clock.warn_at:
        return ClockState.NEAR_BREACH
    return ClockState.RUNNING


def alert(state: ClockState, clock: Clock, case_id: str, now: datetime) -> Transition[ClockState]:
    """The alert the clock is due at `now`, if any: near breach once, breached once."""
    level = state_of(clock, now)
    if level is RUNNING:
        return Transition(state)
    to = CLOCK.next(state, "warn" if level is NEAR_BREACH else "breach", f"clock {clock.name}")
    if to is None:
        return Transition(state)
    alerted = DeadlineAlert(
        case_id=case_id, clock=clock.name, level=to.value, due_at=clock.due_at, at=now
    )
    return Transition(to, (alerted,))
