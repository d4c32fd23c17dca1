"""`python -m bench.classification`: how well the scenario classifier does on labelled cases.

Runs `classify` over tests/data/classification/labelled_cases.jsonl, without language
hints, and writes bench/results/classification.json: accuracy overall, on the holdout
split (never looked at while tuning the lexicons), per language and per scenario, the
share flagged for an agent, and the classifier's time per call. A flagged case counts
by its predicted scenario, as if nobody had looked at it. `--misses dev` lists the
misclassified cases of a split.
"""

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from services.intake.domain.case import Reason
from services.intake.domain.classification import Classification, classify

ROOT = Path(__file__).resolve().parent.parent
LABELLED_CASES = ROOT / "tests" / "data" / "classification" / "labelled_cases.jsonl"
RESULTS = ROOT / "bench" / "results" / "classification.json"
TIMING_ROUNDS = 5
console = Console()


def load_cases(path: Path = LABELLED_CASES) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def classify_case(case: dict) -> Classification:
    return classify(Reason(case["reason"]), case["marketplace_reason"], case["text"])


def accuracy(rows: list[tuple[dict, Classification]]) -> float:
    hits = sum(result.scenario == case["expected"] for case, result in rows)
    return round(hits / len(rows), 4) if rows else 0.0


def breakdown(rows: list[tuple[dict, Classification]], field: str) -> dict[str, dict]:
    groups: dict[str, list] = defaultdict(list)
    for case, result in rows:
        groups[case[field]].append((case, result))
    return {
        key: {"cases": len(group), "accuracy": accuracy(group)}
        for key, group in sorted(groups.items())
    }


def microseconds_per_call(cases: list[dict]) -> float:
    started = time.perf_counter()
    for _ in range(TIMING_ROUNDS):
        for case in cases:
            classify_case(case)
    return round((time.perf_counter() - started) / (TIMING_ROUNDS * len(cases)) * 1e6, 1)


def measure(cases: list[dict]) -> dict:
    rows = [(case, classify_case(case)) for case in cases]
    flagged = [row for row in rows if row[1].needs_agent]
    not_flagged = [row for row in rows if not row[1].needs_agent]
    with_text = [row for row in rows if row[0]["text"].strip()]
    language_hits = sum(result.language == case["language"] for case, result in with_text)
    return {
        "cases": len(rows),
        "classification_accuracy": accuracy(rows),
        "dev_accuracy": accuracy([row for row in rows if row[0]["split"] == "dev"]),
        "holdout_accuracy": accuracy([row for row in rows if row[0]["split"] == "holdout"]),
        "per_language": breakdown(rows, "language"),
        "per_scenario": breakdown(rows, "expected"),
        "flagged_for_agent": round(len(flagged) / len(rows), 4),
        "accuracy_when_flagged": accuracy(flagged),
        "accuracy_when_not_flagged": accuracy(not_flagged),
        "language_detection_accuracy": round(language_hits / len(with_text), 4),
        "microseconds_per_call": microseconds_per_call(cases),
    }


def show(results: dict) -> None:
    summary = Table(title="Scenario classification", show_header=False)
    for key in (
        "cases",
        "classification_accuracy",
        "dev_accuracy",
        "holdout_accuracy",
        "flagged_for_agent",
        "accuracy_when_flagged",
        "accuracy_when_not_flagged",
        "language_detection_accuracy",
        "microseconds_per_call",
    ):
        value = results[key]
        summary.add_row(
            key, f"{value:.1%}" if isinstance(value, float) and value <= 1 else str(value)
        )
    console.print(summary)
    for field in ("per_language", "per_scenario"):
        table = Table(title=field.replace("_", " "))
        table.add_column(field.removeprefix("per_"))
        table.add_column("cases", justify="right")
        table.add_column("accuracy", justify="right")
        for key, group in results[field].items():
            table.add_row(key, str(group["cases"]), f"{group['accuracy']:.1%}")
        console.print(table)


def show_misses(cases: list[dict], split: str) -> None:
    table = Table(title=f"misclassified, {split} split", show_lines=True)
    for column in ("id", "code", "text", "expected", "got", "signals"):
        table.add_column(column)
    for case in cases:
        result = classify_case(case)
        if case["split"] == split and result.scenario != case["expected"]:
            table.add_row(
                case["id"],
                case["marketplace_reason"],
                case["text"],
                case["expected"],
                f"{result.scenario} ({result.confidence})",
                "\n".join(result.signals),
            )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=("dev", "holdout"), help="list misclassified cases")
    args = parser.parse_args()
    cases = load_cases()
    if args.misses:
        show_misses(cases, args.misses)
        return
    results = measure(cases)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    show(results)
    console.print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
