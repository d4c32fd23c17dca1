"""Readiness says which dependency is down instead of pretending to be ready, and asks for
what each process needs: its database always, the broker unless it serves without it."""

import asyncio
import time

import httpx

from deploy.components import free_port
from deploy.settings import StackSettings
from services.intake.app import create_app
from services.resolution.app import create_app as create_resolution
from shared.events import ReturnReceived, topic_of
from shared.service import Service, ServiceSpec


async def test_not_ready_when_database_and_broker_are_unreachable():
    nowhere = f"127.0.0.1:{free_port()}"
    settings = StackSettings(
        database_url=f"postgresql://postgres@{nowhere}/postgres", kafka_bootstrap_servers=nowhere
    )
    app = create_app(settings)  # not started: the broker was never connected
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://intake"
    ) as client:
        alive = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert alive.status_code == 200
    assert ready.status_code == 503
    body = ready.json()
    assert body["ready"] is False
    assert body["database"].startswith("down")
    assert body["broker"] == "joining"  # never connected: still trying, in the background


def test_intake_is_ready_with_its_database_whatever_the_broker_a_consumer_needs_both():
    intake = create_app(StackSettings()).state.service
    resolution = create_resolution(StackSettings()).state.service
    away = {"database": "ok", "broker": "down"}
    assert intake.ready(away)
    assert not resolution.ready(away)
    assert not resolution.ready({"database": "ok", "broker": "joining"})
    assert resolution.ready({"database": "ok", "broker": "ok"})
    assert not intake.ready({"database": "down: OSError", "broker": "ok"})


class Stubborn:
    """A worker busy in a call that never ends, deaf to stop()."""

    def __init__(self) -> None:
        self.cancelled = False

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    def stop(self) -> None:
        pass


async def test_a_service_serves_before_the_broker_answers_and_stops_in_time_whatever_hangs(
    settings,
):
    """Started with the broker unreachable (joining in the background) and a worker that
    never stops: the stop takes SHUTDOWN_GRACE_SECONDS or little more, the worker cancelled."""
    stubborn = Stubborn()

    async def ignore(session, payload, envelope) -> None:
        pass

    spec = ServiceSpec(
        name="refurbish",
        consumes=(topic_of("fulfillment"),),
        handlers={ReturnReceived.event_type: ignore},
        workers=lambda service, context: [stubborn],
    )
    own = settings.model_copy(
        update={"kafka_bootstrap_servers": f"127.0.0.1:{free_port()}", "shutdown_grace_seconds": 1}
    )
    service = Service(spec, own)
    started = time.monotonic()
    await asyncio.wait_for(service.start(), timeout=30)  # the database answers: serving
    assert not service.broker_connected
    assert service.ready(await service.readiness()) is False  # a consumer needs its broker
    stopping = time.monotonic()
    await asyncio.wait_for(service.stop(), timeout=10)
    assert time.monotonic() - stopping < 3
    assert stubborn.cancelled
    assert time.monotonic() - started < 30


async def test_a_process_that_consumes_nothing_is_ready_without_the_broker(components):
    """Intake's webhook replicas store deliveries in PostgreSQL: a broker that is down does
    not take them out of the load balancer."""
    nowhere = f"127.0.0.1:{free_port()}"
    _, database_url = components
    settings = StackSettings(
        database_url=database_url,
        kafka_bootstrap_servers=nowhere,
        intake_delivery_worker=False,
        consume_events=False,
    )
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://intake"
    ) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"ready": True, "database": "ok"}
    assert app.state.service.consumer is None
