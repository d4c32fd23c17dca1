"""The whole stack on one machine: components, topics, migrations, the emulated outside APIs,
the local mail server and five service processes."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from deploy.components import RUN_DIR, free_port, kafka_broker, postgres, wait_for_port
from deploy.emulators.app import emulated_systems
from deploy.secrets import local_secrets
from deploy.settings import StackSettings, removal_addresses
from shared.migrations import upgrade_all
from shared.settings import SERVICE_NAMES
from shared.topics import create_topics

# Names a second kind of process of a service in its environment (logs, CPU accounting).
ROLE = "AFTERSALES_PROCESS_ROLE"


async def prepare(settings: StackSettings) -> None:
    """The admin steps: create the topics, migrate every service schema."""
    await create_topics(settings)
    await upgrade_all(settings)


def start_service(
    name: str,
    settings: StackSettings,
    env: dict[str, str],
    port: int | None = None,
    role: str = "",
) -> subprocess.Popen:
    """One uvicorn process of a service; `role` names a second kind of process of it."""
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{name}{'-' + role if role else ''}.log", "ab") as log_file:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                f"services.{name}.app:create_app",
                "--host",
                settings.host,
                "--port",
                str(port or settings.port_of(name)),
                "--log-level",
                "warning",
                "--no-access-log",
                # On SIGTERM, requests in flight get this long; then the service stops.
                "--timeout-graceful-shutdown",
                str(GRACEFUL_HTTP_SECONDS),
            ],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


# On SIGTERM, how long uvicorn lets requests in flight finish before the lifespan stops the
# service (which then has SHUTDOWN_GRACE_SECONDS for its consumer's batch).
GRACEFUL_HTTP_SECONDS = 2


def embedded_broker_membership() -> dict[str, str]:
    """Consumer sessions short enough for a consumer killed with `kill -9` to be replaced
    within seconds on the embedded broker (a real Kafka refuses less than 6 s: there, set
    CONSUMER_INSTANCE_ID instead); nothing when KAFKA_BOOTSTRAP_SERVERS names a cluster or
    the environment sets the session."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or os.environ.get("CONSUMER_SESSION_TIMEOUT_MS"):
        return {}
    return EMBEDDED_BROKER_MEMBERSHIP


EMBEDDED_BROKER_MEMBERSHIP = {
    "CONSUMER_SESSION_TIMEOUT_MS": "1500",
    "CONSUMER_HEARTBEAT_INTERVAL_MS": "500",
}


# Settings whose environment variable holds JSON (a dict of tokens, of addresses).
JSON_SETTINGS = ("_TOKENS", "_ADDRESSES", "_SECRETS")


def local_warehouses() -> dict[str, str]:
    """Amazon's removal orders go to the local warehouses, unless the environment says."""
    if os.environ.get("AMAZON_REMOVAL_ADDRESSES"):
        return {}
    return {"AMAZON_REMOVAL_ADDRESSES": json.dumps(removal_addresses())}


def emulated_apis(port: int) -> dict[str, str]:
    """The settings that point the services at the emulators, system by system: a system
    any of whose settings the environment sets (a real API, its own credentials) is not
    emulated at all, so no emulator's token is sent to a real marketplace."""
    return {
        name: value
        for settings in emulated_systems(f"http://127.0.0.1:{port}").values()
        if not any(os.environ.get(name) for name in settings)
        for name, value in settings.items()
    }


def refunds_through_intake(own: dict[str, str]) -> dict[str, str]:
    """Resolution pays its refunds through intake (which pays each through the case's
    marketplace), unless the environment names another refund API."""
    if os.environ.get("REFUND_API_BASE_URL"):
        return {}
    return {"REFUND_API_BASE_URL": settings_of(own).base_url_of("intake")}


