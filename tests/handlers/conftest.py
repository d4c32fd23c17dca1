"""What the handler tests share: a service's HTTP API in this process, not started (no
consumer, no workers), over the session's real PostgreSQL."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def api_of(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app's routes; `client.service` is the service behind them."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as client:
        client.service = app.state.service
        yield client
    await app.state.service.engine.dispose()
