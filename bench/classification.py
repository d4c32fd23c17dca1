"""`python -m bench.classification`: how well the scenario classifier does on labelled cases.

Runs `classify`, without language hints, over three sets in tests/data/classification/:
`labelled_cases.jsonl`, written with the lexicons (its `dev` split tuned on, its `holdout`
split not, also scored alone); `tuning_cases.jsonl`, written independently of them and
then tuned on; and `fresh_cases.jsonl`, written independently of them and never tuned on.
Writes bench/results/classification.json: per set, accuracy overall, per language and per
scenario, the share flagged for an agent, the share wrong and *not* flagged (the costly
error: a wrong remedy offered with nobody looking), and a confusion matrix of scenario
counts; and the classifier's time per call. A flagged case counts by its predicted
scenario, as if nobody had looked at it. `--misses dev` lists the misclassified cases of a
split of the labelled set, `--misses tuning` those of the tuning set; the fresh set is only
ever scored in aggregate.
"""

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from services.intake.domain.case import Reason
from services.intake.domain.classification import Classification, classify
from shared.events import Scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "classification"
LABELLED_CASES = DATA / "labelled_cases.jsonl"
TUNING_CASES = DATA / "tuning_cases.jsonl"
FRESH_CASES = DATA / "fresh_cases.jsonl"
RESULTS = ROOT / "bench" / "results" / "classification.json"
TIMING_ROUNDS = 5
console = Console()

Row = tuple[dict, Classification]


def load_cases(path: Path = LABELLED_CASES) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def classify_case(case: dict) -> Classification:
    return classify(Reason(case["reason"]), case["marketplace_reason"], case["text"])


def score(cases: list[dict]) -> list[Row]:
    return [(case, classify_case(case)) for case in cases]


def share(rows: list[Row], predicate) -> float:
    if not rows:
        return 0.0
    return round(sum(predicate(case, result) for case, result in rows) / len(rows), 4)


def right(case: dict, result: Classification) -> bool:
    return result.scenario == case["expected"]


def wrong_not_flagged(case: dict, result: Classification) -> bool:
    return not right(case, result) and not result.needs_agent


def flagged(case: dict, result: Classification) -> bool:
    return result.needs_agent


def accuracy(rows: list[Row]) -> float:
    return share(rows, right)


def figures(rows: list[Row]) -> dict:
    return {
        "cases": len(rows),
        "accuracy": accuracy(rows),
        "wrong_not_flagged": share(rows, wrong_not_flagged),
        "flagged_for_agent": share(rows, flagged),
    }


def breakdown(rows: list[Row], field: str) -> dict[str, dict]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for case, result in rows:
        groups[case[field]].append((case, result))
    return {key: figures(group) for key, group in sorted(groups.items())}


