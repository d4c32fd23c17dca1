"""The floor intake is measured against: a bare service that only verifies a generic webhook's
HMAC, inserts one row and produces one event, and answers 202.

`make bench-pipeline` runs it as its own uvicorn process on the stack's broker and database
and sends it the same signed webhooks, with the same load generator, as it sends intake:
what intake accepts per second, and its p99, are then reported as a share of what a service
doing only the unavoidable work accepts on the same machine at the same moment. No ORM, no
middleware, no outbox: a pool of asyncpg connections and one aiokafka producer, with the
services' own producer settings (`kafka_producer_options`).
"""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from deploy.components import RUN_DIR, free_port, wait_for_port
from deploy.secrets import demo_account
from services.intake.channels.generic.webhook import ACCOUNT, verify
from services.intake.domain.case import ChannelError
from shared.settings import ServiceSettings
from shared.topics import PARTITIONS, TOPIC_ALREADY_EXISTS

TOPIC = "bench.floor"
SCHEMA = "bench_floor"
DEMO = demo_account("generic")
# Marks the process for the CPU accounting (bench/cpu.py).
MODULE = "bench.bare_service"

TABLE = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.deliveries (
    delivery_id uuid PRIMARY KEY,
    account text NOT NULL,
    body bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
)
"""
INSERT = f"INSERT INTO {SCHEMA}.deliveries (delivery_id, account, body) VALUES ($1, $2, $3)"


async def create_topic(settings: ServiceSettings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        if TOPIC not in await admin.list_topics():
            response = await admin.create_topics([NewTopic(TOPIC, PARTITIONS, 1)])
            for topic, code, message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise RuntimeError(f"cannot create topic {topic}: {code} {message}")
    finally:
        await admin.close()


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await create_topic(settings)
        size = settings.database_pool_size
        async with asyncpg.create_pool(
            settings.plain_database_url, min_size=size, max_size=size
        ) as pool:
            await pool.execute(TABLE)
            producer = AIOKafkaProducer(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                **settings.kafka_producer_options(),
            )
            await producer.start()
            app.state.pool, app.state.producer = pool, producer
            try:
                yield
            finally:
                await producer.stop()

    app = FastAPI(title="the bench's bare service", lifespan=lifespan, openapi_url=None)

    @app.post("/webhooks/generic")
    async def accept(request: Request) -> JSONResponse:
        body = await request.body()
        account = request.headers.get(ACCOUNT)
        try:
            if account != DEMO["account"]:
                raise ChannelError(401, "unknown_account", f"no account {account!r}")
            verify(request.headers, body, DEMO["secrets"], datetime.now(UTC))
        except ChannelError as refused:
            return JSONResponse({"reason": refused.reason, "detail": refused.detail}, 401)
        delivery = uuid.uuid4()
        await request.app.state.pool.execute(INSERT, delivery, account, body)
        await request.app.state.producer.send_and_wait(TOPIC, body, key=delivery.bytes)
        return JSONResponse({"delivery_id": str(delivery)}, 202)

    @app.get("/readyz")
    async def readyz() -> dict[str, bool]:
        return {"ready": True}

    return app


@contextmanager
def bare_service(settings: ServiceSettings) -> Iterator[str]:
    """The bare service as its own uvicorn process on `settings`' broker and database, run
    as the services are run (`deploy/stack.py`); yields its webhook's URL."""
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "DATABASE_URL": settings.database_url,
        "DATABASE_POOL_SIZE": str(settings.database_pool_size),
    }
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "bare-service.log", "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"{MODULE}:create_app"]
            + ["--host", "127.0.0.1", "--port", str(port)]
            + ["--log-level", "warning", "--no-access-log"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port("127.0.0.1", port)
        httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=30).raise_for_status()
        yield f"http://127.0.0.1:{port}/webhooks/generic"
    finally:
        process.terminate()
        process.wait(timeout=15)
