"""The skeleton every service is built on, written once.

A `ServiceSpec` says what a service is: its name and settings, its HTTP routes, the topics
it consumes and the handler of each event type (or, for a read model, one projection that
takes whole batches), the context its handlers share and its background workers.
`Service` wires it to PostgreSQL, Kafka, the outbox relay and telemetry, and starts and
stops the workers; `create_app` puts it behind FastAPI with health and readiness probes,
the audit trail (`GET /audit`), the recovery tools for dead letters (`/dead-letters`,
`shared/recovery.py`) and the rate limits.

A service serves HTTP as soon as its database answers: the broker is connected, and the
consumer group joined, in the background (a group join takes seconds, more after a crash),
and the outbox relay starts once the broker is there. Readiness asks for what the process
needs to do its job: its database always, the broker unless the spec says the service
serves without it (intake's webhooks are stored in PostgreSQL). On SIGTERM, uvicorn stops
taking requests and the service stops its workers, lets the consumer finish and commit the
batch in hand (SHUTDOWN_GRACE_SECONDS at most), stops the relay and closes.
"""

import asyncio
import contextlib
import copy
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.metrics import Counter
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import audit, edge, rate_limits, recovery
from shared.consumer import BatchReads, EventConsumer, EventHandler, Projection
from shared.db import create_service_engine, session_factory, transaction
from shared.identity import public
from shared.inbox import case_trace_headers, first_case_trace
from shared.outbox import OutboxRelay
from shared.production import refuse_unfit_secrets
from shared.sandbox import warn_of_sandboxes
from shared.settings import ServiceSettings
from shared.telemetry import (
    CASE_ID,
    CASE_TRACE,
    Telemetry,
    case_links,
    context_from_headers,
    setup_telemetry,
    with_case_trace,
)
from shared.tenancy import INFO_KEY, walled_sellers

log = logging.getLogger(__name__)

# Between tries to reach the database or the broker while starting.
BROKER_RETRY_SECONDS = 1.0
# What each step of a stop still gets once SHUTDOWN_GRACE_SECONDS are spent.
SHORTEST_STOP_SECONDS = 0.5


