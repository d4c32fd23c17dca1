"""`make bench-scale`: every report, the workbook and each console query, timed as analytics
grows to 10k, 100k and 1M historical cases.

Starts the broker and analytics alone (as `bench/analytics.py` does) on a database of its
own (`aftersales_bench_scale`, dropped and made again at each run, on the server of
DATABASE_URL or the embedded one), then for each size in turn bulk-loads the cases still
missing, with their events, straight into analytics' tables with COPY: the events as
`bench/analytics.py` builds them (a return, a partial refund or a part shipment, six on
average), spread over 24 months, and each case's read-model row folded from them by
analytics' own `case_facts.case_rows`; one published FAQ entry per listing. The tables'
indexes and keys are dropped before a load and built again after it; the tallies of the
cases (kept by a trigger as events are applied) are deferred during the load and folded
again after it, as a rebuild does. Then every query is
asked through analytics' HTTP API with a token of the development issuer (an operations
user serving the three bench sellers), as the console asks it. Writes
bench/results/scale.json after each size and prints a table (size × query, ms, met or not).

Each case is a copy of one of 42 × 24 template cases (listing × market × flow, month) under
its own id, its times shifted by up to a few hours: the timestamps inside an event's data
are its template's, the event's and the read model's times are the case's own.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import uvloop
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.analytics import PRODUCTS, SELLERS, case_events
from bench.cpu import part_of
from deploy.components import free_port, fresh_database, postgres
from deploy.dev_issuer import local_bearer
from deploy.progress import progress_bars
from deploy.settings import StackSettings
from deploy.stack import running_stack
from services.analytics.domain.case_facts import case_rows
from services.analytics.workflows.phrase_tallies import refold_phrase_tallies
from services.analytics.workflows.tallies import REFOLD
from shared.db import create_service_engine, session_factory, transaction
from shared.events import Envelope
from shared.identity import Role

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
# Another name for a run beside someone else's on a shared server.
DATABASE = os.environ.get("BENCH_SCALE_DATABASE", "aftersales_bench_scale")
SIZES = (10_000, 100_000, 1_000_000)
TARGET_MS = 1000.0
KINDS = 42  # listing (6) × market (7) × flow (3) of bench/analytics.case_events
MONTHS = 24
CHUNK = 5_000  # cases per COPY
RUNS = 3  # timed runs of a query after a warm-up, fewer once it has taken RUNS_BUDGET_S
RUNS_BUDGET_S = 10.0
ASK_LIMIT_S = 90.0  # a query expected to take longer is extrapolated, not asked
REQUEST_TIMEOUT_S = 300.0
SCHEMA = "analytics"
LOADED_TABLES = ("events", "cases")
EVENT_COLUMNS = ("event_id", "case_id", "type", "source", "time", "trace_id", "data")
CASE_COLUMNS = (
    "case_id",
    "marketplace",
    "market",
    "scenario",
    "remedy",
    "grade",
    "disposition",
    "status",
    "seller_account",
    "sku",
    "asin",
    "title",
    "category",
    "reason",
    "reason_code",
    "opened_at",
    "language",
    "first_offer_at",
    "currency",
    "cost_minor",
    "baseline_minor",
    "rating",
    "recovery_minor",
    "updated_at",
    "events_kept",  # the case's own events, counted by case_rows as the projection does
)
console = Console()


@dataclass(frozen=True)
class Template:
    """One case's events (type, source, time after opening, data as JSON) and read-model
    row, under a case id that each copy replaces by its own."""

    case_id: str
    events: list[tuple[str, str, timedelta, str]]
    row: dict[str, Any]


def templates(now: datetime) -> list[Template]:
    """KINDS × MONTHS template cases, the month m's opened m months before `now`."""
    made = []
    for kind in range(KINDS):
        for month in range(MONTHS):
            opened = now - timedelta(days=30 * (MONTHS - month), hours=kind % 12)
            payloads = case_events(kind, f"tpl{month}", now=opened)
            timed = [(p, opened + timedelta(minutes=7 * k)) for k, p in enumerate(payloads)]
            events = []
            for payload, at in timed:
                envelope = Envelope.wrap(payload)
                events.append(
                    (envelope.type, envelope.source, at - opened, json.dumps(envelope.data))
                )
            (row,) = case_rows(timed)
            made.append(Template(payloads[0].case_id, events, row))
    return made


def case_id_of(index: int) -> str:
    return f"case-scale-{index:07d}"


