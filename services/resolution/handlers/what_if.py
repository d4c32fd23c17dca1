"""What a different seller policy would have done: every stored case of a period planned
again by the remedy engine, once under the policy in force and once under the proposed
one, and the difference in expected cost, first remedy and returns.

    python -m services.resolution.what_if --seller S --policy proposed.json \
        [--since 2026-10-01] [--until 2026-11-01]      (make what-if)

The engine is the one that decides live cases (`domain/engine.py`), with the same facts,
guides and learnt acceptance; expected figures count each step's chance of acceptance.
"""

import argparse
import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution import knowledge_base, outcomes, policies
from services.resolution.domain.engine import LADDERS, Plan, plan
from services.resolution.domain.policy import SellerPolicy, with_learnt_acceptance
from services.resolution.offering import facts_of
from services.resolution.settings import ResolutionSettings
from services.resolution.tables import CaseDecision
from shared.db import create_service_engine, session_factory
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


async def what_if(
    session: AsyncSession,
    seller: str,
    proposed: SellerPolicy,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    current, version = await policies.policy_in_force(session, seller)
    answers = await outcomes.answers_of(session, seller)
    learnt = {
        "current": _learnt(current, answers),
        "proposed": _learnt(proposed, answers),
    }
    guides = await knowledge_base.guides_for_planning(session, seller)
    totals = {name: PolicyOutcome() for name in learnt}
    for record in await _cases(session, seller, since, until):
        facts = facts_of(record, record.opened_at)
        needed = guides if Remedy.TROUBLESHOOTING in LADDERS[facts.scenario] else []
        for name, policy in learnt.items():
            totals[name].add(plan(facts, policy, version, needed, facts.opened_at), record.currency)
    return report(seller, version, totals["current"], totals["proposed"])


def _learnt(policy: SellerPolicy, answers) -> SellerPolicy:
    return with_learnt_acceptance(policy, answers) if policy.learn_acceptance else policy


async def _cases(
    session: AsyncSession, seller: str, since: datetime | None, until: datetime | None
) -> list[CaseDecision]:
    # A case still waiting for an agent to classify it has no scenario ("") to plan.
    query = select(CaseDecision).where(
        CaseDecision.seller_account == seller, CaseDecision.scenario != ""
    )
    if since is not None:
        query = query.where(CaseDecision.opened_at >= since)
    if until is not None:
        query = query.where(CaseDecision.opened_at < until)
    return list(await session.scalars(query.order_by(CaseDecision.opened_at)))


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


def print_report(answer: dict[str, Any]) -> None:
    version = answer["policy_in_force"]
    table = Table(title=f"{answer['seller']}: policy v{version} in force, or the one proposed")
    table.add_column("")
    for name in ("current", "proposed"):
        table.add_column(name, justify="right")
    current, proposed = answer["current"], answer["proposed"]
    table.add_row("cases", str(current["cases"]), str(proposed["cases"]))
    for currency in answer["difference"]["expected_cost_minor"]:
        table.add_row(
            f"expected cost ({currency})",
            _money(current["expected_cost_minor"].get(currency, 0)),
            _money(proposed["expected_cost_minor"].get(currency, 0)),
        )
    table.add_row(
        "expected returns", str(current["expected_returns"]), str(proposed["expected_returns"])
    )
    for remedy in sorted(set(current["first_remedies"]) | set(proposed["first_remedies"])):
        table.add_row(
            f"offered first: {remedy}",
            str(current["first_remedies"].get(remedy, 0)),
            str(proposed["first_remedies"].get(remedy, 0)),
        )
    Console().print(table)


def _money(minor: int) -> str:
    return f"{minor / 100:,.2f}"


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    proposed = SellerPolicy.model_validate_json(Path(args.policy).read_text())
    engine = create_service_engine("resolution", ResolutionSettings(), pool_size=1)
    try:
        async with session_factory(engine)() as session:
            return await what_if(session, args.seller, proposed, args.since, args.until)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seller", required=True)
    parser.add_argument("--policy", required=True, help="the proposed seller policy, JSON")
    parser.add_argument("--since", type=datetime.fromisoformat)
    parser.add_argument("--until", type=datetime.fromisoformat)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    answer = asyncio.run(_run(args))
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        print_report(answer)


if __name__ == "__main__":
    main()
