"""Services as real processes (uvicorn, as `make run` starts them) for the tests that kill,
stop or flood one: their environment from the tests' settings, a broker of their own."""

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

import httpx
import psutil
from pydantic import SecretStr

from deploy.components import free_port, kafka_broker
from deploy.settings import StackSettings
from deploy.stack import EMBEDDED_BROKER_MEMBERSHIP, start_service
from shared.topics import create_topics


def as_variable(value: Any) -> str:
    """A setting's value as its environment variable holds it."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=as_variable)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def environment_of(settings: StackSettings, **overrides: str) -> dict[str, str]:
    """The environment a service process reads `settings` from, with `overrides`."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is not None:
            env[name.upper()] = as_variable(value)
    env.update(EMBEDDED_BROKER_MEMBERSHIP)
    env.update(overrides)
    return env


@asynccontextmanager
async def own_broker(settings: StackSettings) -> AsyncIterator[StackSettings]:
    """A Tansu broker for one test, its topics created: no other consumer of the suite is
    in its groups. The settings with its address."""
    with kafka_broker(free_port()) as bootstrap:
        own = settings.model_copy(update={"kafka_bootstrap_servers": bootstrap})
        await create_topics(own)
        yield own


@contextmanager
def paused(settings: StackSettings) -> Iterator[None]:
    """The broker of `settings` (one this machine runs) paused with SIGSTOP, as a broker
    that hangs: connections open, nothing answered; resumed after."""
    port = int(settings.kafka_bootstrap_servers.rsplit(":", 1)[1])
    broker = next(
        psutil.Process(connection.pid)
        for connection in psutil.net_connections("tcp")
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port
    )
    broker.suspend()
    try:
        yield
    finally:
        broker.resume()


class ServiceProcess:
    """One uvicorn process of a service on a port of its own."""

    def __init__(self, name: str, settings: StackSettings, env: dict[str, str]) -> None:
        self.name = name
        self.settings = settings
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = start_service(self.name, self.settings, self.env, self.port, "test")

    def kill(self) -> None:
        """SIGKILL: no goodbye to the broker, nothing flushed."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    async def terminate(self, timeout: float = 30) -> tuple[int, float]:
        """SIGTERM; the exit code and the seconds until the process was gone."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        while self.process.poll() is None:
            if time.monotonic() - started > timeout:
                self.kill()
                break
            await asyncio.sleep(0.05)
        return self.process.returncode, time.monotonic() - started

    async def answers(self, path: str, status: int = 200, timeout: float = 60) -> dict:
        """Wait until `path` answers `status`; its body."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        async with httpx.AsyncClient(base_url=self.url, timeout=3) as client:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.poll() is None, (
                    f"{self.name} exited ({self.process and self.process.returncode}); "
                    "see .run/logs"
                )
                try:
                    response = await client.get(path)
                    if response.status_code == status:
                        return response.json()
                    last = f"{response.status_code} {response.text}"
                except httpx.HTTPError as error:
                    last = repr(error)
                await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name} {path} never answered {status}: {last}")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@asynccontextmanager
async def service_process(
    name: str, settings: StackSettings, **overrides: str
) -> AsyncIterator[ServiceProcess]:
    """A started process of `name`, killed at the end if still running."""
    process = ServiceProcess(name, settings, environment_of(settings, **overrides))
    process.start()
    try:
        yield process
    finally:
        process.close()