class Worker(Protocol):
    """A background loop of a service: runs until stopped."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...


def no_workers(service: "Service", context: Any) -> Iterable[Worker]:
    return ()


def no_larger_bodies(settings: Any) -> dict[str, int]:
    return {}


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    # The service's own settings class (`services/<name>/settings.py`).
    settings: type[ServiceSettings] = ServiceSettings
    routers: tuple[APIRouter, ...] = ()
    consumes: tuple[str, ...] = ()
    handlers: dict[str, EventHandler] = field(default_factory=dict)
    projection: Projection | None = None
    # What a batch of events' handlers read, read once per batch (`shared/consumer.py`).
    batch_reads: BatchReads | None = None
    # What the service's handlers and workers share while it runs (clients of outside APIs,
    # caches), as one typed object: `service.context`. Entered once the database answers
    # (the broker may still be joining), left before the relay and the broker stop.
    context: Callable[["Service"], AbstractAsyncContextManager[Any]] | None = None
    # The background loops the service runs beside its consumer, given the service and its
    # context: started once the context is ready, stopped (and awaited) before it closes.
    workers: Callable[["Service", Any], Iterable[Worker]] = no_workers
    # Path prefixes the generic HTTP instrumentation skips: hot routes that open their own
    # lean server span with `Service.server_span` (the generic one costs a third of a webhook).
    lean_traced_paths: tuple[str, ...] = ()
    # Routes that take bodies larger than MAX_BODY_BYTES (uploads, mail, reports): a path
    # pattern (a regular expression matched at the start) → the most bytes, by the settings.
    larger_bodies: Callable[[Any], dict[str, int]] = no_larger_bodies
    # Whether the service does its job with the broker away (its readiness then asks for its
    # database only): intake stores webhooks in PostgreSQL, its events wait in the outbox.
    serves_without_broker: bool = False
    # The queues that wait for an operator beside the dead letters every service has
    # (intake's failed deliveries and calls): counted as gauges (`shared/recovery.py`).
    waiting_queues: tuple[recovery.WaitingQueue, ...] = ()


class Service:
    """A running service: database, broker, consumer, outbox relay and telemetry."""

    def __init__(
        self, spec: ServiceSpec, settings: ServiceSettings, telemetry: Telemetry | None = None
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self.settings = settings
        self.owns_telemetry = telemetry is None
        self.telemetry = telemetry or setup_telemetry(spec.name, settings)
        self.engine = create_service_engine(spec.name, settings, settings.database_pool_size)
        self.sessions = session_factory(self.engine)
        self.broker = KafkaBroker(
            settings.kafka_bootstrap_servers,
            client_id=f"aftersales-{spec.name}",
            allow_auto_create_topics=False,
            **settings.kafka_producer_options(),
            log_level=logging.DEBUG,
            # On stop, the batch in hand is applied and committed, for this long at most.
            graceful_timeout=settings.shutdown_grace_seconds,
        )
        self.consumer: EventConsumer | None = None
        if (spec.handlers or spec.projection) and settings.consume_events:
            self.consumer = EventConsumer(
                spec.name,
                spec.handlers,
                self.sessions,
                self.broker,
                self.telemetry,
                settings,
                spec.projection,
                spec.batch_reads,
            )
            self.consumer.subscribe(spec.consumes)
        self.relay = OutboxRelay(
            spec.name, self.sessions, self.broker, self.telemetry, settings, self.counter
        )
        self._relay_task: asyncio.Task | None = None
        self._broker_task: asyncio.Task | None = None
        self.broker_connected = False
        self.waiting = recovery.WaitingCounts(
            spec.name,
            self.sessions,
            self.telemetry.meter,
            (recovery.DEAD_LETTERS, *spec.waiting_queues),
        )
        self._counters: dict[str, Counter] = {}
        self._own_parts = AsyncExitStack()
        self._workers: list[tuple[Worker, asyncio.Task]] = []
        # What `spec.context` provides to the handlers and workers while the service runs.
        self.context: Any = None

    def counter(self, name: str, description: str = "") -> Counter:
        """A counter of this service's meter, created once per name."""
        if name not in self._counters:
            self._counters[name] = self.telemetry.meter.create_counter(
                name, description=description
            )
        return self._counters[name]

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        return transaction(self.sessions)

    @asynccontextmanager
    async def case_span(
        self, session: AsyncSession, case_id: str, name: str
    ) -> AsyncIterator[None]:
        """A span in the case's own trace, linked to the request that caused it.

        Work a person starts on a case (a warehouse scan, a grade) runs in its own
        HTTP request; this keeps it, and the events it emits, in the case's trace, and
        links both the request and this span to the case's first trace (`case.id` on both).
        """
        request_span = trace.get_current_span()
        latest = await case_trace_headers(session, case_id)
        first = latest.get(CASE_TRACE) or await first_case_trace(session, case_id)
        parent = context_from_headers(latest)
        own = trace.get_current_span(parent).get_span_context()
        request_span.set_attribute(CASE_ID, case_id)
        for link in case_links(first, request_span.get_span_context()):
            request_span.add_link(link.context, link.attributes)
        with self.telemetry.tracer.start_as_current_span(
            name,
            context=with_case_trace(parent, case_id, first),
            links=[trace.Link(request_span.get_span_context()), *case_links(first, own)],
            attributes={CASE_ID: case_id},
        ):
            yield

    @contextmanager
    def server_span(self, request: Request, route: str) -> Iterator[trace.Span]:
        """The SERVER span of a request on a lean-traced path; a new trace, as from outside."""
        with self.telemetry.tracer.start_as_current_span(
            f"{request.method} {route}",
            kind=trace.SpanKind.SERVER,
            attributes={
                "http.request.method": request.method,
                "http.route": route,
                "url.path": request.url.path,
            },
        ) as span:
            yield span

    async def start(self) -> None:
        """Ready to serve HTTP once the database answers; the broker comes in the background."""
        await self._database_answers()
        if self.spec.context is not None:
            self.context = await self._own_parts.enter_async_context(self.spec.context(self))
        self._own_parts.push_async_callback(self._stop_workers)
        for worker in (self.waiting, *self.spec.workers(self, self.context)):
            self._workers.append((worker, asyncio.create_task(worker.run())))
        self._broker_task = asyncio.create_task(self._connect_broker(), name=f"{self.name}-broker")

    async def _database_answers(self) -> None:
        """Wait until the database answers (it may be starting too), for STARTUP_DATABASE_
        WAIT_SECONDS at most; then the error is raised and the process exits."""
        deadline = asyncio.get_running_loop().time() + self.settings.startup_database_wait_seconds
        while True:
            try:
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                return
            except Exception as error:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                log.warning("%s waits for its database: %r", self.name, error)
                await asyncio.sleep(BROKER_RETRY_SECONDS)

    async def _connect_broker(self) -> None:
        """Connect the broker and join the consumer group, trying again until it works;
        then start the outbox relay."""
        while True:
            try:
                await self.broker.start()
                break
            except Exception as error:
                log.warning("%s cannot start its broker client yet: %r", self.name, error)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(BROKER_RETRY_SECONDS)
        self.broker_connected = True
        log.info("%s joined its consumer group", self.name)
        self._relay_task = asyncio.create_task(self.relay.run(), name=f"{self.name}-outbox")

    async def _stop_workers(self, seconds: float | None = None) -> None:
        """Tell the workers to stop and wait for them, `seconds` at most: one still busy
        then (an outside call that hangs) is cancelled, as a crash would stop it, and its
        work is taken up again where it was recorded."""
        for worker, _ in self._workers:
            worker.stop()
        tasks = [task for _, task in self._workers]
        self._workers.clear()
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=seconds)
        for task in late:
            log.warning("%s cancels a worker that did not stop in time", self.name)
            task.cancel()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, Exception):
                log.error("%s worker failed: %r", self.name, outcome)

    async def _stop_consuming(self) -> None:
        """Stop the consumer: the batch in hand applied and committed, for the broker's
        graceful timeout (SHUTDOWN_GRACE_SECONDS) at most; no batch taken after."""
        if self.broker_connected:
            await asyncio.gather(*(subscriber.stop() for subscriber in self.broker.subscribers))

    async def stop(self) -> None:
        """Stop taking work, then close, within SHUTDOWN_GRACE_SECONDS or little more: the
        consumer and the workers stopped together (the batch in hand applied and committed),
        then the context, the outbox relay (after the batch it is publishing) and the broker
        client. Whatever is cut short is taken up again as after a crash (outbox, inbox)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.shutdown_grace_seconds

        def left() -> float:
            return max(deadline - loop.time(), SHORTEST_STOP_SECONDS)

        if self._broker_task is not None and not self._broker_task.done():
            self._broker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._broker_task
        await asyncio.gather(self._stop_consuming(), self._stop_workers(left()))
        await self._own_parts.aclose()
        self.relay.stop()
        if self._relay_task is not None:
            try:
                await asyncio.wait_for(self._relay_task, left())
            except TimeoutError:
                log.warning("%s stopped its relay mid-batch: it is published again", self.name)
        try:
            await asyncio.wait_for(self.broker.stop(), left())
        except TimeoutError:
            log.warning("%s closed its broker client without a goodbye", self.name)
        await self.engine.dispose()
        if self.owns_telemetry:
            self.telemetry.shutdown()

    async def readiness(self) -> dict[str, str]:
        """What this process needs, checked: its database, and the broker (`down` while it
        is away, `joining` until the consumer group is joined)."""
        checks: dict[str, str] = {}
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"down: {error.__class__.__name__}"
        # A process that consumes nothing (CONSUME_EVENTS=false) does not ask for the broker.
        if self.consumer is not None:
            checks["broker"] = await self._broker_state()
        return checks

    async def _broker_state(self) -> str:
        if not self.broker_connected:
            return "joining"
        # Only reported where it is not needed: asked briefly, a probe is not held up.
        timeout = 0.5 if self.spec.serves_without_broker else 2
        return "ok" if await self.broker.ping(timeout=timeout) else "down"

    def ready(self, checks: dict[str, str]) -> bool:
        """Whether the checks let this process do its job (`ServiceSpec.serves_without_broker`)."""
        needed = ("database",) if self.spec.serves_without_broker else tuple(checks)
        return all(checks[name] == "ok" for name in needed)


def create_app(
    spec: ServiceSpec, settings: ServiceSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    """The service behind FastAPI; `settings` narrowed to the service's own class."""
    service = Service(spec, spec.settings.narrowed(settings), telemetry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warn_of_sandboxes(service.name, service.settings)
        refuse_unfit_secrets(service.name, service.settings)
        await service.start()
        log.info("%s started", service.name)
        try:
            yield
        finally:
            await service.stop()

    app = edge.documented_app(f"after-sales {spec.name}", service.settings, lifespan)
    app.state.service = service

    probe = [public("a health probe: says only whether the service is up")]

    @app.get("/healthz", tags=["operations"], dependencies=probe)
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": service.name}

    @app.get("/readyz", tags=["operations"], dependencies=probe)
    async def readyz() -> JSONResponse:
        checks = await service.readiness()
        ready = service.ready(checks)
        return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)

    for router in spec.routers:
        app.include_router(router, dependencies=[Depends(about_a_case)])
    app.include_router(recovery.router)  # every service's dead letters
    # Middleware added last runs first: the limits, the edge's refusals, then the trail.
    audit.guard(app, service.name, service.engine, service.settings)
    edge.guard(app, body_limits(spec, service.settings))
    rate_limits.guard(app, service.name, service.settings)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=service.telemetry.tracer_provider,
        meter_provider=service.telemetry.meter_provider,
        excluded_urls=",".join(("healthz", "readyz", *spec.lean_traced_paths)),
        exclude_spans=["receive", "send"],
    )
    return app


