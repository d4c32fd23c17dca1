"""`make bench-analytics`: events applied per second by one analytics process.

Starts the broker, PostgreSQL (DATABASE_URL when set) and the analytics service alone,
then produces N events onto the four topics analytics consumes, as fast as one aiokafka
producer sends them: about six per case (case.opened, the offer and decision, the return
label, receipt and grading, a refund, a shipment...), keyed by case id, each a CloudEvents
envelope with the headers the outbox relay publishes. Measures the time from the first
event produced until analytics has applied all N (rows in `analytics.events`), and the
CPU each part spent meanwhile. Writes bench/results/analytics.json and prints a table.
"""

import argparse
import asyncio
import json
import os
import platform
import secrets
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import psutil
import uvloop
from aiokafka import AIOKafkaProducer
from rich.console import Console
from rich.table import Table

from bench.cpu import Snapshot, cpu_ms_per_case, cpu_seconds
from deploy.components import RUN_DIR, free_port
from deploy.progress import progress_bars
from deploy.settings import StackSettings
from deploy.stack import running_stack
from shared.events import (
    Alternative,
    CaseItem,
    CaseOpened,
    CostLine,
    DispatchRequested,
    Envelope,
    EventPayload,
    Grade,
    InspectionOpened,
    PickLine,
    RefundIssued,
    Remedy,
    ResolutionAccepted,
    ResolutionDecided,
    ResolutionOffered,
    ReturnLabelIssued,
    ReturnReceived,
    ReturnRoute,
    SatisfactionRated,
    Scenario,
    Shipped,
    UnitGraded,
)
from shared.markets import CURRENCY_OF, DEFAULT_LANGUAGE_OF, REGION_OF, Market

RESULTS = Path(__file__).resolve().parent / "results" / "analytics.json"
TARGET_PER_SECOND = 2000
WARM_UP_CASES = 10
POLL_SECONDS = 0.2
STALL_SECONDS = 60.0  # no event applied for this long: analytics is stuck, give up
console = Console()

# (sku, asin, title, category, price in minor units)
PRODUCTS = (
    ("BT-SPK-200-BLK", "B0C7K2M4QX", "Portable Bluetooth Speaker 20W", "electronics", 4999),
    ("RUN-SHOE-42-BLU", "B0B8Y1R2TT", "Trail Running Shoe, blue", "shoes", 8900),
    ("KT-BLND-900", "B09XK3L1PA", "Countertop Blender 900W", "kitchen", 6450),
    ("JK-RAIN-M-GRN", "B0CDQ7T5WS", "Packable Rain Jacket, M", "apparel", 5900),
    ("HD-ANC-700", "B0BSHF7WHW", "Noise Cancelling Headphones", "electronics", 17900),
    ("LMP-DESK-LED", "B07PX6V2QK", "LED Desk Lamp with USB-C", "home", 3299),
)
MARKETS = (Market.US, Market.US, Market.UK, Market.DE, Market.FR, Market.CA, Market.IT)
SELLERS = ("acme-audio", "northwind-outdoor", "kitchen-lab")


