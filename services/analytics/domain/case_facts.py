"""What each event tells analytics about its case: plain functions, no I/O."""

from typing import Any

from shared.events import (
    CaseOpened,
    DispatchRequested,
    EventPayload,
    InspectionOpened,
    ResolutionDecided,
    ReturnLabelIssued,
    ReturnReceived,
    UnitGraded,
)

STATUS_AFTER: dict[type[EventPayload], str] = {
    CaseOpened: "open",
    ResolutionDecided: "decided",
    DispatchRequested: "dispatching",
    ReturnLabelIssued: "awaiting_return",
    ReturnReceived: "returned",
    InspectionOpened: "inspecting",
    UnitGraded: "graded",
}


def facts_from(event: EventPayload) -> dict[str, Any]:
    """The columns of the case's read model that this event sets."""
    facts: dict[str, Any] = {}
    if isinstance(event, CaseOpened):
        facts |= {"marketplace": event.marketplace, "market": event.market.value}
    elif isinstance(event, ResolutionDecided):
        facts |= {"scenario": event.scenario.value, "remedy": event.remedy.value}
    elif isinstance(event, UnitGraded):
        facts |= {"grade": event.grade.value, "disposition": event.disposition.value}
    if type(event) in STATUS_AFTER:
        facts["status"] = STATUS_AFTER[type(event)]
    return facts
