"""`python -m bench.decisions`: how many decisions one resolution process makes per second.

A decision is the engine's pure work for one case: price every remedy of its ladder,
check each against the seller's policy and the market's law, order the offers, then
render the first message in the buyer's language and run the compliance lint. The cases
are the sample cases, classified as intake would, cycled N times. No database, no
broker: this is the CPU the remedy engine adds to each case. Writes
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
from services.resolution.domain.engine import plan
from services.resolution.domain.offers import draft, planned_steps
from services.resolution.domain.policy import DEFAULT_POLICY
from services.resolution.domain.troubleshooting import starter_guides
from services.resolution.workflows.cases import facts_of, product_title, record_of
from shared.events import CaseOpened
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
