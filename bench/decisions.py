"""`python -m bench.decisions`: how many decisions one resolution process makes per second,
and how good they are.

A decision is the engine's pure work for one case: price every remedy of its ladder,
check each against the seller's policy and the market's law, order the offers, then
render the first message in the buyer's language and run the compliance lint. The cases
are the sample cases, classified as intake would, cycled N times. No database, no
broker: this is the CPU the remedy engine adds to each case.

On the same cases it also reports the quality of the plans: the share of first offers
that are the cheapest acceptable remedy (acceptable: what a buyer with the case's problem
would take, `ACCEPTABLE`, set apart from the engine's ladders, and not ruled out by the
law, the marketplace, the seller's policy or the knowledge base; a dearer first offer is
either a remedy missing from a ladder or one the buyer may choose first: the law's repair
or replacement, the right item for a wrong one), and the average expected cost of a case
(counting declines) against returning everything (each case a return with a full refund
at the seller's expense), in USD at the cost model's reference rates. Writes
bench/results/decisions.json.
"""

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

from deploy.samples import sample_cases
from services.intake.channels.generic.webhook import GenericWebhook, canonical_case
from services.intake.domain.classification import classify
from services.intake.domain.opening import case_opened
from services.resolution.domain.costs import USD_TO, Costing, estimate
from services.resolution.domain.engine import CaseFacts, Plan, buyers_rights, consider, plan
from services.resolution.domain.offers import draft, planned_steps
from services.resolution.domain.policy import DEFAULT_POLICY
from services.resolution.domain.troubleshooting import starter_guides
from services.resolution.workflows.cases import facts_of, product_title, record_of
from shared.events import CaseOpened, Reason, Remedy, Scenario
from shared.markets import Currency, Market

RESULTS = Path(__file__).resolve().parent / "results" / "decisions.json"
console = Console()


def classified_samples() -> list[CaseOpened]:
    now = datetime.now(UTC)
    opened = []
    for index, sample in enumerate(sample_cases()):
        case = canonical_case(GenericWebhook.model_validate(sample), "bench")
        verdict = classify(case.reason, case.marketplace_reason, case.buyer_words)
        if not verdict.needs_agent:
            opened.append(case_opened(case, f"bench-{index}", verdict, now))
    return opened


def decide_once(case: CaseOpened, guides: list) -> bool:
    """Plan one case and draft its first message; True when the draft may be sent."""
    record = record_of(case)
    facts = facts_of(record, case.opened_at)
    the_plan = plan(facts, DEFAULT_POLICY, 0, guides, facts.opened_at)
    steps = planned_steps(the_plan)
    if not steps:
        return False
    first = draft(
        steps[0],
        record.language,
        Market(record.market),
        Currency(record.currency),
        product_title(record),
        case.opened_at + timedelta(hours=48),
        facts.scenario,
    )
    return first.sendable


R = Remedy
# What a buyer with each problem would take, set here apart from the engine's ladders (a
# colour or style complaint also takes a discount to keep the item): the bench prices each
# and keeps those the law, the seller's policy and the knowledge base allow.
ACCEPTABLE: dict[Scenario, frozenset[Remedy]] = {
    Scenario.MINOR_DEFECT: frozenset(
        {R.PARTIAL_REFUND, R.STORE_CREDIT, R.REFUND_WITHOUT_RETURN, R.RETURN_FULL_REFUND}
    ),
    Scenario.FUNCTIONAL_FAULT: frozenset(
        {
            R.TROUBLESHOOTING,
            R.PART_SHIPMENT,
            R.EXCHANGE,
            R.STORE_CREDIT,
            R.REFUND_WITHOUT_RETURN,
            R.RETURN_FULL_REFUND,
        }
    ),
    Scenario.SIZE_STYLE_MISMATCH: frozenset(
        {R.EXCHANGE, R.STORE_CREDIT, R.REFUND_WITHOUT_RETURN, R.RETURN_FULL_REFUND}
    ),
    Scenario.QUALITY_DEFECT: frozenset(
        {
            R.PART_SHIPMENT,
            R.EXCHANGE,
            R.STORE_CREDIT,
            R.REFUND_WITHOUT_RETURN,
            R.RETURN_FULL_REFUND,
        }
    ),
    Scenario.CHANGED_MIND: frozenset({R.RETURN_FULL_REFUND}),
    Scenario.NOT_RECEIVED: frozenset({R.RESHIP, R.REFUND_WITHOUT_RETURN}),
    Scenario.WRONG_ITEM: frozenset(
        {R.EXCHANGE, R.STORE_CREDIT, R.REFUND_WITHOUT_RETURN, R.RETURN_FULL_REFUND}
    ),
}


def acceptable_to(facts: CaseFacts) -> frozenset[Remedy]:
    remedies = ACCEPTABLE[facts.scenario]
    if facts.scenario is Scenario.SIZE_STYLE_MISMATCH and facts.reason is Reason.STYLE:
        return remedies | {R.PARTIAL_REFUND}
    return remedies


