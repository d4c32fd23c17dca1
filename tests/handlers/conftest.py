"""What the handler tests share: a service's HTTP API in this process, not started (no
consumer, no workers), over the session's real PostgreSQL; the events a service wrote."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from shared.messaging_tables import OutboxMessage
from shared.service import Service


@asynccontextmanager
async def api_of(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app's routes; `client.service` is the service behind them."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as client:
        client.service = app.state.service
        yield client
    await app.state.service.engine.dispose()


async def outbox_of(service: Service, case_id: str) -> list[dict]:
    """The events the service wrote for a case, in the order it wrote them."""
    async with service.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.key == case_id).order_by(OutboxMessage.id)
        )
        return [row.envelope for row in rows]
