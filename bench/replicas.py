"""`make bench-replicas`: what one more replica of resolution and of analytics buys.

Starts the whole stack with one process of each service and pushes N cases through it at
saturation, as `make bench-pipeline` does; then starts it again with REPLICAS processes of
resolution and of analytics (each service's processes in its one consumer group, which
splits the topics' six partitions among them) and pushes N more. Reports, for each, the
cases per second from the webhook to `resolution.offered` and to analytics, and the CPU per
case of each process. Each stack has its own ports, an empty broker and a fresh database.
Writes bench/results/replicas.json and prints a table.
"""

import argparse
import asyncio
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import uvloop
from rich.table import Table

from bench.cpu import cpu_ms_per_case, cpu_seconds
from bench.pipeline import (
    analytics,
    analytics_catch_up,
    bench_cases,
    console,
    own_stack,
    push,
    warm_up,
)
from deploy.replay import stock_warehouses
from deploy.samples import sample_cases
from deploy.settings import StackSettings

RESULTS = Path(__file__).resolve().parent / "results" / "replicas.json"
SCALED = ("resolution", "analytics")
# The group rebalances as each replica joins: let it settle before the load starts.
SETTLE_SECONDS = 5.0


async def saturate(settings: StackSettings, count: int, concurrency: int) -> dict:
    await stock_warehouses(settings, sample_cases(), units=2 * count + concurrency)
    await asyncio.sleep(SETTLE_SECONDS)
    await warm_up(settings, concurrency)
    async with analytics(settings) as http:
        cases_before = (await http.get("/reports/summary")).json()["cases"]
    cpu_before = cpu_seconds()
    saturation = await push(settings, bench_cases(count), concurrency)
    first_sent = saturation.pop("_first_sent")
    to_analytics = await analytics_catch_up(settings, cases_before + count, first_sent)
    return {
        "cases_per_second_to_resolution_offered": saturation["cases_per_second"],
        "cases_per_second_to_analytics": round(count / to_analytics, 1),
        "latency_ms_to_resolution_offered": saturation["latency_ms"],
        "cpu_ms_per_case": cpu_ms_per_case(cpu_before, cpu_seconds(), count),
    }


def measure(replicas: int, count: int, concurrency: int) -> dict:
    console.print(
        f"[bold]{replicas} process(es) of {' and of '.join(SCALED)}[/]: {count} cases, "
        f"{concurrency} in flight"
    )
    with own_stack(replicas=dict.fromkeys(SCALED, replicas)) as settings:
        return {"replicas": replicas, **uvloop.run(saturate(settings, count, concurrency))}


def report(result: dict) -> None:
    runs = result["runs"]
    table = Table(
        title=f"{result['cases']} cases at saturation, by processes of {' and '.join(SCALED)}",
        title_justify="left",
    )
    table.add_column("measure")
    for run in runs:
        table.add_column(f"{run['replicas']} each", justify="right")
    table.add_row(
        "cases/s webhook → resolution.offered",
        *(f"{run['cases_per_second_to_resolution_offered']}" for run in runs),
    )
    table.add_row(
        "cases/s webhook → analytics",
        *(f"{run['cases_per_second_to_analytics']}" for run in runs),
    )
    table.add_row(
        "latency p99 → resolution.offered",
        *(f"{run['latency_ms_to_resolution_offered']['p99']} ms" for run in runs),
    )
    parts = {part for run in runs for part in run["cpu_ms_per_case"]}
    ordered = sorted(parts, key=lambda p: (p != "total", p))
    for part in ordered:
        table.add_row(
            f"CPU ms/case: {part}",
            *(
                f"{run['cpu_ms_per_case'][part]:.2f}" if part in run["cpu_ms_per_case"] else "—"
                for run in runs
            ),
        )
    console.print(table)
    console.print(f"written to {RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--replicas", type=int, default=2, help="processes of each, against 1")
    args = parser.parse_args()
    runs = [measure(n, args.cases, args.concurrency) for n in (1, args.replicas)]
    result = {
        "measured_at": datetime.now(UTC).isoformat(),
        "cases": args.cases,
        "concurrency": args.concurrency,
        "scaled": list(SCALED),
        "runs": runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


if __name__ == "__main__":
    main()
