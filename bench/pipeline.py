"""`make bench`: push N cases through the stack and measure it.

Uses the stack already running on the configured ports (`make run` in another
terminal), or starts its own. Measures, per case, the time from sending the
webhook to seeing resolution's first event for it on Kafka (`resolution.offered`, which
every planned case publishes: an offer, or the notice of a remedy owed at once), and the
throughput in
cases per second, then the time until analytics has applied every case.
Writes bench/results/latest.json and prints a table.
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx
import uvloop
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.table import Table

from bench.cpu import cpu_ms_per_case, cpu_seconds
from deploy.components import free_port
from deploy.progress import progress_bars
from deploy.replay import stock_warehouses
from deploy.samples import sample_cases
from deploy.secrets import demo_account
from deploy.settings import StackSettings
from deploy.stack import running_stack
from deploy.warehouse_play import operator
from services.intake.channels.generic.webhook import GenericWebhook, canonical_case, signed_headers
from services.intake.domain.classification import classify

DEMO = demo_account("generic")
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
console = Console()


def decided_without_an_agent(case: dict) -> bool:
    """Whether intake classifies the sample with confidence (a flagged one waits for a person)."""
    canonical = canonical_case(GenericWebhook.model_validate(case), "bench")
    return not classify(
        canonical.reason, canonical.marketplace_reason, canonical.buyer_words
    ).needs_agent


def bench_cases(count: int) -> list[bytes]:
    """`count` webhook bodies cycling through the sample cases, each with a fresh event id,
    encoded up front so that the load generator spends its CPU on sending."""
    samples = [case for case in sample_cases() if decided_without_an_agent(case)]
    run = uuid.uuid4().hex[:8]
    return [
        json.dumps({**samples[i % len(samples)], "event_id": f"bench-{run}-{i}"}).encode()
        for i in range(count)
    ]


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def watch_decisions(
    settings: StackSettings, decided: dict[str, float], ready: asyncio.Event
) -> None:
    consumer = AIOKafkaConsumer(
        "resolution.events",
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bench-{uuid.uuid4()}",
        auto_offset_reset="latest",
        fetch_max_wait_ms=10,  # the watcher must not add its own delay to what it measures
    )
    await consumer.start()
    try:
        while not consumer.assignment():
            await asyncio.sleep(0.1)
        await consumer.seek_to_end()
        ready.set()
        while True:
            batches = await consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    decided.setdefault(record.key.decode(), now)
    finally:
        await consumer.stop()


async def push(
    settings: StackSettings, cases: list[bytes], concurrency: int, rate: float | None = None
) -> dict:
    """Send every case, as fast as `concurrency` allows or paced at `rate` per second."""
    decided: dict[str, float] = {}
    sent: dict[str, float] = {}
    ready = asyncio.Event()
    watcher = asyncio.create_task(watch_decisions(settings, decided, ready))
    await asyncio.wait_for(ready.wait(), timeout=60)
    limit = asyncio.Semaphore(concurrency)
    with progress_bars(console) as progress:
        posting = progress.add_task("webhooks sent", total=len(cases))
        deciding = progress.add_task("resolution answered", total=len(cases))
        url = f"{settings.base_url_of('intake')}/webhooks/generic"
        # aiohttp: the load generator shares the machine, so it must spend little CPU.
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, raise_for_status=True) as http:

            async def post(index: int, case: bytes) -> None:
                if rate is not None:
                    await asyncio.sleep(max(0.0, first_sent + index / rate - time.perf_counter()))
                async with limit:
                    started = time.perf_counter()
                    while True:  # a 503 (the store saturated) is delivered again, as senders do
                        headers = signed_headers(
                            DEMO["account"], DEMO["secrets"][0], case, datetime.now(UTC)
                        )
                        async with http.post(
                            url, data=case, headers=headers, raise_for_status=False
                        ) as response:
                            if response.status != 503:
                                response.raise_for_status()
                                answer = await response.json()
                                break
                            pause = float(response.headers.get("Retry-After", "1"))
                        await asyncio.sleep(pause)
                sent[answer["case_id"]] = started
                progress.advance(posting)

            first_sent = time.perf_counter()
            posts = asyncio.gather(*(post(i, case) for i, case in enumerate(cases)))
            while len(set(decided) & set(sent)) < len(cases) or not posts.done():
                progress.update(deciding, completed=len(set(decided) & set(sent)))
                await asyncio.sleep(0.2)
            await posts
            progress.update(deciding, completed=len(cases))
    watcher.cancel()
    latencies = [(decided[c] - sent[c]) * 1000 for c in sent]
    last_decided = max(decided[c] for c in sent)
    return {
        "cases_per_second": round(len(cases) / (last_decided - first_sent), 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies), 1),
        },
        "_first_sent": first_sent,
    }


def analytics(settings: StackSettings) -> httpx.AsyncClient:
    """Analytics' API, as the platform admin (its summary counts every seller's cases)."""
    base = settings.base_url_of("analytics")
    return httpx.AsyncClient(base_url=base, headers=operator(settings), timeout=30)


async def analytics_catch_up(settings: StackSettings, expected: int, since: float) -> float:
    async with analytics(settings) as http:
        while (await http.get("/reports/summary")).json()["cases"] < expected:
            await asyncio.sleep(0.2)
    return time.perf_counter() - since


async def run(
    settings: StackSettings, count: int, concurrency: int, rate: float, own: bool = False
) -> dict:
    """`own`: the bench started the stack, and counts the CPU of its processes only."""
    await stock_warehouses(settings, sample_cases(), units=2 * count)
    async with analytics(settings) as http:
        cases_before = (await http.get("/reports/summary")).json()["cases"]
    console.print(f"[bold]1. saturation[/]: {count} cases, {concurrency} in flight")
    cpu_before = cpu_seconds(own)
    saturation = await push(settings, bench_cases(count), concurrency)
    first_sent = saturation.pop("_first_sent")
    end_to_end = await analytics_catch_up(settings, cases_before + count, first_sent)
    cpu = cpu_ms_per_case(cpu_before, cpu_seconds(own), count)
    steady_count = max(100, int(rate * 15))
    console.print(f"[bold]2. steady load[/]: {steady_count} cases at {rate:g} cases/s")
    steady = await push(settings, bench_cases(steady_count), concurrency, rate=rate)
    steady.pop("_first_sent")
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "cases": count,
        "concurrency": concurrency,
        "webhook_to_resolution_decided": saturation,
        "analytics_applied_all_cases_after_s": round(end_to_end, 2),
        "analytics_cases_per_second": round(count / end_to_end, 1),
        "cpu_ms_per_case": cpu,
        "steady_load": {"offered_cases_per_second": rate, "cases": steady_count, **steady},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": {"cases_per_second": 100, "p99_ms": 1000},
    }


def stack_is_running(settings: StackSettings) -> bool:
    try:
        return httpx.get(f"{settings.base_url_of('intake')}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def report(result: dict) -> None:
    saturation = result["webhook_to_resolution_decided"]
    steady = result["steady_load"]
    table = Table(title=f"{result['cases']} cases through the pipeline", title_justify="left")
    for column in (
        "measure",
        "saturation",
        f"steady {steady['offered_cases_per_second']:g}/s",
        "target",
    ):
        table.add_column(column, justify="right" if column != "measure" else "left")
    table.add_row(
        "cases/s webhook → resolution.offered",
        f"{saturation['cases_per_second']}",
        f"{steady['cases_per_second']}",
        "≥ 100",
    )
    for q in ("p50", "p95", "p99"):
        table.add_row(
            f"latency {q}",
            f"{saturation['latency_ms'][q]} ms",
            f"{steady['latency_ms'][q]} ms",
            "< 1000 ms" if q == "p99" else "",
        )
    table.add_row("cases/s webhook → analytics", f"{result['analytics_cases_per_second']}", "", "")
    console.print(table)
    cpu = Table(title="CPU per case (saturation, until analytics caught up)", title_justify="left")
    cpu.add_column("part")
    cpu.add_column("ms/case", justify="right")
    for part, ms in result["cpu_ms_per_case"].items():
        cpu.add_row(part, f"{ms:.2f}")
    console.print(cpu)
    console.print(f"written to {RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=100.0, help="cases/s of the steady phase")
    args = parser.parse_args()
    settings = StackSettings()
    own = not stack_is_running(settings)
    stack = running_stack(free_port()) if own else nullcontext(settings)
    with stack as running:
        result = uvloop.run(run(running, args.cases, args.concurrency, args.rate, own))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


if __name__ == "__main__":
    main()
