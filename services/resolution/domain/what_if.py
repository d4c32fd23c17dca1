"""What a different seller policy would have done to a period's cases, added up: each
case planned once under the policy in force and once under the proposed one, and the
difference in expected cost, first remedy and returns. Expected figures count each
step's chance of acceptance."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from services.resolution.domain.engine import Plan
from shared.events import Remedy


@dataclass
class PolicyOutcome:
    """A policy's plans for the period's cases, added up."""

    cases: int = 0
    expected_cost_minor: Counter[str] = field(default_factory=Counter)  # by currency
    first_remedies: Counter[str] = field(default_factory=Counter)
    expected_returns: float = 0.0
    nothing_to_offer: int = 0  # cases an agent would decide

    def add(self, the_plan: Plan, currency: str) -> None:
        self.cases += 1
        if not the_plan.steps:
            self.nothing_to_offer += 1
            return
        self.first_remedies[the_plan.steps[0].remedy.value] += 1
        self.expected_cost_minor[currency] += round(expected_cost(the_plan))
        self.expected_returns += return_chance(the_plan)

    def as_json(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "expected_cost_minor": dict(sorted(self.expected_cost_minor.items())),
            "first_remedies": dict(self.first_remedies.most_common()),
            "expected_returns": round(self.expected_returns, 2),
            "nothing_to_offer": self.nothing_to_offer,
        }


def expected_cost(the_plan: Plan) -> float:
    """What offering the plan costs the seller, counting each decline (the engine's own
    expected cost of its first offer)."""
    offered = [a for a in the_plan.alternatives if a.expected_cost_minor is not None]
    return float(offered[0].expected_cost_minor) if offered else 0.0


def return_chance(the_plan: Plan) -> float:
    """The chance the case ends in a return: reaching the return step and taking it."""
    reach, chance = 1.0, 0.0
    for step in the_plan.steps:
        if step.remedy is Remedy.RETURN_FULL_REFUND:
            chance += reach * step.acceptance
        reach *= 1 - step.acceptance
    return chance


def report(
    seller: str, version: int, current: PolicyOutcome, proposed: PolicyOutcome
) -> dict[str, Any]:
    currencies = sorted(set(current.expected_cost_minor) | set(proposed.expected_cost_minor))
    return {
        "seller": seller,
        "policy_in_force": version,
        "current": current.as_json(),
        "proposed": proposed.as_json(),
        "difference": {
            "expected_cost_minor": {
                c: proposed.expected_cost_minor[c] - current.expected_cost_minor[c]
                for c in currencies
            },
            "expected_returns": round(proposed.expected_returns - current.expected_returns, 2),
        },
    }
