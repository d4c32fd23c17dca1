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
