"""`make bench-messages`: time from a buyer's webhook to the first message handed to the
mail server, at a steady 100 cases/s.

Uses the stack already running (`make run`, its local mail server) or starts its own.
Posts signed generic webhooks (each case with the buyer's e-mail) at a steady RATE for
DURATION seconds and, for each case, measures from the POST to the moment the local mail
server took the case's first message: the server names each `.eml` it keeps after the UTC
time it accepted it, and the message's Message-ID names its case (`buyer_links`). Reports
p50/p95/p99/max, the rate achieved and whether the load was sustained (every case messaged,
webhooks sent and messages handed over both at ≥ 95 % of the rate). Writes
bench/results/messages.json and bench/results/messages.md (a table and a histogram).
"""

import argparse
import asyncio
import json
import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

import aiohttp
import psutil
import uvloop
from rich.console import Console
from rich.table import Table

from bench.cpu import Snapshot, cpu_ms_per_case, cpu_seconds
from bench.hops import breakdown, hops_table, timelines
from bench.pipeline import bench_cases, delivered, percentile, stack_is_running
from deploy.components import free_port, postgres
from deploy.progress import progress_bars
from deploy.replay import stock_warehouses
from deploy.samples import sample_cases
from deploy.secrets import local_secrets
from deploy.settings import StackSettings
from deploy.stack import MAIL_DIR, local_mail_relay, running_stack, settings_of
from services.intake.adapters.buyer_links import BadLink, BuyerLinks

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "messages.json"
REPORT = RESULTS.with_suffix(".md")
TARGET_P99_MS = 250
SUSTAINED = 0.95  # share of the offered rate that counts as keeping up
console = Console()


def own_cpu_seconds() -> Snapshot:
    """CPU seconds of this stack's processes (those working in this folder), not those of
    other stacks sharing the machine."""
    own = {}
    for pid, spent in cpu_seconds().items():
        try:
            if pid == os.getpid() or psutil.Process(pid).cwd().startswith(str(ROOT)):
                own[pid] = spent
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return own


def taken_at(name: str) -> float:
    """The epoch time the mail server took the message in `<UTC time>-<n>.eml`."""
    stamp = name.split("-", 1)[0]
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC).timestamp()


class MailFolder:
    """The mail server's folder, read as it fills: the first message per case."""

    def __init__(self, folder: Path, links: BuyerLinks, since: float) -> None:
        self.folder = folder
        self.links = links
        self.since = since
        self.seen: set[str] = set()
        self.first: dict[str, float] = {}
        self.parser = BytesHeaderParser()

    def read_new(self) -> None:
        with os.scandir(self.folder) as entries:
            names = [e.name for e in entries if e.name.endswith(".eml") and e.name[0] != "."]
        for name in names:
            if name in self.seen:
                continue
            self.seen.add(name)
            at = taken_at(name)
            if at < self.since:
                continue
            with open(self.folder / name, "rb") as file:
                headers = self.parser.parse(file)
            try:
                case_id = self.links.case_of_message_id(headers.get("Message-ID", ""))
            except (BadLink, ValueError):
                continue
            self.first[case_id] = min(at, self.first.get(case_id, at))


async def drive(
    settings: StackSettings, folder: MailFolder, cases: list[bytes], rate: float, wait: float
) -> dict:
    sent: dict[str, float] = {}
    answered: dict[str, float] = {}
    posted_at: list[float] = []
    url = f"{settings.base_url_of('intake')}/webhooks/generic"
    with progress_bars(console) as progress:
        posting = progress.add_task(f"webhooks sent at {rate:g}/s", total=len(cases))
        messaged = progress.add_task("first message taken by the mail server", total=len(cases))
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(connector=connector, raise_for_status=True) as http:

            async def post(index: int, case: bytes) -> None:
                await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
                started = time.time()
                answer = await delivered(http, url, case)
                sent[answer["case_id"]] = started
                answered[answer["case_id"]] = time.time()
                posted_at.append(started)
                progress.advance(posting)

            start = time.perf_counter()
            posts = asyncio.gather(*(post(i, case) for i, case in enumerate(cases)))
            deadline = None
            while True:
                folder.read_new()
                done = sum(1 for case in sent if case in folder.first)
                progress.update(messaged, completed=done)
                if posts.done():
                    deadline = deadline or time.monotonic() + wait
                    if done == len(cases) or time.monotonic() > deadline:
                        break
                await asyncio.sleep(0.1)
            await posts
    result = measures(sent, folder.first, posted_at, rate)
    result["hops_ms"] = await hops(settings, sent, answered, folder.first)
    return result


async def hops(settings: StackSettings, sent, answered, first) -> dict:
    """Where the time goes: p50/p99 of each hop (`bench/hops.py`)."""
    cases = [case for case in sent if case in first]
    marks = await timelines(settings.plain_database_url, cases)
    for case, at in marks.items():
        at.update(sent=sent[case], answered=answered[case], taken=first[case])
    return breakdown(marks, percentile)


def measures(sent: dict[str, float], first: dict[str, float], posted: list[float], rate: float):
    latencies = sorted((first[c] - sent[c]) * 1000 for c in sent if c in first)
    if not latencies:
        raise RuntimeError("no case got a message: is intake sending to the local mail server?")
    posting_rate = len(posted) / max(posted[-1] - posted[0], 1e-9) if len(posted) > 1 else 0.0
    handed = sorted(first[c] for c in sent if c in first)
    handing_rate = len(handed) / max(handed[-1] - min(posted), 1e-9)
    missing = len(sent) - len(latencies)
    return {
        "cases": len(sent),
        "cases_messaged": len(latencies),
        "cases_without_message": missing,
        "webhooks_per_second": round(posting_rate, 1),
        "messages_per_second": round(handing_rate, 1),
        "sustained": missing == 0
        and posting_rate >= SUSTAINED * rate
        and handing_rate >= SUSTAINED * rate,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(latencies[-1], 1),
        },
        "histogram_ms": histogram(latencies),
    }


