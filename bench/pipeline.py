"""`make bench`: push N cases through the stack and measure it.

Uses the stack already running on the configured ports (`make run` in another
terminal), or starts its own. Measures, per case, the time from sending the
webhook to seeing resolution's first event for it on Kafka (`resolution.offered`, which
every planned case publishes: an offer, or the notice of a remedy owed at once), and the
throughput in cases per second, then the time until analytics has applied every case.

First it sends the same webhooks, with the same load generator, to a bare service on the
same broker and database (`bench/bare_service.py`: an HMAC checked, one row, one event), and
reports intake's acceptance (webhooks answered per second, answer p99) as a ratio to it.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx
import uvloop
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.table import Table

from bench.bare_service import bare_service
from bench.cpu import cpu_ms_per_case, cpu_seconds
from bench.hops import breakdown, hops_table, timelines
from deploy.components import free_port, fresh_database, postgres
from deploy.progress import progress_bars
from deploy.replay import stock_warehouses
from deploy.samples import sample_cases
from deploy.secrets import demo_account
from deploy.settings import StackSettings
from deploy.stack import running_stack
from deploy.warehouse_play import operator
from services.intake.channels.generic.webhook import GenericWebhook, canonical_case, signed_headers
from services.intake.domain.classification import Classification, classify
from shared.settings import SERVICE_NAMES

DEMO = demo_account("generic")
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
console = Console()


def classified(case: dict) -> Classification:
    """How intake classifies a sample case of the generic channel."""
    canonical = canonical_case(GenericWebhook.model_validate(case), "bench")
    return classify(canonical.reason, canonical.marketplace_reason, canonical.buyer_words)


def decided_without_an_agent(case: dict) -> bool:
    """Whether intake classifies the sample with confidence (a flagged one waits for a person)."""
    return not classified(case).needs_agent


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
    settings: StackSettings,
    decided: dict[str, float],
    ready: asyncio.Event,
    seen: dict[str, float] | None = None,
) -> None:
    """Note when each case's first event on resolution's topic is seen (`decided`: the
    bench's clock; `seen`: epoch seconds, for the hops)."""
    seen = {} if seen is None else seen
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
            now, epoch = time.perf_counter(), time.time()
            for records in batches.values():
                for record in records:
                    decided.setdefault(record.key.decode(), now)
                    seen.setdefault(record.key.decode(), epoch)
    finally:
        await consumer.stop()


@dataclass
class Answers:
    """What the load generator saw of its webhooks: when it sent each and how long each
    answer took."""

    first_sent: float = 0.0
    sent: dict[str, float] = field(default_factory=dict)  # answered id → when it was sent
    # The same, and when it was answered, in epoch seconds: the hops' clock.
    sent_at: dict[str, float] = field(default_factory=dict)
    answered_at: dict[str, float] = field(default_factory=dict)
    answer_ms: list[float] = field(default_factory=list)
    last_answered: float = 0.0

    def acceptance(self) -> dict:
        return {
            "webhooks_per_second": round(
                len(self.answer_ms) / (self.last_answered - self.first_sent), 1
            ),
            "answer_ms": {
                q: round(percentile(self.answer_ms, int(q[1:])), 1) for q in ("p50", "p95", "p99")
            },
        }


async def delivered(http: aiohttp.ClientSession, url: str, case: bytes) -> dict:
    """One case posted as the generic channel signs it until answered: a 503 (the store
    saturated) is delivered again after its Retry-After, as senders do; its answer."""
    while True:
        headers = signed_headers(DEMO["account"], DEMO["secrets"][0], case, datetime.now(UTC))
        async with http.post(url, data=case, headers=headers, raise_for_status=False) as response:
            if response.status != 503:
                response.raise_for_status()
                return await response.json()
            pause = float(response.headers.get("Retry-After", "1"))
        await asyncio.sleep(pause)


async def send_webhooks(
    url: str,
    cases: list[bytes],
    concurrency: int,
    answered: Callable[[], None],
    rate: float | None = None,
    answer_id: str = "case_id",
    answers: Answers | None = None,
) -> Answers:
    """The load generator: each case signed as the generic channel signs it and posted to
    `url`, as fast as `concurrency` allows or paced at `rate` per second; what it sees goes
    into `answers` as it comes."""
    limit = asyncio.Semaphore(concurrency)
    answers = answers or Answers()
    answers.first_sent = time.perf_counter()
    # aiohttp: the load generator shares the machine, so it must spend little CPU.
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, raise_for_status=True) as http:

        async def post(index: int, case: bytes) -> None:
            if rate is not None:
                await asyncio.sleep(
                    max(0.0, answers.first_sent + index / rate - time.perf_counter())
                )
            async with limit:
                started, started_at = time.perf_counter(), time.time()
                answer = await delivered(http, url, case)
                now = time.perf_counter()
            answers.sent[answer[answer_id]] = started
            answers.sent_at[answer[answer_id]] = started_at
            answers.answered_at[answer[answer_id]] = time.time()
            answers.answer_ms.append((now - started) * 1000)
            answers.last_answered = max(answers.last_answered, now)
            answered()

        await asyncio.gather(*(post(i, case) for i, case in enumerate(cases)))
    return answers


