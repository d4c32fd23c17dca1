"""`make profile`: where intake and resolution spend their CPU under the pipeline's load.

Starts the stack (or uses the one running), attaches py-spy to intake's and resolution's
processes, pushes N cases through the pipeline as `make bench-pipeline` does at saturation,
and writes one flame graph (SVG) per process to docs/performance/<LABEL>-<part>.svg, with
the CPU each part spent per case in bench/results/profile-<LABEL>.json. py-spy samples
without pausing the processes (`--nonblocking`), so the figures stay close to an
unprofiled run; `make bench-pipeline` remains the measure of record.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path

import psutil
import uvloop
from rich.console import Console
from rich.table import Table

from bench.cpu import cpu_ms_per_case, cpu_seconds, part_of
from bench.pipeline import (
    analytics,
    analytics_catch_up,
    bench_cases,
    own_stack,
    push,
    stack_is_running,
)
from deploy.replay import stock_warehouses
from deploy.samples import sample_cases
from deploy.settings import StackSettings

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "docs" / "performance"
RESULTS = Path(__file__).resolve().parent / "results"
PROFILED = ("intake", "resolution")  # the two processes on every case's hot path
SAMPLES_PER_SECOND = 100
console = Console()


def profiled_processes() -> dict[str, int]:
    """The pid of each profiled part of this checkout's stack (its HTTP process, which runs
    its consumers and workers too)."""
    found: dict[str, int] = {}
    for process in psutil.process_iter():
        part = part_of(process)
        if part in PROFILED:
            found.setdefault(part, process.pid)
    missing = set(PROFILED) - set(found)
    if missing:
        raise SystemExit(f"no running process for {', '.join(sorted(missing))}")
    return found


def py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else "py-spy"


@contextmanager
def recording(label: str) -> Iterator[dict[str, Path]]:
    """py-spy records each profiled process until the block ends, then writes its graph."""
    GRAPHS.mkdir(parents=True, exist_ok=True)
    graphs: dict[str, Path] = {}
    recorders: list[subprocess.Popen] = []
    for part, pid in profiled_processes().items():
        name = f"{label}-{part.replace(' ', '-')}"
        graphs[part] = GRAPHS / f"{name}.svg"
        # The graph for the docs, and the same samples as folded stacks for `hottest`.
        for kind, output in (("flamegraph", graphs[part]), ("raw", stacks_of(name))):
            command = [py_spy(), "record", "--pid", str(pid), "--rate", str(SAMPLES_PER_SECOND)]
            command += ["--nonblocking", "--format", kind, "--output", str(output)]
            recorders.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            )
    try:
        yield graphs
    finally:
        for recorder in recorders:
            recorder.send_signal(signal.SIGINT)  # py-spy writes its graph on Ctrl-C
        for recorder in recorders:
            _, errors = recorder.communicate(timeout=120)
            if recorder.returncode not in (0, -signal.SIGINT):
                console.print(f"[red]py-spy failed[/]: {errors.decode(errors='replace')}")


def stacks_of(name: str) -> Path:
    return RESULTS / f"profile-{name}.txt"


def hottest(stacks: Path, limit: int = 12) -> list[tuple[str, float]]:
    """The share of samples spent in each function of this project (the frame nearest the
    top of the stack that is in `services/` or `shared/`), largest first: where to look."""
    spent: dict[str, int] = {}
    total = 0
    for line in stacks.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        total += int(count)
        own = [f for f in frames.split(";") if "(services/" in f or "(shared/" in f]
        where = own[-1].rsplit(":", 1)[0] + ")" if own else "outside the project's code"
        spent[where] = spent.get(where, 0) + int(count)
    ranked = sorted(spent.items(), key=lambda kv: kv[1], reverse=True)[:limit]
    return [(where, round(100 * count / max(total, 1), 1)) for where, count in ranked]


async def load(settings: StackSettings, count: int, concurrency: int, label: str) -> dict:
    """The saturation phase of `make bench-pipeline`, recorded by py-spy."""
    await stock_warehouses(settings, sample_cases(), units=2 * count)
    async with analytics(settings) as http:
        cases_before = (await http.get("/reports/summary")).json()["cases"]
    cases = bench_cases(count)
    console.print(f"[bold]profiling[/]: {count} cases, {concurrency} in flight")
    with recording(label) as graphs:
        cpu_before = cpu_seconds()
        saturation = await push(settings, cases, concurrency)
        first_sent = saturation.pop("_first_sent")
        await analytics_catch_up(settings, cases_before + count, first_sent)
        cpu = cpu_ms_per_case(cpu_before, cpu_seconds(), count)
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "label": label,
        "cases": count,
        "concurrency": concurrency,
        "webhook_to_resolution_decided": saturation,
        "cpu_ms_per_case": cpu,
        "flame_graphs": {part: str(path.relative_to(ROOT)) for part, path in graphs.items()},
        "hottest_percent_of_samples": {
            part: dict(hottest(stacks_of(path.stem))) for part, path in graphs.items()
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }


def report(result: dict, written: Path) -> None:
    table = Table(
        title=f"CPU per case while profiled ({result['cases']} cases, "
        f"{result['webhook_to_resolution_decided']['cases_per_second']} cases/s)",
        title_justify="left",
    )
    table.add_column("part")
    table.add_column("ms/case", justify="right")
    for part, ms in result["cpu_ms_per_case"].items():
        table.add_row(part, f"{ms:.2f}")
    console.print(table)
    for part, path in result["flame_graphs"].items():
        hot = Table(title=f"{part}: where its samples are (project code)", title_justify="left")
        hot.add_column("function")
        hot.add_column("% of samples", justify="right")
        for where, share in result["hottest_percent_of_samples"][part].items():
            hot.add_row(where, f"{share:.1f}")
        console.print(hot)
        console.print(f"flame graph of {part}: {path}")
    console.print(f"written to {written}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--label", default="latest", help="names the graphs: <label>-<part>.svg")
    args = parser.parse_args()
    settings = StackSettings()
    stack = nullcontext(settings) if stack_is_running(settings) else own_stack()
    with stack as running:
        result = uvloop.run(load(running, args.cases, args.concurrency, args.label))
    written = RESULTS / f"profile-{args.label}.json"
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(json.dumps(result, indent=2) + "\n")
    report(result, written)


if __name__ == "__main__":
    main()
