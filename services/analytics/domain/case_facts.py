"""What events tell analytics about their case: plain functions, no I/O."""

from datetime import datetime
from typing import Any

from shared.events import (
    CaseOpened,
    DeadlineAlert,
    DispatchProblem,
    DispatchRequested,
    DispositionDecided,
    EventPayload,
    InspectionOpened,
    PickupScheduled,
    RefundIssued,
    Remedy,
    RepairCompleted,
    RepairOrdered,
    ResolutionDecided,
    ResolutionHeldForAgent,
    ResolutionOffered,
    ReturnedToOrigin,
    ReturnLabelIssued,
    ReturnReceived,
    SatisfactionRated,
    Shipped,
    StockUnavailable,
    UnitGraded,
    UnitHeldForAgent,
)

# What a buyer wrote or is known by, in any event's data; removed when they are erased.
PERSONAL_FIELDS = ("buyer_ref", "buyer_comment", "text", "comment", "photos")

# What a case came to: the remedy's cost to the seller against returning everything
# (in the case's currency), the buyer's rating, what the returned unit recovered.
OUTCOME_COLUMNS = (
    "currency",
    "cost_minor",
    "baseline_minor",
    "rating",
    "recovery_minor",
)
LISTING_COLUMNS = (
    "seller_account",
    "sku",
    "asin",
    "title",
    "category",
    "reason",
    "reason_code",
    "language",
)
FACT_COLUMNS = (
    "marketplace",
    "market",
    "scenario",
    "remedy",
    "grade",
    "disposition",
    *LISTING_COLUMNS,
    "opened_at",
    *OUTCOME_COLUMNS,
)
# Kept from the earliest event that sets it, not the latest.
EARLIEST_COLUMNS = ("first_offer_at",)

STATUS_AFTER: dict[type[EventPayload], str] = {
    CaseOpened: "open",
    ResolutionOffered: "offered",
    ResolutionHeldForAgent: "with_agent",
    ResolutionDecided: "decided",
    RefundIssued: "refunded",
    DispatchRequested: "dispatching",
    DispatchProblem: "redispatching",
    Shipped: "shipped",
    StockUnavailable: "redeciding",
    ReturnLabelIssued: "awaiting_return",
    PickupScheduled: "awaiting_pickup",
    ReturnReceived: "returned",
    InspectionOpened: "inspecting",
    UnitGraded: "graded",
    RepairOrdered: "repairing",
    RepairCompleted: "inspecting",
    DispositionDecided: "disposed",
    ReturnedToOrigin: "returned_to_origin",
    UnitHeldForAgent: "with_agent",  # a buyer's unit the repair shop cannot repair
}
# A repair's last step: the buyer's own unit, repaired, shipped back from the repair shop.
RETURNED_TO_BUYER = "returned_to_buyer"


def facts_from(event: EventPayload) -> dict[str, Any]:
    """The columns of the case's read model that this event sets."""
    facts: dict[str, Any] = {}
    if isinstance(event, CaseOpened):
        facts |= {"marketplace": event.marketplace, "market": event.market.value}
        facts |= listing_facts(event)
    elif isinstance(event, ResolutionDecided):
        facts |= {"scenario": event.scenario.value, "remedy": event.remedy.value}
        facts |= cost_facts(event)
    elif isinstance(event, UnitGraded):
        facts |= {"grade": event.grade.value}
    elif isinstance(event, DispositionDecided):
        facts |= {"grade": event.grade.value, "disposition": event.disposition.value}
        facts |= {"recovery_minor": event.net_minor}
    elif isinstance(event, SatisfactionRated):
        facts |= {"rating": event.rating}
    if type(event) in STATUS_AFTER:
        facts["status"] = STATUS_AFTER[type(event)]
    if isinstance(event, Shipped) and event.remedy is Remedy.REPAIR:
        facts["status"] = RETURNED_TO_BUYER
    return facts


def cost_facts(decided: ResolutionDecided) -> dict[str, Any]:
    """What the remedy costs the seller and what returning everything would have cost,
    as the engine priced them when it decided."""
    cost = {a.remedy: a.cost_minor for a in decided.alternatives}
    return {
        "currency": decided.currency.value,
        "cost_minor": cost.get(decided.remedy),
        "baseline_minor": cost.get(Remedy.RETURN_FULL_REFUND),
    }


def listing_facts(opened: CaseOpened) -> dict[str, Any]:
    """The listing a case is about: its most valuable item line."""
    item = max(opened.items, key=lambda line: line.unit_price_minor * line.quantity)
    return {
        "seller_account": opened.seller_account or None,
        "sku": item.sku,
        "asin": item.asin,
        "title": item.title,
        "category": (item.category or "").strip().lower() or None,
        "reason": opened.reason,
        "reason_code": opened.reason_code,
        "opened_at": opened.opened_at,
        "language": opened.buyer_language,
        # A case is classified when an agent picks its scenario (case.classified).
        **({"scenario": opened.scenario.value} if opened.scenario else {}),
    }


def case_rows(events: list[tuple[EventPayload, datetime]]) -> list[dict[str, Any]]:
    """One read-model row per case from a batch of (event, time): facts of later events
    win, and the status is the one of the case's latest event. Absent facts are None;
    `events_kept` counts the batch's events of the case, and the clocks breached are
    counted (clock → alerts): both to be added to those already counted."""
    rows: dict[str, dict[str, Any]] = {}
    for event, time in sorted(events, key=lambda pair: pair[1]):
        row = rows.setdefault(
            event.case_id,
            {
                "case_id": event.case_id,
                **dict.fromkeys((*FACT_COLUMNS, *EARLIEST_COLUMNS)),
                "status": None,
                "events_kept": 0,
                "breaches": None,
            },
        )
        row["events_kept"] += 1
        row.update(facts_from(event))
        if isinstance(event, DeadlineAlert) and event.level == "breached":
            breaches = row["breaches"] = row["breaches"] or {}
            breaches[event.clock] = breaches.get(event.clock, 0) + 1
        if isinstance(event, ResolutionOffered) and row["first_offer_at"] is None:
            row["first_offer_at"] = time  # the first reply the buyer got
        row["updated_at"] = time
    return list(rows.values())