async def push(
    settings: StackSettings, cases: list[bytes], concurrency: int, rate: float | None = None
) -> dict:
    """Send every case, as fast as `concurrency` allows or paced at `rate` per second."""
    decided: dict[str, float] = {}
    seen: dict[str, float] = {}
    ready = asyncio.Event()
    watcher = asyncio.create_task(watch_decisions(settings, decided, ready, seen))
    await asyncio.wait_for(ready.wait(), timeout=60)
    with progress_bars(console) as progress:
        posting = progress.add_task("webhooks sent", total=len(cases))
        deciding = progress.add_task("resolution answered", total=len(cases))
        url = f"{settings.base_url_of('intake')}/webhooks/generic"
        answers = Answers()
        posts = asyncio.create_task(
            send_webhooks(
                url, cases, concurrency, lambda: progress.advance(posting), rate, answers=answers
            )
        )
        while not posts.done() or (
            not posts.exception() and len(set(decided) & set(answers.sent)) < len(cases)
        ):
            progress.update(deciding, completed=len(set(decided) & set(answers.sent)))
            await asyncio.sleep(0.2)
        await posts
        progress.update(deciding, completed=len(cases))
    watcher.cancel()
    sent = answers.sent
    latencies = [(decided[c] - sent[c]) * 1000 for c in sent]
    last_decided = max(decided[c] for c in sent)
    return {
        "cases_per_second": round(len(cases) / (last_decided - answers.first_sent), 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies), 1),
        },
        "intake_accepted": answers.acceptance(),
        "hops_ms": await hops(settings, answers, seen),
        "_first_sent": answers.first_sent,
    }


async def hops(settings: StackSettings, answers: Answers, seen: dict[str, float]) -> dict:
    """Where each case's time went on its way to resolution.offered (`bench/hops.py`)."""
    marks = await timelines(settings.plain_database_url, list(answers.sent_at))
    for case, at in marks.items():
        at.update(sent=answers.sent_at[case], answered=answers.answered_at[case])
        if case in seen:
            at["seen"] = seen[case]
    return breakdown(marks, percentile)


async def floor(settings: StackSettings, count: int, concurrency: int) -> dict:
    """The same webhooks, with the same load generator, to the bare service on the same
    broker and database: what intake's acceptance is measured against."""
    with bare_service(settings) as url, progress_bars(console) as progress:
        warming = progress.add_task("warm-up, not counted", total=concurrency)
        await send_webhooks(
            url,
            bench_cases(concurrency),
            concurrency,
            lambda: progress.advance(warming),
            answer_id="delivery_id",
        )
        posting = progress.add_task("webhooks sent to the bare service", total=count)
        cases = bench_cases(count)
        cpu_before = cpu_seconds()
        answers = await send_webhooks(
            url, cases, concurrency, lambda: progress.advance(posting), answer_id="delivery_id"
        )
        cpu = cpu_ms_per_case(cpu_before, cpu_seconds(), count)
    return {**answers.acceptance(), "cpu_ms_per_webhook": cpu}