def alternatives(price: int, chosen: Remedy) -> list[Alternative]:
    """What the engine weighed, as resolution.decided carries it."""
    return [
        Alternative(
            remedy=chosen,
            cost_minor=price // 3,
            expected_cost_minor=price // 3 + 150,
            acceptance=0.62,
            lines=[CostLine(item="refund", amount_minor=price // 3)],
        ),
        Alternative(
            remedy=Remedy.RETURN_FULL_REFUND,
            cost_minor=price + 1150,
            expected_cost_minor=price + 1150,
            acceptance=0.97,
            lines=[
                CostLine(item="refund", amount_minor=price),
                CostLine(item="return_shipping", amount_minor=850),
                CostLine(item="handling", amount_minor=300),
                CostLine(item="recovery_value", amount_minor=-price // 2),
            ],
        ),
        Alternative(
            remedy=Remedy.EXCHANGE,
            cost_minor=price // 2,
            expected_cost_minor=None,
            acceptance=0.0,
            excluded_by="seller policy: no exchanges for this category",
        ),
    ]


def case_events(index: int, run: str, now: datetime | None = None) -> list[EventPayload]:
    """One case's events in the order the services publish them: a return, a partial
    refund or a part shipment, in turn (seven, six and five events: six on average); the
    case opened `now` (by default, this moment)."""
    now = now or datetime.now(UTC)
    case_id = f"case-bench-{run}-{index}"
    sku, asin, title, category, price = PRODUCTS[index % len(PRODUCTS)]
    market = MARKETS[index % len(MARKETS)]
    currency, region = CURRENCY_OF[market], REGION_OF[market]
    language = DEFAULT_LANGUAGE_OF[market]
    item = CaseItem(
        sku=sku, asin=asin, title=title, category=category, quantity=1, unit_price_minor=price
    )
    flow = index % 3
    scenario, remedy, reason, code = (
        (Scenario.SIZE_STYLE_MISMATCH, Remedy.RETURN_FULL_REFUND, "size_too_small", "TOO_SMALL"),
        (Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND, "damaged", "DAMAGED_BY_CARRIER"),
        (Scenario.FUNCTIONAL_FAULT, Remedy.PART_SHIPMENT, "defective", "DEFECTIVE"),
    )[flow]
    rma = f"RMA-{run}-{index}"
    opened = CaseOpened(
        case_id=case_id,
        marketplace="amazon",
        marketplace_event_id=f"evt-{uuid.uuid4()}",
        seller_account=SELLERS[index % len(SELLERS)],
        order_id=f"114-{index:07d}-{run[:7]}",
        return_id=f"R{index:08d}",
        rma_id=rma,
        market=market,
        region=region,
        buyer_ref=f"buyer-{secrets.token_hex(4)}",
        buyer_language=language,
        currency=currency,
        items=[item],
        reason_code=code,
        reason=reason,
        buyer_comment="It arrived with a cracked corner and the button sticks sometimes.",
        scenario=scenario,
        classification_confidence=0.91,
        classification_signals=[f"reason_code:{code}", f"keyword:{reason}"],
        delivered_at=now - timedelta(days=4),
        opened_at=now,
    )
    refund = price // 3 if remedy is Remedy.PARTIAL_REFUND else price
    offered = ResolutionOffered(
        case_id=case_id,
        offer_id=f"offer-{run}-{index}-1",
        step=1,
        remedy=remedy,
        amount_minor=refund if remedy is not Remedy.PART_SHIPMENT else 0,
        currency=currency,
        language=language,
        message=(
            f"Hello, we are sorry that your {title} did not meet expectations. We can offer"
            " you the remedy below at no cost to you; reply yes to accept it, or tell us"
            " more and an agent will help. This offer stays open for 48 hours."
        ),
        expires_at=now + timedelta(hours=48),
        needs_answer=remedy is not Remedy.RETURN_FULL_REFUND,
    )
    decided = ResolutionDecided(
        case_id=case_id,
        scenario=scenario,
        remedy=remedy,
        market=market,
        region=region,
        currency=currency,
        refund_minor=refund if remedy is not Remedy.PART_SHIPMENT else 0,
        items=[item],
        rule=f"{scenario.value}: {remedy.value} costs the seller least the buyer accepts",
        route=ReturnRoute.LOCAL if remedy is Remedy.RETURN_FULL_REFUND else None,
        policy_version=3,
        alternatives=alternatives(price, remedy),
    )
    warehouse = f"wh-{region.value.lower()}-1"
    if flow == 0:  # the buyer sends it back; it is received, inspected and graded
        inspection = f"insp-{run}-{index}"
        return [
            opened,
            offered,
            decided,
            ReturnLabelIssued(
                case_id=case_id,
                rma_id=rma,
                warehouse=warehouse,
                carrier="UPS",
                tracking_number=f"1Z{index:016d}",
                service="ground",
                postage_minor=850,
                postage_currency=currency,
            ),
            ReturnReceived(
                case_id=case_id,
                rma_id=rma,
                warehouse=warehouse,
                condition_note="outer box opened, item complete",
                received_at=now,
                items=[item],
                market=market,
                currency=currency,
            ),
            InspectionOpened(
                case_id=case_id, inspection_id=inspection, rma_id=rma, warehouse=warehouse
            ),
            UnitGraded(
                case_id=case_id,
                inspection_id=inspection,
                grade=Grade.B,
                computed_grade=Grade.B,
                reasons=["light scuffs on the housing"],
                technician="ben",
            ),
        ]
    if flow == 1:  # the buyer accepts a partial refund, is paid, and rates the service
        return [
            opened,
            offered,
            ResolutionAccepted(case_id=case_id, offer_id=offered.offer_id, remedy=remedy, at=now),
            decided,
            RefundIssued(
                case_id=case_id,
                refund_id=f"refund-{run}-{index}",
                marketplace="amazon",
                marketplace_refund_id=f"AMZ-{index:010d}",
                amount_minor=refund,
                currency=currency,
                remedy=remedy,
                at=now,
            ),
            SatisfactionRated(case_id=case_id, rating=4 + index % 2, at=now),
        ]
    shipment = f"ship-{run}-{index}"  # a spare part from a local warehouse
    return [
        opened,
        offered,
        decided,
        DispatchRequested(
            case_id=case_id,
            shipment_id=shipment,
            remedy=remedy,
            warehouse=warehouse,
            pick_list=[PickLine(sku=f"{sku}-PART", quantity=1, bin="A-12-3")],
            carrier="DHL",
            service="standard",
            postage_minor=420,
            postage_currency=currency,
            promised_by=now.date() + timedelta(days=3),
        ),
        Shipped(
            case_id=case_id,
            shipment_id=shipment,
            remedy=remedy,
            warehouse=warehouse,
            carrier="DHL",
            service="standard",
            tracking_number=f"JD{index:018d}",
            postage_minor=420,
            postage_currency=currency,
            by="ana",
            at=now,
        ),
    ]


Record = tuple[str, bytes, bytes, list[tuple[str, bytes]]]  # topic, key, value, headers


def record_of(payload: EventPayload, trace_id: str) -> Record:
    """The record the outbox relay publishes: the envelope as JSON, keyed by case id, with
    FastStream's content type and correlation id, the W3C trace context and the type."""
    envelope = Envelope.wrap(payload)
    headers = [
        ("content-type", b"application/json"),
        ("correlation_id", str(uuid.uuid4()).encode()),
        ("traceparent", f"00-{trace_id}-{secrets.token_hex(8)}-01".encode()),
        ("ce_type", envelope.type.encode()),
    ]
    value = json.dumps(envelope.model_dump(mode="json")).encode()
    return envelope.topic, envelope.subject.encode(), value, headers


def bench_records(count: int, run: str, first_case: int = 0) -> list[Record]:
    """`count` events of whole cases (the last one cut short), encoded up front so that
    the producer spends its CPU on sending."""
    records: list[Record] = []
    index = first_case
    while len(records) < count:
        trace_id = secrets.token_hex(16)  # one case, one trace
        records += [record_of(event, trace_id) for event in case_events(index, run)]
        index += 1
    return records[:count]


async def applied_after(connection: asyncpg.Connection, seq: int, run: str) -> int:
    """This run's events applied since `seq` (another stack may share the database)."""
    return await connection.fetchval(
        "SELECT count(*) FROM analytics.events WHERE seq > $1 AND case_id LIKE $2",
        seq,
        f"case-bench-{run}-%",
    )


async def last_seq(connection: asyncpg.Connection) -> int:
    return await connection.fetchval("SELECT coalesce(max(seq), 0) FROM analytics.events")


def own_cpu_seconds() -> Snapshot:
    """CPU seconds of this run's processes (its analytics, broker, this producer) and of
    PostgreSQL: a stack already running on the machine is left out, bar its database."""
    own = {os.getpid(), *(child.pid for child in psutil.Process().children(recursive=True))}
    return {
        pid: (part, seconds)
        for pid, (part, seconds) in cpu_seconds().items()
        if pid in own or part == "postgresql"
    }


async def produce(producer: AIOKafkaProducer, records: list[Record], acked: list[int]) -> float:
    """Send every record as fast as the producer batches them; returns when the last was
    acknowledged (perf_counter)."""

    def count(_) -> None:
        acked[0] += 1

    futures = []
    for topic, key, value, headers in records:
        future = await producer.send(topic, value, key=key, headers=headers)
        future.add_done_callback(count)
        futures.append(future)
    await asyncio.gather(*futures)
    return time.perf_counter()


async def wait_applied(
    connection: asyncpg.Connection,
    since_seq: int,
    run: str,
    expected: int,
    on_poll=None,
) -> float:
    """Poll until `expected` events after `since_seq` are applied; returns when (perf_counter)."""
    applied, progressed = 0, time.monotonic()
    while True:
        now_applied = await applied_after(connection, since_seq, run)
        seen = time.perf_counter()
        if on_poll is not None:
            on_poll(now_applied)
        if now_applied >= expected:
            return seen
        if now_applied > applied:
            applied, progressed = now_applied, time.monotonic()
        elif time.monotonic() - progressed > STALL_SECONDS:
            raise RuntimeError(
                f"analytics applied {applied} of {expected} events and then nothing for"
                f" {STALL_SECONDS:.0f} s; see {RUN_DIR / 'logs' / 'analytics.log'}"
            )
        await asyncio.sleep(POLL_SECONDS)


async def run(settings: StackSettings, count: int) -> dict:
    run_id = uuid.uuid4().hex[:8]
    console.print(f"encoding {count:,} events…")
    warm_up = bench_records(6 * WARM_UP_CASES, run_id, first_case=10**7)
    records = bench_records(count, run_id)
    by_topic = Counter(topic for topic, *_ in records)
    by_type = Counter(
        next(v for k, v in headers if k == "ce_type").decode() for *_, headers in records
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_idempotence=False,  # the embedded Tansu broker refuses InitProducerId
        linger_ms=5,
        max_batch_size=512 * 1024,
    )
    connection = await asyncpg.connect(settings.plain_database_url)
    await producer.start()
    try:
        # Warm-up: the consumer has joined its group and holds its partitions, and the
        # connections and caches of every part are ready, before the clock starts.
        start_seq = await last_seq(connection)
        await produce(producer, warm_up, [0])
        await wait_applied(connection, start_seq, run_id, len(warm_up))
        since_seq = await last_seq(connection)

        acked = [0]
        with progress_bars(console) as progress:
            producing = progress.add_task("events produced", total=count)
            applying = progress.add_task("events applied by analytics", total=count)

            def on_poll(applied: int) -> None:
                if sending.done() and sending.exception() is not None:
                    raise RuntimeError(f"producing failed: {sending.exception()!r}")
                progress.update(producing, completed=acked[0])
                progress.update(applying, completed=applied)

            cpu_before = own_cpu_seconds()
            first_sent = time.perf_counter()
            sending = asyncio.create_task(produce(producer, records, acked))
            all_applied = await wait_applied(connection, since_seq, run_id, count, on_poll)
            last_acked = await sending
            cpu_after = own_cpu_seconds()
            on_poll(count)
    finally:
        await producer.stop()
        await connection.close()

    cpu = cpu_ms_per_case(cpu_before, cpu_after, count / 1000)
    analytics_cpu_s = sum(
        seconds - cpu_before.get(pid, (part, 0.0))[1]
        for pid, (part, seconds) in cpu_after.items()
        if part == "analytics"
    )
    applied_after_s = all_applied - first_sent
    applied_per_second = count / applied_after_s
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "events": count,
        "cases": len({key for _, key, _, _ in records}),
        "events_by_topic": dict(sorted(by_topic.items())),
        "events_by_type": dict(by_type.most_common()),
        "consumer_batch_size": settings.consumer_batch_size,
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded",
        "produced_per_second": round(count / (last_acked - first_sent), 1),
        "produced_all_after_s": round(last_acked - first_sent, 2),
        "applied_all_after_s": round(applied_after_s, 2),
        "applied_per_second": round(applied_per_second, 1),
        "poll_interval_s": POLL_SECONDS,
        "analytics_cpu_s": round(analytics_cpu_s, 2),
        "cpu_ms_per_1000_events": cpu,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": {"applied_per_second": TARGET_PER_SECOND},
        "target_met": applied_per_second >= TARGET_PER_SECOND,
    }


def report(result: dict) -> None:
    table = Table(
        title=f"{result['events']:,} events ({result['cases']:,} cases) into one analytics process",
        title_justify="left",
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row(
        "events/s applied (first produced → all applied)",
        f"{result['applied_per_second']:,}",
        f"≥ {TARGET_PER_SECOND:,}",
    )
    table.add_row("all applied after", f"{result['applied_all_after_s']} s", "")
    table.add_row("events/s produced (one aiokafka producer)", f"{result['produced_per_second']:,}")
    table.add_row("all produced after", f"{result['produced_all_after_s']} s", "")
    table.add_row("analytics CPU", f"{result['analytics_cpu_s']} s", "")
    for part, ms in result["cpu_ms_per_1000_events"].items():
        table.add_row(f"CPU ms per 1,000 events: {part}", f"{ms:.1f}", "")
    console.print(table)
    verdict = "[green]met[/]" if result["target_met"] else "[red]not met[/]"
    console.print(f"target ≥ {TARGET_PER_SECOND:,} events/s applied: {verdict}")
    console.print(f"written to {RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()
    if args.events < 1:
        parser.error("--events must be at least 1")
    # Ports of their own, so that a stack already running (`make run`) is left alone.
    stack = running_stack(
        free_port(), services=("analytics",), extra_env={"ANALYTICS_PORT": str(free_port())}
    )
    try:
        with stack as settings:
            result = uvloop.run(run(settings, args.events))
    except (RuntimeError, TimeoutError) as error:
        console.print(f"[red]bench failed:[/] {error}")
        sys.exit(1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


if __name__ == "__main__":
    main()