def start_dev_issuer(port: int, env: dict[str, str]) -> subprocess.Popen:
    """The development issuer (`deploy/dev_issuer.py`) when no AUTH_ISSUER is set."""
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "dev-issuer.log", "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.dev_issuer", "serve"],
            env={**env, "DEV_ISSUER_PORT": str(port)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    wait_for_port("127.0.0.1", port)
    return process


def start_emulators(port: int) -> subprocess.Popen:
    """The emulated outside APIs the services call when no real one is configured."""
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "emulators.log", "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.emulators", "--port", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    wait_for_port("127.0.0.1", port)
    return process


MAIL_DIR = RUN_DIR / "mail"


def local_mail_relay() -> bool:
    """Whether messages to buyers go to the local mail server (no SMTP_HOST of a real relay)."""
    return not os.environ.get("SMTP_HOST")


def start_mail_server(
    port: int, folder: Path = MAIL_DIR, control_port: int | None = None
) -> subprocess.Popen:
    """The local SMTP server (`deploy/mail_server.py`): every message to a buyer kept as an
    .eml file in `folder`; its faults armed over HTTP on `control_port`, if given."""
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    control = ["--control-port", str(control_port)] if control_port else []
    with open(logs / "mail.log", "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.mail_server", "--port", str(port)]
            + ["--folder", str(folder), *control],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    wait_for_port("127.0.0.1", port)
    if control_port:
        wait_for_port("127.0.0.1", control_port)
    return process


def mail_settings(port: int) -> dict[str, str]:
    """The services' mail relay: the local server, on this machine (no STARTTLS, no login)."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "false"}


def wait_until_ready(
    settings: StackSettings,
    services: tuple[str, ...] = SERVICE_NAMES,
    timeout: float = 90.0,
    others: dict[str, str] | None = None,
) -> None:
    """Until each of `services`, and each process of `others` (name → base URL), is ready."""
    deadline = time.monotonic() + timeout
    urls = {name: settings.base_url_of(name) for name in services} | (others or {})
    waiting = set(urls)
    while waiting:
        for name in sorted(waiting):
            try:
                if httpx.get(f"{urls[name]}/readyz", timeout=3).status_code == 200:
                    waiting.discard(name)
            except httpx.HTTPError:
                pass
        if waiting and time.monotonic() > deadline:
            raise TimeoutError(
                f"not ready after {timeout:.0f} s: {', '.join(sorted(waiting))}"
                f" (logs in {RUN_DIR / 'logs'})"
            )
        time.sleep(0.3)


def replica_env(env: dict[str, str], number: int) -> dict[str, str]:
    """The environment of a service's replica `number` (2, 3...): its own role, and its own
    CONSUMER_INSTANCE_ID where static membership is on (one id per member of a group)."""
    own = {ROLE: f"replica-{number}"}
    if env.get("CONSUMER_INSTANCE_ID"):
        own["CONSUMER_INSTANCE_ID"] = f"{env['CONSUMER_INSTANCE_ID']}-{number}"
    return {**env, **own}


def start_replicas(
    replicas: dict[str, int], settings: StackSettings, env: dict[str, str]
) -> dict[str, tuple[subprocess.Popen, str]]:
    """Each service's processes past its first, each on a port of its own (not announced:
    the others reach a service at its first process) and in the service's consumer group,
    which splits the topics' partitions among them. Keyed by `<service>-replica-<n>`."""
    started = {}
    for name, count in replicas.items():
        for number in range(2, count + 1):
            port = free_port()
            role = f"replica-{number}"
            process = start_service(name, settings, replica_env(env, number), port, role)
            started[f"{name}-{role}"] = (process, f"http://{settings.host}:{port}")
    return started


def stop_processes(processes: list[subprocess.Popen], timeout: float = 15.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def settings_of(env: dict[str, str]) -> StackSettings:
    """The settings the services read from `env` (JSON values decoded as the
    environment source decodes them)."""
    return StackSettings(
        **{
            name.lower(): json.loads(value) if name.endswith(JSON_SETTINGS) else value
            for name, value in env.items()
        }
    )


@contextmanager
def running_stack(
    broker_port: int = 9092,
    services: tuple[str, ...] = SERVICE_NAMES,
    extra_env: dict[str, str] | None = None,
    intake_worker_apart: bool = False,
    replicas: dict[str, int] | None = None,
    ready_timeout: float = 90.0,
) -> Iterator[StackSettings]:
    """Start the components and `services`, yield the settings they run with, stop them all.

    With `intake_worker_apart`, intake's HTTP process only accepts deliveries and a second
    intake process (its own port, not announced) completes and applies them. `replicas`
    runs that many processes of a service (`{"resolution": 2}`), all in its consumer group.
    """
    with kafka_broker(broker_port) as bootstrap, postgres() as database_url:
        own = {
            "ENVIRONMENT": os.environ.get("ENVIRONMENT", "development"),
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "DATABASE_URL": database_url,
            **local_secrets(),
            **local_warehouses(),
            **embedded_broker_membership(),
            # Buyers' replies by mail: intake's own mail server (its worker process).
            "INBOUND_SMTP_PORT": os.environ.get("INBOUND_SMTP_PORT") or str(free_port()),
            **(extra_env or {}),
        }
        # The development issuer on its usual port (DEV_ISSUER_PORT), as the services are
        # on theirs: `make token` mints for that issuer.
        issuer_port = None if os.environ.get("AUTH_ISSUER") else settings_of(own).dev_issuer_port
        emulators_port = free_port()
        own = {**emulated_apis(emulators_port), **own}  # unless a real API is set
        own = {**refunds_through_intake(own), **own}
        mail_port = free_port() if local_mail_relay() else None
        if mail_port:
            own = {**mail_settings(mail_port), **own}
        # The links in messages to buyers open intake's own pages, whichever port it has.
        page = os.environ.get("BUYER_PAGE_BASE_URL") or settings_of(own).base_url_of("intake")
        own = {"BUYER_PAGE_BASE_URL": page, **own}
        emulated = f"127.0.0.1:{emulators_port}/"
        if not any(emulated in value for value in own.values()):
            emulators_port = None
        env = {**os.environ, **own}
        settings = settings_of(own)
        asyncio.run(prepare(settings))
        if intake_worker_apart:
            env["INTAKE_DELIVERY_WORKER"] = "false"
        processes = [start_dev_issuer(issuer_port, env)] if issuer_port else []
        processes += [start_emulators(emulators_port)] if emulators_port else []
        processes += [start_mail_server(mail_port)] if mail_port else []
        processes += [start_service(name, settings, env) for name in services]
        if intake_worker_apart:
            worker_env = {**env, "INTAKE_DELIVERY_WORKER": "true", ROLE: "worker"}
            processes.append(start_service("intake", settings, worker_env, free_port(), "worker"))
        more = start_replicas(replicas or {}, settings, env)
        processes += [process for process, _ in more.values()]
        try:
            others = {name: url for name, (_, url) in more.items()}
            wait_until_ready(settings, services, ready_timeout, others)
            yield settings
        finally:
            stop_processes(processes)
