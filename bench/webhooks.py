"""`make bench-webhooks`: signed Shopify return requests accepted by one intake process.

Starts the broker, PostgreSQL and one intake process, plus a fake Shopify Admin API in
this process (what intake's worker reads each return's order from, after answering).
Sends N signed `returns/request` webhooks, each a new event, with C in flight; measures
accepted webhooks per second and the latency of each answer, then how long the worker
took to open every case. By default twice: with the accepting process alone on the
machine (its worker off), then with a second intake process opening the cases as they
arrive, on the same cores. Writes bench/results/webhooks.json and prints a table.
"""

import argparse
import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg
import uvicorn
import uvloop
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table

from bench.cpu import cpu_ms_per_case, cpu_seconds
from bench.pipeline import percentile
from deploy.components import free_port
from deploy.progress import progress_bars
from deploy.secrets import demo_account
from deploy.settings import StackSettings
from deploy.stack import running_stack
from services.intake.channels.common import hmac_sha256_base64

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "samples" / "shopify"
RESULTS = Path(__file__).resolve().parent / "results" / "webhooks.json"
console = Console()


def fake_admin_api() -> FastAPI:
    """Answers every Admin GraphQL query with the documented sample order."""
    order = json.loads((SAMPLES / "admin_order.json").read_text())
    api = FastAPI()

    @api.post("/admin/api/{version}/graphql.json")
    async def graphql(version: str) -> dict:
        return order

    return api


SAMPLE_RETURN = "945000959"


def return_request() -> bytes:
    """The sample return request as a new return (Shopify keys a request by its return)."""
    body = (SAMPLES / "returns_request.json").read_text()
    return body.replace(SAMPLE_RETURN, str(uuid.uuid4().int % 10**12)).encode()


def signed_request(body: bytes, shop: str, secret: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "X-Shopify-Topic": "returns/request",
        "X-Shopify-Hmac-Sha256": hmac_sha256_base64(secret, body),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


async def send(settings: StackSettings, count: int, concurrency: int) -> dict:
    account = demo_account("shopify")
    bodies = [return_request() for _ in range(count)]
    requests = [
        (body, signed_request(body, account["account"], account["secrets"][0])) for body in bodies
    ]
    latencies: list[float] = []
    limit = asyncio.Semaphore(concurrency)
    url = f"{settings.base_url_of('intake')}/webhooks/shopify"
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        with progress_bars(console) as progress:
            task = progress.add_task("webhooks accepted", total=count)

            async def post(body: bytes, headers: dict[str, str]) -> None:
                async with limit:
                    started = time.perf_counter()
                    async with http.post(url, data=body, headers=headers) as response:
                        answer = await response.read()
                    latencies.append((time.perf_counter() - started) * 1000)
                if response.status != 202:
                    raise RuntimeError(f"{response.status}: {answer!r}")
                progress.advance(task)

            cpu_before = cpu_seconds()
            started = time.perf_counter()
            await asyncio.gather(*(post(body, headers) for body, headers in requests))
            elapsed = time.perf_counter() - started
            cpu = cpu_ms_per_case(cpu_before, cpu_seconds(), count)
    return {
        "accepted_per_second": round(count / elapsed, 1),
        "latency_ms": {
            q: round(percentile(latencies, int(q[1:])), 1) for q in ("p50", "p95", "p99")
        }
        | {"max": round(max(latencies), 1)},
        "cpu_ms_per_webhook": cpu,
    }


async def cases_opened(settings: StackSettings, since: float, sent_after: datetime) -> float:
    """Seconds from the first webhook until the worker has applied every delivery sent."""
    connection = await asyncpg.connect(settings.plain_database_url)
    try:
        while await connection.fetchval(
            "SELECT count(*) FROM intake.deliveries WHERE state = 'accepted' AND received_at >= $1",
            sent_after,
        ):
            await asyncio.sleep(0.2)
        return time.perf_counter() - since
    finally:
        await connection.close()


async def forget_deliveries(settings: StackSettings, sent_after: datetime) -> None:
    connection = await asyncpg.connect(settings.plain_database_url)
    try:
        await connection.execute(
            "DELETE FROM intake.deliveries WHERE state = 'accepted' AND received_at >= $1",
            sent_after,
        )
    finally:
        await connection.close()


async def run(
    settings: StackSettings, admin: uvicorn.Server, count: int, concurrency: int, worker: str
) -> dict:
    serving = asyncio.create_task(admin.serve())
    while not admin.started:
        await asyncio.sleep(0.05)
    try:
        warmed_up = datetime.now(UTC)
        await send(settings, 50, 8)  # warm-up: connections, caches, first queries
        since, sent_after = time.perf_counter(), datetime.now(UTC)
        measured = await send(settings, count, concurrency)
        if worker == "off":  # nothing will apply them: leave no dead weight for `make run`
            drained = await forget_deliveries(settings, warmed_up)
        else:
            drained = await cases_opened(settings, since, sent_after)
    finally:
        admin.should_exit = True
        await serving
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "webhooks": count,
        "concurrency": concurrency,
        **measured,
        "worker": worker,
        "all_cases_opened_after_s": round(drained, 2) if drained is not None else None,
        "targets": {"accepted_per_second": 1000, "p99_ms": 50},
    }