def histogram(latencies: list[float], bins: int = 12) -> list[dict]:
    """Counts per bin of equal width from 0 to the slowest."""
    width = max(latencies[-1] / bins, 1.0)
    counts = [0] * bins
    for latency in latencies:
        counts[min(int(latency / width), bins - 1)] += 1
    return [
        {"from": round(i * width), "to": round((i + 1) * width), "cases": count}
        for i, count in enumerate(counts)
    ]


async def run(settings: StackSettings, rate: float, duration: float, wait: float) -> dict:
    links = BuyerLinks.from_settings(settings)
    count = int(rate * duration)
    await stock_warehouses(settings, sample_cases(), units=2 * count)
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    folder = MailFolder(MAIL_DIR, links, since=time.time())
    folder.read_new()  # what earlier runs left, skipped
    console.print(f"[bold]{count} cases[/] at {rate:g} cases/s for {duration:g} s")
    cpu_before = own_cpu_seconds()
    result = await drive(settings, folder, bench_cases(count), rate, wait)
    result["cpu_ms_per_case"] = cpu_ms_per_case(cpu_before, own_cpu_seconds(), count)
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "measure": "webhook POST → first message to the buyer taken by the mail server",
        "offered_cases_per_second": rate,
        "duration_s": duration,
        **result,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": {"cases_per_second": rate, "p99_ms": TARGET_P99_MS},
    }


def markdown(result: dict) -> str:
    latency = result["latency_ms"]
    rows = [
        "# Webhook → first message to the buyer",
        "",
        f"Measured {result['measured_at']}: {result['cases']} cases offered at "
        f"{result['offered_cases_per_second']:g}/s for {result['duration_s']:g} s "
        f"({result['machine']['cpus']} CPUs).",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
        f"| webhooks sent / s | {result['webhooks_per_second']} "
        f"| {result['offered_cases_per_second']:g} |",
        f"| first messages handed to the mail server / s | {result['messages_per_second']} "
        f"| {result['offered_cases_per_second']:g} |",
        f"| cases without a message | {result['cases_without_message']} | 0 |",
        *(
            f"| latency {q} | {latency[q]} ms | {f'< {TARGET_P99_MS} ms' if q == 'p99' else ''} |"
            for q in ("p50", "p95", "p99", "max")
        ),
        f"| load sustained | {'yes' if result['sustained'] else 'no'} | yes |",
        "",
        "| hop | p50 | p99 |",
        "|---|---:|---:|",
        *(
            f"| {hop} | {span['p50']} ms | {span['p99']} ms |"
            for hop, span in result["hops_ms"].items()
        ),
        "",
        "CPU ms per case: "
        + ", ".join(f"{part} {ms:.2f}" for part, ms in result["cpu_ms_per_case"].items()),
        "",
        "```",
        *text_histogram(result["histogram_ms"]),
        "```",
        "",
    ]
    return "\n".join(rows)


def text_histogram(bins: list[dict], width: int = 50) -> list[str]:
    most = max(b["cases"] for b in bins) or 1
    return [
        f"{b['from']:>6}–{b['to']:<6} ms │{'█' * round(width * b['cases'] / most):<{width}} "
        f"{b['cases']}"
        for b in bins
    ]


def report(result: dict) -> None:
    latency = result["latency_ms"]
    table = Table(title="webhook → first message to the buyer", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    rate = f"{result['offered_cases_per_second']:g}"
    table.add_row("webhooks sent / s", f"{result['webhooks_per_second']}", rate)
    table.add_row("first messages handed over / s", f"{result['messages_per_second']}", rate)
    table.add_row("cases without a message", f"{result['cases_without_message']}", "0")
    for q in ("p50", "p95", "p99", "max"):
        table.add_row(
            f"latency {q}", f"{latency[q]} ms", f"< {TARGET_P99_MS} ms" if q == "p99" else ""
        )
    table.add_row("load sustained", "yes" if result["sustained"] else "no", "yes")
    console.print(table)
    console.print(hops_table(result["hops_ms"]))
    cpu = ", ".join(f"{part} {ms:.2f}" for part, ms in result["cpu_ms_per_case"].items())
    console.print(f"CPU ms per case: {cpu}")
    console.print("\n".join(text_histogram(result["histogram_ms"])))
    console.print(f"written to {RESULTS} and {REPORT}")


@contextmanager
def already_running(settings: StackSettings) -> Iterator[StackSettings]:
    """The settings of the stack `make run` started: its secrets and its database."""
    with postgres() as database_url:
        yield settings.model_copy(update={"database_url": database_url})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="cases/s offered")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument(
        "--wait", type=float, default=60.0, help="seconds to wait for the last messages"
    )
    args = parser.parse_args()
    if not local_mail_relay():
        raise SystemExit("SMTP_HOST is set: this bench reads the local mail server's folder")
    settings = settings_of(local_secrets())  # a stack of `make run` has its secrets in .run/
    stack = already_running(settings) if stack_is_running(settings) else running_stack(free_port())
    with stack as running:
        result = uvloop.run(run(running, args.rate, args.duration, args.wait))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    REPORT.write_text(markdown(result))
    report(result)


if __name__ == "__main__":
    main()
