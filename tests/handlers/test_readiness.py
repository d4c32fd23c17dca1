"""Readiness says which dependency is down instead of pretending to be ready."""

import httpx

from deploy.components import free_port
from deploy.settings import StackSettings
from services.intake.app import create_app


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
    assert body["broker"] == "down"


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
