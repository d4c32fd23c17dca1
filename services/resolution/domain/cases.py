"""Where a case stands in resolution, and the moves that take it on: `CASE`.

    waiting ─ trace ─▶ tracing ─ (the carrier's word) ─┐
       │                                               ▼
       └──────────────▶ offered / decided / held ◀── the next step of the plan

A case waits for an agent's classification when intake could not tell its scenario, or
goes to the carrier first when the buyer says the parcel never arrived. From then on
each step of its plan offers a remedy (offered), settles one (decided) or hands the
case to an agent (held). A step can follow any other: a declined or lapsed offer, or a
decided remedy fulfillment cannot ship (`undo`), leads to the next one; a case held
while an offer was still open (a refund refused meanwhile) still takes the answer.

A late event finds the case moved on and changes nothing: an agent's classification
once the case was planned, the carrier's word once an agent took the case, a stock
shortage once the case ended otherwise.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.resolution.domain.offers import OfferState
from shared.events import (
    EventPayload,
    Remedy,
    ResolutionDecided,
    ResolutionDeclined,
    ResolutionHeldForAgent,
    ResolutionOffered,
    StockUnavailable,
)
from shared.lifecycle import Lifecycle, Transition


class CaseState(StrEnum):
    WAITING = "waiting"  # for an agent's classification
    TRACING = "tracing"  # its parcel, with the carrier
    OFFERED = "offered"  # a remedy waits for the buyer's answer
    DECIDED = "decided"  # the remedy the case ends with
    HELD = "held"  # for an agent, with the reasons


WAITING, TRACING, OFFERED, DECIDED, HELD = CaseState
EVERY_STATE = frozenset(CaseState)

CASE = Lifecycle(
    "case",
    {
        "classify": {WAITING: WAITING},
        "trace": {WAITING: TRACING},
        "hear the carrier": {TRACING: TRACING},
        "offer": {state: OFFERED for state in CaseState},
        "decide": {state: DECIDED for state in CaseState},
        "hold": {state: HELD for state in CaseState},
        "undo": {DECIDED: DECIDED},
    },
    done={
        "classify": EVERY_STATE - {WAITING},  # planned already
        "trace": {TRACING},
        "hear the carrier": EVERY_STATE - {TRACING},  # an agent took the case meanwhile
        "undo": EVERY_STATE - {DECIDED},  # the case has moved on since
    },
)


def _move(state: CaseState, action: str, *events: EventPayload) -> Transition[CaseState]:
    to = CASE.next(state, action)
    return Transition(state) if to is None else Transition(to, events)


def takes_classification(state: CaseState) -> bool:
    """Only a case waiting for it takes an agent's classification."""
    return CASE.next(state, "classify") is not None


def takes_carriers_word(state: CaseState) -> bool:
    """Only a case still tracing its parcel goes on from the carrier's word."""
    return CASE.next(state, "hear the carrier") is not None


def trace(state: CaseState) -> Transition[CaseState]:
    """The parcel goes to the carrier before any remedy."""
    return _move(state, "trace")


def offer(state: CaseState, offered: ResolutionOffered) -> Transition[CaseState]:
    """A remedy goes to the buyer, who answers or lets it lapse."""
    return _move(state, "offer", offered)


def decide(
    state: CaseState, decided: ResolutionDecided, notice: ResolutionOffered | None = None
) -> Transition[CaseState]:
    """The case ends with a remedy; `notice`: the message telling the buyer of a remedy
    owed without asking."""
    if notice is None:
        return _move(state, "decide", decided)
    return _move(state, "decide", notice, decided)


@dataclass(frozen=True)
class Told:
    """What the buyer heard when nothing is owed, in their language, linted."""

    nothing_owed: str  # why
    language: str
    message: str


def hold(
    state: CaseState,
    case_id: str,
    findings: list[str],
    at: datetime,
    remedy: Remedy | None = None,
    told: Told | None = None,
) -> Transition[CaseState]:
    """An agent takes the case, with the reasons; the buyer hears nothing, unless `told`
    that nothing is owed."""
    held = ResolutionHeldForAgent(
        case_id=case_id,
        remedy=remedy,
        findings=findings,
        at=at,
        nothing_owed=told.nothing_owed if told else None,
        language=told.language if told else None,
        message=told.message if told else None,
    )
    return _move(state, "hold", held)


def undo(
    state: CaseState, decided: str, unavailable: StockUnavailable, at: datetime
) -> Transition[CaseState]:
    """Fulfillment cannot ship the `decided` remedy: the decision is undone, and the case
    goes on to its next step. A shortage of a remedy the case no longer ends with changes
    nothing."""
    if decided != unavailable.remedy:
        return Transition(state)
    missing = ", ".join(unavailable.missing_skus)
    note = f"{unavailable.remedy.value} impossible: {missing} out of stock in {unavailable.region}"
    declined = ResolutionDeclined(
        case_id=unavailable.case_id,
        offer_id="",
        remedy=unavailable.remedy,
        cause=OfferState.IMPOSSIBLE.value,
        note=note,
        at=at,
    )
    return _move(state, "undo", declined)
