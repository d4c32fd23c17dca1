"""Scenario playbooks: the remedy to offer first for the scenario intake classified.

Plain data and functions. The thin first version picks each scenario's preferred
remedy; the full remedy engine (cost model, law per market, offers) grows here.
"""

from dataclasses import dataclass

from shared.events import CaseItem, Remedy, Scenario

PREFERRED_REMEDY: dict[Scenario, Remedy] = {
    Scenario.MINOR_DEFECT: Remedy.PARTIAL_REFUND,
    Scenario.FUNCTIONAL_FAULT: Remedy.PART_SHIPMENT,
    Scenario.SIZE_STYLE_MISMATCH: Remedy.EXCHANGE,
    Scenario.QUALITY_DEFECT: Remedy.RETURN_FULL_REFUND,
    # The buyer's right to withdraw: the item comes back, the money goes back.
    Scenario.CHANGED_MIND: Remedy.RETURN_FULL_REFUND,
    # Nothing to send back; the seller claims the loss from the carrier.
    Scenario.NOT_RECEIVED: Remedy.REFUND_WITHOUT_RETURN,
    # The right item from a local warehouse; the wrong one comes back by the return flow later.
    Scenario.WRONG_ITEM: Remedy.EXCHANGE,
}

# The seller's default partial refund for a minor defect, in percent of the price paid.
PARTIAL_REFUND_PERCENT = 10


@dataclass(frozen=True)
class Decision:
    scenario: Scenario
    remedy: Remedy
    refund_minor: int
    rule: str


def amount_paid(items: list[CaseItem]) -> int:
    return sum(item.unit_price_minor * item.quantity for item in items)


def refund_for(remedy: Remedy, items: list[CaseItem]) -> int:
    if remedy is Remedy.PARTIAL_REFUND:
        return amount_paid(items) * PARTIAL_REFUND_PERCENT // 100
    if remedy in (Remedy.RETURN_FULL_REFUND, Remedy.REFUND_WITHOUT_RETURN):
        return amount_paid(items)
    return 0


def decide(scenario: Scenario, items: list[CaseItem], classified_by: str) -> Decision:
    remedy = PREFERRED_REMEDY[scenario]
    rule = (
        f"{classified_by} classified a {scenario.value}; its playbook offers {remedy.value} first"
    )
    return Decision(scenario, remedy, refund_for(remedy, items), rule)


def fall_back_to_return(scenario: Scenario, items: list[CaseItem], why: str) -> Decision:
    """The next remedy when the preferred one cannot be carried out: a full-refund return."""
    remedy = Remedy.RETURN_FULL_REFUND
    return Decision(scenario, remedy, refund_for(remedy, items), f"{why}; falls back to a return")