def against_the_floor(intake: dict, bare: dict) -> dict:
    """Intake's acceptance as a share of the bare service's: the rate (goal ≥ 0.9) and the
    p99 of the answer (how many times the bare one's)."""
    return {
        "acceptance_rate": round(intake["webhooks_per_second"] / bare["webhooks_per_second"], 2),
        "answer_p99": round(intake["answer_ms"]["p99"] / bare["answer_ms"]["p99"], 2),
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


async def warm_up(settings: StackSettings, concurrency: int) -> None:
    """A few cases through the stack first, not counted: every pool opens its connections."""
    console.print(f"[bold]warm-up[/]: {concurrency} cases, not counted")
    await push(settings, bench_cases(concurrency), concurrency)


async def run(settings: StackSettings, count: int, concurrency: int, rate: float) -> dict:
    await stock_warehouses(settings, sample_cases(), units=2 * count + concurrency)
    await warm_up(settings, concurrency)
    async with analytics(settings) as http:
        cases_before = (await http.get("/reports/summary")).json()["cases"]
    console.print(
        f"[bold]0. the floor[/]: {count} webhooks, {concurrency} in flight, to a bare service"
    )
    bare = await floor(settings, count, concurrency)
    console.print(f"[bold]1. saturation[/]: {count} cases, {concurrency} in flight")
    cpu_before = cpu_seconds()
    saturation = await push(settings, bench_cases(count), concurrency)
    first_sent = saturation.pop("_first_sent")
    end_to_end = await analytics_catch_up(settings, cases_before + count, first_sent)
    cpu = cpu_ms_per_case(cpu_before, cpu_seconds(), count)
    steady_count = max(100, int(rate * 15))
    console.print(f"[bold]2. steady load[/]: {steady_count} cases at {rate:g} cases/s")
    steady = await push(settings, bench_cases(steady_count), concurrency, rate=rate)
    steady.pop("_first_sent")
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "cases": count,
        "concurrency": concurrency,
        "webhook_to_resolution_decided": saturation,
        "bare_service_accepted": bare,
        "intake_against_bare_service": against_the_floor(saturation["intake_accepted"], bare),
        "analytics_applied_all_cases_after_s": round(end_to_end, 2),
        "analytics_cases_per_second": round(count / end_to_end, 1),
        "cpu_ms_per_case": cpu,
        "steady_load": {"offered_cases_per_second": rate, "cases": steady_count, **steady},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": {
            "cases_per_second": 100,
            "p99_ms": 1000,
            "steady_p99_ms": 250,
            "intake_acceptance_rate_against_bare_service": 0.9,
        },
    }


# Its own name on a shared server (BENCH_DATABASE): another bench's is dropped otherwise.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "aftersales_bench")


@contextmanager
def own_stack(replicas: dict[str, int] | None = None) -> Iterator[StackSettings]:
    """A stack of the bench's own, on ports of its own (a stack already running is left
    alone) and a fresh database: its broker starts empty, and a database kept from an
    earlier run would have every retained event published again during the measurement."""
    with postgres() as server_url:
        database_url = uvloop.run(fresh_database(server_url, BENCH_DATABASE))
        ports = {f"{name.upper()}_PORT": str(free_port()) for name in SERVICE_NAMES}
        ports["DEV_ISSUER_PORT"] = str(free_port())
        extra_env = {"DATABASE_URL": database_url, **ports}
        # A busy machine starts seven processes slowly: give them minutes.
        stack = running_stack(
            free_port(), extra_env=extra_env, replicas=replicas, ready_timeout=300
        )
        with stack as settings:
            yield settings


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
            "< 250 ms (steady)" if q == "p99" else "",
        )
    table.add_row("cases/s webhook → analytics", f"{result['analytics_cases_per_second']}", "", "")
    console.print(table)
    console.print(
        hops_table(
            steady["hops_ms"],
            f"where the time goes at {steady['offered_cases_per_second']:g}/s (steady)",
        )
    )
    intake, bare = saturation["intake_accepted"], result["bare_service_accepted"]
    ratio = result["intake_against_bare_service"]
    floor_table = Table(
        title="Webhooks accepted: intake against a bare service (HMAC, one row, one event)",
        title_justify="left",
    )
    for column in ("measure", "intake", "bare service", "intake ÷ bare", "target"):
        floor_table.add_column(column, justify="right" if column != "measure" else "left")
    floor_table.add_row(
        "webhooks accepted/s",
        f"{intake['webhooks_per_second']}",
        f"{bare['webhooks_per_second']}",
        f"{ratio['acceptance_rate']}",
        "≥ 0.9",
    )
    for q in ("p50", "p99"):
        floor_table.add_row(
            f"answer {q}",
            f"{intake['answer_ms'][q]} ms",
            f"{bare['answer_ms'][q]} ms",
            f"{ratio['answer_p99']}" if q == "p99" else "",
            "",
        )
    console.print(floor_table)
    cpu = Table(title="CPU per case (saturation, until analytics caught up)", title_justify="left")
    cpu.add_column("part")
    cpu.add_column("ms/case", justify="right")
    for part, ms in result["cpu_ms_per_case"].items():
        cpu.add_row(part, f"{ms:.2f}")
    console.print(cpu)
    bare_cpu = Table(title="CPU per webhook (the bare service's run)", title_justify="left")
    bare_cpu.add_column("part")
    bare_cpu.add_column("ms/webhook", justify="right")
    for part, ms in bare["cpu_ms_per_webhook"].items():
        bare_cpu.add_row(part, f"{ms:.2f}")
    console.print(bare_cpu)
    console.print(f"written to {RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=100.0, help="cases/s of the steady phase")
    args = parser.parse_args()
    settings = StackSettings()
    stack = nullcontext(settings) if stack_is_running(settings) else own_stack()
    with stack as running:
        result = uvloop.run(run(running, args.cases, args.concurrency, args.rate))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


if __name__ == "__main__":
    main()