def copies(
    made: list[Template], first: int, last: int
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """The event and case rows of cases first..last-1, CHUNK cases at a time."""
    for start in range(first, last, CHUNK):
        events: list[tuple] = []
        cases: list[tuple] = []
        for index in range(start, min(start + CHUNK, last)):
            template = made[(index % KINDS) * MONTHS + (index // KINDS) % MONTHS]
            case_id = case_id_of(index)
            shift = timedelta(seconds=29 * (index // (KINDS * MONTHS)))
            opened = template.row["opened_at"] + shift
            trace_id = f"{index:032x}"
            quoted, own = json.dumps(template.case_id), json.dumps(case_id)
            events += [
                (f"{case_id}/{k}", case_id, kind, source, opened + after, trace_id, data)
                for k, (kind, source, after, data) in enumerate(
                    (kind, source, after, data.replace(quoted, own))
                    for kind, source, after, data in template.events
                )
            ]
            row = {
                name: value + shift if isinstance(value, datetime) else value
                for name, value in template.row.items()
            }
            row["case_id"] = case_id
            cases.append(tuple(row[name] for name in CASE_COLUMNS))
        yield events, cases


async def keys_and_indexes(connection: asyncpg.Connection) -> tuple[list[str], list[str]]:
    """What drops the loaded tables' keys and indexes, and what builds them again (the
    migrations' own definitions, as the catalog holds them)."""
    constraints = await connection.fetch(
        """
        SELECT t.relname AS table_name, c.conname, pg_get_constraintdef(c.oid) AS definition
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relname = ANY($2) AND c.contype IN ('p', 'u')
        """,
        SCHEMA,
        list(LOADED_TABLES),
    )
    indexes = await connection.fetch(
        """
        SELECT ic.relname AS index_name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relname = ANY($2)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        SCHEMA,
        list(LOADED_TABLES),
    )
    drop = [f'DROP INDEX {SCHEMA}."{i["index_name"]}"' for i in indexes] + [
        f'ALTER TABLE {SCHEMA}."{c["table_name"]}" DROP CONSTRAINT "{c["conname"]}"'
        for c in constraints
    ]
    build = [
        f'ALTER TABLE {SCHEMA}."{c["table_name"]}" ADD CONSTRAINT "{c["conname"]}"'
        f" {c['definition']}"
        for c in constraints
    ] + [i["definition"] for i in indexes]
    return drop, build


async def load(settings: StackSettings, made: list[Template], first: int, last: int) -> dict:
    """Cases first..last-1 and their events, COPYed in with the tables' indexes dropped."""
    connection = await asyncpg.connect(settings.plain_database_url)
    started = time.perf_counter()
    try:
        await connection.execute(
            "SET synchronous_commit = off; SET maintenance_work_mem = '512MB';"
            " SET analytics.tallies = 'deferred'"  # folded again below, at once
        )
        drop, build = await keys_and_indexes(connection)
        for statement in drop:
            await connection.execute(statement)
        with progress_bars(console) as progress:
            loading = progress.add_task(f"cases loaded (to {last:,})", total=last - first)
            for events, cases in copies(made, first, last):
                async with connection.transaction():
                    await connection.copy_records_to_table(
                        "events", schema_name=SCHEMA, columns=EVENT_COLUMNS, records=events
                    )
                    await connection.copy_records_to_table(
                        "cases", schema_name=SCHEMA, columns=CASE_COLUMNS, records=cases
                    )
                progress.advance(loading, len(cases))
            copied = time.perf_counter()
            indexing = progress.add_task(
                "keys and indexes built, tallies folded", total=len(build) + 2
            )
            for statement in build:
                await connection.execute(statement)
                progress.advance(indexing)
            await connection.execute(f"ANALYZE {SCHEMA}.events, {SCHEMA}.cases")
            progress.advance(indexing)
            indexed = time.perf_counter()
            async with connection.transaction():
                await connection.execute(REFOLD)
            await connection.execute(
                f"ANALYZE {SCHEMA}.case_tallies, {SCHEMA}.first_reply_tallies,"
                f" {SCHEMA}.breach_tallies"
            )
            progress.advance(indexing)
            tallied = time.perf_counter()
        events = await connection.fetchval(f"SELECT count(*) FROM {SCHEMA}.events")
        size = await connection.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await connection.close()
    await tally_phrases(settings)
    done = time.perf_counter()
    return {
        "copy_s": round(copied - started, 1),
        "index_s": round(indexed - copied, 1),
        "tallies_s": round(tallied - indexed, 1),
        "phrase_tally_s": round(done - tallied, 1),
        "events": events,
        "database_mb": round(size / 2**20),
    }


async def tally_phrases(settings: StackSettings) -> None:
    """The buyers' phrases counted again from every kept text, as a rebuild counts them: the
    COPY went past the projection, which counts them as events are applied."""
    console.print("counting the buyers' phrases…")
    engine = create_service_engine("analytics", settings, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            await refold_phrase_tallies(session)
            await session.execute(
                text(f"ANALYZE {SCHEMA}.phrase_tallies, {SCHEMA}.buyer_text_tallies")
            )
    finally:
        await engine.dispose()


async def publish_faq_entries(settings: StackSettings, now: datetime) -> None:
    """A published entry per listing of each seller, a year ago (for the FAQ's effect)."""
    connection = await asyncpg.connect(settings.plain_database_url)
    try:
        await connection.executemany(
            f"""INSERT INTO {SCHEMA}.faq_entries (seller_account, sku, entry_id, language,
                question, answer, covers, updated_at, published_at)
                VALUES ($1, $2, 'fit', 'en', 'Does it run small?', 'Order one size up.',
                '["size_too_small", "damaged"]', $3, $3)""",
            [(s, sku, now - timedelta(days=365)) for s in SELLERS for sku, *_ in PRODUCTS],
        )
    finally:
        await connection.close()


def queries(size: int) -> dict[str, tuple[str, dict[str, str]]]:
    """Every report, the workbook and each query of the console (services/analytics/console/
    console.js), by name: the path and its parameters. The console's overview asks each
    report across the caller's sellers, or for one seller and a period."""
    seller, sku = SELLERS[0], PRODUCTS[0][0]
    year = {"seller": seller, "since": "2025-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    case = case_id_of(size // 2)
    return {
        "summary": ("/reports/summary", {}),
        "listings": ("/reports/listings", {}),
        "listings, one seller, a year": ("/reports/listings", year),
        "listings CSV": ("/reports/listings", {"format": "csv"}),
        "markets": ("/reports/markets", {}),
        "markets, one seller, a year": ("/reports/markets", year),
        "outcomes": ("/reports/outcomes", {}),
        "outcomes, one seller, a year": ("/reports/outcomes", year),
        "savings per month": ("/reports/savings", {}),
        "savings per listing, one seller": (
            "/reports/savings",
            {"seller": seller, "per": "listing"},
        ),
        "workbook (XLSX), one seller": ("/reports/workbook", {"seller": seller}),
        "FAQ gaps": ("/reports/faq-gaps", {}),
        "FAQ effect": ("/reports/faq-effect", {}),
        "claims won": ("/reports/claims", {}),
        "open claims": ("/claims", {"outcome": "open"}),
        "case list": ("/cases", {}),
        "case list, filtered": ("/cases", {"status": "refund_issued", "market": "UK"}),
        "case list, searched": ("/cases", {"search": sku}),  # a sixth of the cases hold it
        "case list, searched for a case": ("/cases", {"search": case}),  # one case holds it
        "one case": (f"/cases/{case}", {}),
        "case timeline": (f"/cases/{case}/timeline", {}),
        "case conversation": (f"/cases/{case}/conversation", {}),
        "who is signed in": ("/console/me", {}),
    }


def own_analytics() -> psutil.Process:
    """This run's analytics process (a stack already running on the machine is not ours)."""
    for process in psutil.Process().children(recursive=True):
        if part_of(process) == "analytics":
            return process
    raise RuntimeError("analytics is not running")


def cpu_ms(process: psutil.Process) -> float:
    times = process.cpu_times()
    return (times.user + times.system) * 1000


async def timed(
    client: httpx.AsyncClient, analytics: psutil.Process, path: str, params: dict[str, str]
) -> tuple[float, float]:
    """One answer's time and the CPU analytics spent on it, in ms; raises on anything but 200.
    On a busy machine the CPU is the steadier figure (PostgreSQL's is not counted)."""
    cpu_before = cpu_ms(analytics)
    started = time.perf_counter()
    answer = await client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{path} {params}: {answer.status_code} {answer.text[:300]}")
    return elapsed, cpu_ms(analytics) - cpu_before


def expected_ms(before: dict | None, size: int) -> float | None:
    """A query's time at `size` cases, from the last size it was asked at, as if it grew
    in proportion to the cases (its own extrapolation when not asked there either)."""
    if before is None:
        return None
    ms = before["ms"] if before["ms"] is not None else before["extrapolated_ms"]
    return ms * size / before["cases"]


async def time_queries(
    settings: StackSettings, size: int, before: dict[str, dict]
) -> dict[str, dict]:
    """Each query after a warm-up: the median of up to RUNS runs (fewer for a slow one). A
    query expected to take over ASK_LIMIT_S at this size (from the last one, in proportion
    to the cases) is not asked: its time is extrapolated, and marked so."""
    headers = local_bearer(settings, Role.OPERATIONS, "bench-scale", sellers=SELLERS)
    measured: dict[str, dict] = {}
    asked = queries(size)
    analytics = own_analytics()
    async with httpx.AsyncClient(
        base_url=settings.base_url_of("analytics"), headers=headers, timeout=REQUEST_TIMEOUT_S
    ) as client:
        with progress_bars(console) as progress:
            task = progress.add_task(f"queries at {size:,} cases", total=len(asked))
            for name, (path, params) in asked.items():
                expected = expected_ms(before.get(name), size)
                query = {"path": path, "params": params, "cases": size}
                if expected is not None and expected > ASK_LIMIT_S * 1000:
                    measured[name] = query | {
                        "ms": None,
                        "extrapolated_ms": round(expected),
                        "met": False,
                    }
                    progress.advance(task)
                    continue
                slow = expected is not None and expected > RUNS_BUDGET_S * 1000
                if not slow:
                    await timed(client, analytics, path, params)  # the warm-up
                runs: list[tuple[float, float]] = []
                while len(runs) < RUNS and sum(r for r, _ in runs) / 1000 < RUNS_BUDGET_S:
                    runs.append(await timed(client, analytics, path, params))
                ms = statistics.median(r for r, _ in runs)
                measured[name] = query | {
                    "ms": round(ms, 1),
                    "runs_ms": [round(r, 1) for r, _ in runs],
                    "analytics_cpu_ms": round(statistics.median(c for _, c in runs), 1),
                    "met": ms < TARGET_MS,
                }
                progress.advance(task)
    return measured


def load_average() -> list[float]:
    return [round(load, 2) for load in os.getloadavg()]


async def run(settings: StackSettings, sizes: list[int], result: dict) -> None:
    now = datetime.now(UTC)
    console.print(f"building {KINDS * MONTHS:,} template cases…")
    made = templates(now)
    await publish_faq_entries(settings, now)
    loaded = 0
    for size in sizes:
        loading = await load(settings, made, loaded, size)
        loaded = size
        before = result["sizes"][-1]["queries"] if result["sizes"] else {}
        measured = await time_queries(settings, size, before)
        result["sizes"].append(
            {
                "cases": size,
                **loading,
                "load_average_after": load_average(),
                "queries": measured,
                "all_met": all(q["met"] for q in measured.values()),
            }
        )
        write(result)
        report(result)


def write(result: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


def report(result: dict) -> None:
    sizes = result["sizes"]
    table = Table(
        title="Analytics' reports and console queries by cases held: ms answered in"
        f" (target < {TARGET_MS:,.0f}), and analytics' CPU ms",
        title_justify="left",
    )
    table.add_column("query")
    for size in sizes:
        table.add_column(f"{size['cases']:,} cases", justify="right")
    for name in sizes[0]["queries"]:
        cells = []
        for size in sizes:
            query = size["queries"][name]
            mark = "[green]met[/]" if query["met"] else "[red]not met[/]"
            if query["ms"] is None:
                cells.append(f"~{query['extrapolated_ms']:,.0f} (extrapolated) {mark}")
            else:
                cells.append(f"{query['ms']:,.0f} · cpu {query['analytics_cpu_ms']:,.0f} {mark}")
        table.add_row(name, *cells)
    table.add_row(
        "load: COPY / indexes / tallies (s)",
        *(f"{s['copy_s']} / {s['index_s']} / {s['tallies_s']}" for s in sizes),
    )
    table.add_row("events held", *(f"{s['events']:,}" for s in sizes))
    console.print(table)
    console.print(
        f"machine: {result['machine']['cpus']} CPUs, load average {load_average()}"
        " (shared with other work: figures vary from run to run)"
    )
    console.print(f"written to {RESULTS}")


def own_database(server_url: str) -> str:
    return make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)


def sizes_of(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise ValueError("sizes are case counts of at least 1")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="e.g. 10000,100000")
    args = parser.parse_args()
    try:
        sizes = sizes_of(args.sizes)
    except ValueError as error:
        parser.error(f"--sizes: {error}")
    result: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_average(),
            "note": "shared with other work while measured",
        },
        "target_ms": TARGET_MS,
        "timed_as": f"median of up to {RUNS} runs after a warm-up, through the HTTP API; a"
        f" query expected over {ASK_LIMIT_S:.0f} s is extrapolated from the last size, not"
        " asked",
        "sizes": [],
    }
    try:
        with postgres() as server_url:
            uvloop.run(fresh_database(server_url, DATABASE))
            # Ports of their own, so that a stack already running (`make run`) is left alone,
            # its development issuer too (the bench's token is signed with this one's key).
            extra = {
                "ANALYTICS_PORT": str(free_port()),
                "DEV_ISSUER_PORT": str(free_port()),
                "DATABASE_URL": own_database(server_url),
            }
            with running_stack(free_port(), services=("analytics",), extra_env=extra) as settings:
                uvloop.run(run(settings, sizes, result))
    except (RuntimeError, TimeoutError, httpx.HTTPError) as error:
        console.print(f"[red]bench failed:[/] {error!r}")
        sys.exit(1)


if __name__ == "__main__":
    main()