async def about_a_case(request: Request) -> None:
    """FastAPI dependency of every service route: a request on a case (a route with a
    `case_id`: an agent's action, the buyer's reply) is marked as one, `case.id` on its
    span and a span link to the case's first trace, so it is found from the case."""
    case_id = request.path_params.get("case_id")
    span = trace.get_current_span()
    if not case_id or not span.is_recording():
        return
    span.set_attribute(CASE_ID, case_id)
    async with request.app.state.service.sessions() as session:
        first = await first_case_trace(session, case_id)
    for link in case_links(first, span.get_span_context()):
        span.add_link(link.context, link.attributes)


def body_limits(spec: ServiceSpec, settings: ServiceSettings) -> edge.BodyLimits:
    larger = spec.larger_bodies(settings).items()
    patterns = tuple((re.compile(pattern), most) for pattern, most in larger)
    return edge.BodyLimits(settings.max_body_bytes, patterns)


async def service_of(request: Request) -> Service:
    """FastAPI dependency: the service behind the current request (async, so that
    FastAPI does not hand it to a thread pool), seen by this request: its sessions read
    behind the sellers' wall when the caller is scoped to sellers (`shared/tenancy.py`)."""
    service = request.app.state.service
    seen = copy.copy(service)
    seen.sessions = RequestSessions(service.sessions, request)
    return seen


@dataclass(frozen=True)
class RequestSessions:
    """The service's session factory, for one request: the caller is known by the time
    the route opens a session (authentication is a dependency resolved before its body)."""

    sessions: Callable[..., AsyncSession]
    request: Request

    def __call__(self, **options: Any) -> AsyncSession:
        principal = getattr(self.request.state, "principal", None)
        sellers = walled_sellers(principal, self.request.method)
        if sellers is not None:
            options["info"] = {**options.get("info", {}), INFO_KEY: sellers}
        return self.sessions(**options)


CurrentService = Annotated[Service, Depends(service_of)]


async def context_of(request: Request) -> Any:
    """FastAPI dependency: the running service's context (`ServiceSpec.context`); each
    service names it with its own type (`Annotated[Intake, Depends(context_of)]`)."""
    return request.app.state.service.context