SET_UPS = {
    "off": "alone",  # the accepting process alone; the cases are opened later
    "apart": "+ worker process",  # a second intake process opens them meanwhile
    "in-process": "worker inside",  # the accepting process opens them itself
}


def report(results: list[dict]) -> None:
    first = results[0]
    table = Table(
        title=f"{first['webhooks']} signed Shopify returns/request webhooks into one intake"
        f" process, {first['concurrency']} in flight",
        title_justify="left",
    )
    table.add_column("measure")
    for result in results:
        table.add_column(SET_UPS[result["worker"]], justify="right")
    table.add_column("target", justify="right")

    def row(name: str, cell, target: str = "") -> None:
        table.add_row(name, *(cell(result) for result in results), target)

    row("accepted per second", lambda r: f"{r['accepted_per_second']}", "≥ 1000")
    for q in ("p50", "p95", "p99", "max"):
        target = "< 50 ms" if q == "p99" else ""
        row(f"answer latency {q}", lambda r, q=q: f"{r['latency_ms'][q]} ms", target)
    row("every case opened after", lambda r: f"{r['all_cases_opened_after_s'] or '-'} s")
    parts = dict.fromkeys(part for r in results for part in r["cpu_ms_per_webhook"])
    for part in parts:
        row(
            f"CPU ms per webhook: {part}",
            lambda r, p=part: f"{r['cpu_ms_per_webhook'].get(p, 0):.2f}",
        )
    console.print(table)
    console.print(f"written to {RESULTS}")


def measure(worker: str, webhooks: int, concurrency: int) -> dict:
    """One set-up on a stack of its own: broker, PostgreSQL, intake (and its worker)."""
    console.print(f"[bold]intake process {SET_UPS[worker]}[/]")
    admin_port = free_port()
    admin = uvicorn.Server(
        uvicorn.Config(fake_admin_api(), port=admin_port, log_level="warning", access_log=False)
    )
    extra = {
        "SHOPIFY_ADMIN_BASE_URL": f"http://127.0.0.1:{admin_port}",
        "INTAKE_DELIVERY_WORKER": str(worker == "in-process").lower(),
    }
    stack = running_stack(
        free_port(), services=("intake",), extra_env=extra, intake_worker_apart=worker == "apart"
    )
    with stack as settings:
        return uvloop.run(run(settings, admin, webhooks, concurrency, worker))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhooks", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--worker",
        choices=("both", *SET_UPS),
        default="both",
        help="while the webhooks arrive, intake's worker is: off (the cases are opened later),"
        " apart (a second intake process, as deployed for bursts), in-process, or both of the"
        " first two, one after the other",
    )
    args = parser.parse_args()
    set_ups = ("off", "apart") if args.worker == "both" else (args.worker,)
    results = [measure(worker, args.webhooks, args.concurrency) for worker in set_ups]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    report(results)


if __name__ == "__main__":
    main()