def confusion(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Expected scenario → predicted scenario → how many cases."""
    counts = Counter((case["expected"], result.scenario.value) for case, result in rows)
    return {
        expected.value: {
            got.value: counts[expected.value, got.value]
            for got in Scenario
            if counts[expected.value, got.value]
        }
        for expected in Scenario
    }


def measure(cases: list[dict]) -> dict:
    rows = score(cases)
    with_text = [(case, result) for case, result in rows if case["text"].strip()]
    results = {
        **figures(rows),
        "accuracy_when_flagged": accuracy([row for row in rows if row[1].needs_agent]),
        "accuracy_when_not_flagged": accuracy([row for row in rows if not row[1].needs_agent]),
        "language_detection_accuracy": share(
            with_text, lambda case, result: result.language == case["language"]
        ),
        "per_language": breakdown(rows, "language"),
        "per_scenario": breakdown(rows, "expected"),
        "confusion": confusion(rows),
    }
    for split in sorted({case["split"] for case in cases if "split" in case}):
        results[f"{split}_accuracy"] = accuracy([row for row in rows if row[0]["split"] == split])
    return results


def microseconds_per_call(cases: list[dict]) -> float:
    started = time.perf_counter()
    for _ in range(TIMING_ROUNDS):
        for case in cases:
            classify_case(case)
    return round((time.perf_counter() - started) / (TIMING_ROUNDS * len(cases)) * 1e6, 1)


def percent(value: float) -> str:
    return f"{value:.1%}"


SUMMARY = (
    "cases",
    "accuracy",
    "dev_accuracy",
    "holdout_accuracy",
    "wrong_not_flagged",
    "flagged_for_agent",
    "accuracy_when_flagged",
    "accuracy_when_not_flagged",
    "language_detection_accuracy",
)


def show_summary(sets: dict[str, dict]) -> None:
    table = Table(title="Scenario classification")
    table.add_column("")
    for name in sets:
        table.add_column(name, justify="right")
    for key in SUMMARY:
        values = [sets[name].get(key) for name in sets]
        cells = ["" if v is None else str(v) if key == "cases" else percent(v) for v in values]
        table.add_row(key, *cells)
    console.print(table)


def show_groups(sets: dict[str, dict], field: str) -> None:
    table = Table(title=f"{field.replace('_', ' ')}: accuracy / wrong not flagged / flagged")
    table.add_column(field.removeprefix("per_"))
    for name in sets:
        table.add_column(name, justify="right")
    keys = sorted({key for results in sets.values() for key in results[field]})
    for key in keys:
        cells = []
        for results in sets.values():
            group = results[field].get(key)
            cells.append(
                f"{group['cases']}: {percent(group['accuracy'])} / "
                f"{percent(group['wrong_not_flagged'])} / {percent(group['flagged_for_agent'])}"
                if group
                else ""
            )
        table.add_row(key, *cells)
    console.print(table)


def show_confusion(name: str, matrix: dict[str, dict[str, int]]) -> None:
    table = Table(title=f"{name}: expected (rows) → predicted (columns)")
    table.add_column("expected")
    for got in Scenario:
        table.add_column(got.value[:10], justify="right")
    for expected, row in matrix.items():
        table.add_row(expected, *(str(row.get(got.value, "")) for got in Scenario))
    console.print(table)


def show(results: dict) -> None:
    sets = {
        name: results[name]
        for name in ("labelled", "holdout", "tuning", "fresh")
        if name in results
    }
    show_summary(sets)
    show_groups(sets, "per_language")
    show_groups(sets, "per_scenario")
    for name, figures_of_set in sets.items():
        show_confusion(name, figures_of_set["confusion"])
    console.print(f"{results['microseconds_per_call']} µs per call")


def show_misses(cases: list[dict], split: str) -> None:
    table = Table(title=f"misclassified, {split}", show_lines=True)
    for column in ("id", "code", "text", "expected", "got", "signals"):
        table.add_column(column)
    for case in cases:
        result = classify_case(case)
        if case.get("split", "tuning") == split and result.scenario != case["expected"]:
            table.add_row(
                case["id"],
                case["marketplace_reason"],
                case["text"],
                case["expected"],
                f"{result.scenario} ({result.confidence}"
                + (", flagged)" if result.needs_agent else ")"),
                "\n".join(result.signals),
            )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses",
        choices=("dev", "holdout", "tuning"),
        help="list misclassified cases of a labelled split or of the tuning set",
    )
    args = parser.parse_args()
    labelled = load_cases(LABELLED_CASES)
    if args.misses:
        show_misses(load_cases(TUNING_CASES) if args.misses == "tuning" else labelled, args.misses)
        return
    results = {
        "labelled": measure(labelled),
        "holdout": measure([case for case in labelled if case["split"] == "holdout"]),
    }
    if TUNING_CASES.exists():
        results["tuning"] = measure(load_cases(TUNING_CASES))
    if FRESH_CASES.exists():
        results["fresh"] = measure(load_cases(FRESH_CASES))
    results["microseconds_per_call"] = microseconds_per_call(labelled)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    show(results)
    console.print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