def cheapest_acceptable(facts: CaseFacts, guides: list) -> tuple[Remedy, int]:
    """The cheapest remedy the buyer would take that nothing rules out."""
    rights = buyers_rights(facts, DEFAULT_POLICY, facts.opened_at)
    priced = [
        consider(remedy, facts, DEFAULT_POLICY, 0, guides, rights)
        for remedy in sorted(acceptable_to(facts))
    ]
    allowed = [c for c in priced if c.excluded_by is None]
    cheapest = min(allowed, key=lambda c: c.step.cost_minor)
    return cheapest.step.remedy, cheapest.step.cost_minor


def usd(amount_minor: float, currency: Currency) -> float:
    return float(amount_minor) / float(USD_TO[currency]) / 100


def return_everything_minor(facts: CaseFacts) -> int:
    """The case as a return with a full refund, the label on the seller."""
    costing = Costing(
        facts.market,
        facts.marketplace,
        facts.items,
        facts.amount_paid_minor,
        condition=facts.condition,
    )
    return estimate(Remedy.RETURN_FULL_REFUND, costing).total_minor


def first_offer_verdict(facts: CaseFacts, the_plan: Plan, guides: list) -> str | None:
    """None when the first offer is the cheapest acceptable remedy, else which it was and
    which was cheaper."""
    remedy, cost = cheapest_acceptable(facts, guides)
    first = the_plan.steps[0]
    if first.cost_minor <= cost:
        return None
    return f"{facts.scenario.value}: {first.remedy.value} before the cheaper {remedy.value}"


def quality(cases: list[CaseOpened], guides: list) -> dict:
    """How the plans of the sample cases compare with the cheapest acceptable remedy and
    with returning everything."""
    planned = not_cheapest = 0
    expected_usd = returned_usd = 0.0
    firsts_dearer: dict[str, int] = {}
    for case in cases:
        facts = facts_of(record_of(case), case.opened_at)
        the_plan = plan(facts, DEFAULT_POLICY, 0, guides, facts.opened_at)
        if not the_plan.steps:
            continue
        planned += 1
        verdict = first_offer_verdict(facts, the_plan, guides)
        if verdict is not None:
            not_cheapest += 1
            firsts_dearer[verdict] = firsts_dearer.get(verdict, 0) + 1
        first = next(a for a in the_plan.alternatives if a.expected_cost_minor is not None)
        expected_usd += usd(first.expected_cost_minor, facts.currency)
        returned_usd += usd(return_everything_minor(facts), facts.currency)
    return {
        "cases_planned": planned,
        "first_offer_cheapest_acceptable_share": round((planned - not_cheapest) / planned, 3),
        "first_offers_dearer_than_the_cheapest": dict(sorted(firsts_dearer.items())),
        "expected_cost_per_case_usd": round(expected_usd / planned, 2),
        "return_everything_per_case_usd": round(returned_usd / planned, 2),
        "saving_against_returning_everything": round(1 - expected_usd / returned_usd, 3),
    }


def run(rounds: int) -> dict:
    cases = classified_samples()
    guides = list(starter_guides().values())
    for case in cases:  # warm up: templates compiled, caches filled
        decide_once(case, guides)
    per_round: list[float] = []
    sendable = 0
    for _ in track(range(rounds), description=f"{rounds} rounds of {len(cases)} cases"):
        started = time.perf_counter()
        sendable = sum(decide_once(case, guides) for case in cases)
        per_round.append(time.perf_counter() - started)
    per_second = [len(cases) / seconds for seconds in per_round]
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "cases_per_round": len(cases),
        "rounds": rounds,
        "decisions_per_second": {
            "median": round(statistics.median(per_second)),
            "min": round(min(per_second)),
            "max": round(max(per_second)),
        },
        "ms_per_decision_median": round(1000 / statistics.median(per_second), 3),
        "first_messages_sendable": f"{sendable}/{len(cases)}",
        "plans": quality(cases, guides),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }


def report(result: dict) -> None:
    table = Table(title="Remedy engine, one process", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rate = result["decisions_per_second"]
    table.add_row("decisions/s (median of rounds)", f"{rate['median']:,}")
    table.add_row("decisions/s (slowest, fastest round)", f"{rate['min']:,} – {rate['max']:,}")
    table.add_row("ms per decision", f"{result['ms_per_decision_median']}")
    table.add_row("first messages passing the lint", result["first_messages_sendable"])
    plans = result["plans"]
    share = plans["first_offer_cheapest_acceptable_share"]
    table.add_row("first offer = cheapest acceptable remedy", f"{share:.1%}")
    for why, count in plans["first_offers_dearer_than_the_cheapest"].items():
        table.add_row(f"  not the cheapest: {why}", str(count))
    table.add_row("expected cost per case (USD)", f"{plans['expected_cost_per_case_usd']:.2f}")
    table.add_row(
        "returning everything per case (USD)", f"{plans['return_everything_per_case_usd']:.2f}"
    )
    saving = plans["saving_against_returning_everything"]
    table.add_row("saving against returning everything", f"{saving:.1%}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    result = run(parser.parse_args().rounds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)
    console.print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
