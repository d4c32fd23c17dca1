"""Scenario playbooks: which scenario a case is, and the remedy to offer first.

Plain data and functions. The thin first version maps the marketplace reason code
to one of the four scenarios of the business and picks that scenario's preferred
remedy; the full remedy engine (cost model, law per market, offers) grows here.
"""

from dataclasses import dataclass

from shared.events import CaseItem, Remedy, Scenario

SCENARIO_OF_REASON: dict[str, Scenario] = {
    **dict.fromkeys(
        ("DAMAGED_PACKAGING", "COSMETIC_DAMAGE", "MINOR_SCRATCH"), Scenario.MINOR_DEFECT
    ),
    **dict.fromkeys(
        ("MISSING_PART", "SETUP_DIFFICULTY", "ACCESSORY_MISSING"), Scenario.FUNCTIONAL_FAULT
    ),
    **dict.fromkeys(
        ("SIZE_TOO_SMALL", "SIZE_TOO_LARGE", "COLOR", "STYLE"), Scenario.SIZE_STYLE_MISMATCH
    ),
    **dict.fromkeys(
        ("DEFECTIVE", "NOT_AS_DESCRIBED", "QUALITY_UNACCEPTABLE"), Scenario.QUALITY_DEFECT
    ),
}

PREFERRED_REMEDY: dict[Scenario, Remedy] = {
    Scenario.MINOR_DEFECT: Remedy.PARTIAL_REFUND,
    Scenario.FUNCTIONAL_FAULT: Remedy.PART_SHIPMENT,
    Scenario.SIZE_STYLE_MISMATCH: Remedy.EXCHANGE,
    Scenario.QUALITY_DEFECT: Remedy.RETURN_FULL_REFUND,
}

# The seller's default partial refund for a minor defect, in percent of the price paid.
PARTIAL_REFUND_PERCENT = 10


@dataclass(frozen=True)
class Decision:
    scenario: Scenario
    remedy: Remedy
    refund_minor: int
    rule: str


def classify(reason_code: str) -> Scenario:
    """Unknown reasons are treated as a quality defect: the remedy that is always lawful."""
    return SCENARIO_OF_REASON.get(reason_code.upper(), Scenario.QUALITY_DEFECT)


def amount_paid(items: list[CaseItem]) -> int:
    return sum(item.unit_price_minor * item.quantity for item in items)


def refund_for(remedy: Remedy, items: list[CaseItem]) -> int:
    if remedy is Remedy.PARTIAL_REFUND:
        return amount_paid(items) * PARTIAL_REFUND_PERCENT // 100
    if remedy is Remedy.RETURN_FULL_REFUND:
        return amount_paid(items)
    return 0


def decide(reason_code: str, items: list[CaseItem]) -> Decision:
    scenario = classify(reason_code)
    remedy = PREFERRED_REMEDY[scenario]
    known = reason_code.upper() in SCENARIO_OF_REASON
    rule = (
        f"reason {reason_code} is a {scenario.value}; its playbook offers {remedy.value} first"
        if known
        else f"reason {reason_code} is unknown; treated as a quality defect"
    )
    return Decision(scenario, remedy, refund_for(remedy, items), rule)


def fall_back_to_return(scenario: Scenario, items: list[CaseItem], why: str) -> Decision:
    """The next remedy when the preferred one cannot be carried out: a full-refund return."""
    remedy = Remedy.RETURN_FULL_REFUND
    return Decision(scenario, remedy, refund_for(remedy, items), f"{why}; falls back to a return")
