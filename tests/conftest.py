"""Real components for the whole test session: a Kafka-protocol broker and PostgreSQL.

The broker is KAFKA_BOOTSTRAP_SERVERS when set, else a Tansu broker on a free port.
PostgreSQL is DATABASE_URL when set, else the embedded server; the tests use a
fresh database `aftersales_test` on it, migrated like production.
"""

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest
import uvicorn
from pytest_httpserver import HTTPServer

from deploy.components import free_port, fresh_database, kafka_broker, postgres, wait_for_port
from deploy.dev_issuer import create_app as create_issuer
from deploy.emulators.app import create_app as create_emulators
from deploy.emulators.ebay import EMULATED_APP_TOKEN as EBAY_EMULATED_APP_TOKEN
from deploy.mail_server import MailServer
from deploy.settings import StackSettings, removal_addresses
from services.intake.adapters.vault import new_key
from shared.migrations import upgrade_all
from shared.settings import SERVICE_NAMES
from shared.topics import create_topics
from tests.factories import BUYER_LINK_SECRET, CHANNEL_ACCOUNTS, ISSUER, SERVICE_SECRET

# Its own name per checkout when several suites share one server (AFTERSALES_TEST_DATABASE).
TEST_DATABASE = os.environ.get("AFTERSALES_TEST_DATABASE", "aftersales_test")
T = TypeVar("T")


@pytest.fixture(scope="session")
def components():
    with kafka_broker(free_port()) as bootstrap, postgres("test-pgdata") as server_url:
        yield bootstrap, server_url


@pytest.fixture(scope="session")
def emulators() -> Iterator[str]:
    """The emulated outside APIs (`deploy/emulators/`), served for the whole session on a free
    port, as `make run` serves them: their base URL (each system under `/<system>`)."""
    port = free_port()
    config = uvicorn.Config(create_emulators(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="emulators", daemon=True)
    thread.start()
    wait_for_port("127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def dev_issuer() -> Iterator[str]:
    """The tests' identity provider (`tests/factories.ISSUER`), served for the session as
    `make run` serves the development issuer: its URL, the services' AUTH_ISSUER."""
    port = int(ISSUER.url.rsplit(":", 1)[1])
    config = uvicorn.Config(create_issuer(ISSUER), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="dev-issuer", daemon=True)
    thread.start()
    wait_for_port("127.0.0.1", port)
    yield ISSUER.url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def mail_server(tmp_path_factory) -> Iterator[MailServer]:
    """The local SMTP server (`deploy/mail_server.py`) on a free port for the session: every
    message the services send is an .eml file in `mail_server.folder`; `mail_server.faults`
    makes it answer 451 or 550 on demand."""
    with MailServer(tmp_path_factory.mktemp("mail"), port=free_port()) as server:
        yield server


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """The fake marketplace APIs (pytest-httpserver's fixture, threaded: a slow answer
    must not hold up the others)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(scope="session")
async def settings(components, emulators, mail_server, dev_issuer) -> StackSettings:
    """The services' settings: the outside APIs are the emulators (`deploy/emulators/`), the
    generic channel's refund API among them; resolution's refund API is intake's (which the
    integration stack reaches in process); the mail relay is the local SMTP server."""
    bootstrap, server_url = components
    database_url = await fresh_database(server_url, TEST_DATABASE)
    settings = StackSettings(
        environment="development",
        kafka_bootstrap_servers=bootstrap,
        database_url=database_url,
        # Small pools: the suite runs several stacks at once on a server of 100 connections.
        database_pool_size=6,
        otel_exporter_otlp_endpoint=None,
        # A trace UI, for the console's trace links (none without one).
        tracing_ui_trace_url="http://localhost:16686/trace/{trace_id}",
        outbox_poll_seconds=0.2,
        intake_pii_keys=new_key(),
        auth_issuer=dev_issuer,
        service_client_secrets={name: SERVICE_SECRET for name in SERVICE_NAMES},
        # The suite presents thousands of wrong tokens on purpose, all from one address: the
        # limits themselves are tested with their own (tests/unit/shared/test_rate_limits.py).
        rate_limit_refused_tokens="1000000/minute",
        rate_limit_per_address="1000000/minute",
        warehouse_webhook_private_hosts=["127.0.0.1", "localhost"],  # pytest-httpserver's
        channel_accounts_file=CHANNEL_ACCOUNTS,
        shopify_admin_base_url=f"{emulators}/shopify/{{shop}}",
        walmart_api_base_url=f"{emulators}/walmart",
        ebay_api_base_url=f"{emulators}/ebay",
        marketplace_timeout_seconds=2.0,
        ebay_app_token=EBAY_EMULATED_APP_TOKEN,
        ebay_verification_token="ebay-test-verification-token-0123456789abcdef",
        ebay_deletion_endpoint="https://intake.example.com/webhooks/ebay/account-deletion",
        easypost_api_base_url=f"{emulators}/easypost",
        easypost_api_key="EZTK-test",
        generic_refund_api_base_url=f"{emulators}/refund-api",
        refund_api_base_url="http://intake",
        amazon_sp_api_base_url=f"{emulators}/amazon",
        amazon_lwa_base_url=f"{emulators}/amazon",
        amazon_sqs_endpoint_url=f"{emulators}/sqs",
        amazon_report_check_seconds=0.2,
        amazon_report_interval_seconds=2.0,
        # A day to come back (Amazon gives 45): what the polls' first three days hold of
        # the emulated FBA refunds is due already.
        amazon_refund_return_days=1,
        amazon_queue_wait_seconds=1,
        amazon_removal_addresses=removal_addresses(),
        buyer_link_secret=BUYER_LINK_SECRET,
        inbound_smtp_port=free_port(),  # buyers' replies by mail, to the stack's intake
        smtp_host=mail_server.host,  # messages to buyers: the local SMTP server's folder
        smtp_port=mail_server.port,
        smtp_starttls=False,
    )
    await create_topics(settings)
    await upgrade_all(settings)
    return settings


async def isolated_settings(
    settings: StackSettings, database: str, bootstrap: str, **changes
) -> StackSettings:
    """The session's settings on another broker (`bootstrap`, topics created) and a fresh
    database of its own (migrated): for a test that loses its broker or republishes, so that
    no other test sees it."""
    database_url = await fresh_database(settings.database_url, f"{TEST_DATABASE}_{database}")
    own = StackSettings.model_validate(
        {
            **settings.model_dump(),
            "kafka_bootstrap_servers": bootstrap,
            "database_url": database_url,
            **changes,
        }
    )
    await create_topics(own)
    await upgrade_all(own)
    return own


async def eventually(
    probe: Callable[[], Awaitable[T]], timeout: float = 30.0, interval: float = 0.2
) -> T:
    """Poll `probe` until it returns a truthy value; fail with its last value otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met after {timeout} s; last value: {value!r}")
        await asyncio.sleep(interval)
