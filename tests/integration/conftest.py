"""The five services, each with its own app, consumer group and telemetry, running in
this test process against the real broker and PostgreSQL."""

import importlib
from dataclasses import dataclass, field

import httpx
import pytest
from asgi_lifespan import LifespanManager
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from playwright.async_api import async_playwright
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from deploy.components import fresh_database
from deploy.settings import StackSettings
from services.analytics.adapters.refurbish_photos import BenchPhotos
from services.fulfillment.adapters.ship_to import ShipToLookup
from services.intake.adapters.case_views import CaseViews
from shared.identity import ClientCredentials
from shared.migrations import upgrade_all
from shared.service import Service
from shared.settings import SERVICE_NAMES
from shared.telemetry import Telemetry, setup_telemetry
from tests.conftest import TEST_DATABASE
from tests.factories import AGENT, STAFF
from tests.integration.browser import CHROMIUM, CHROMIUM_ARGS, served


@dataclass
class Stack:
    settings: StackSettings
    telemetry: dict[str, Telemetry] = field(default_factory=dict)
    spans: dict[str, InMemorySpanExporter] = field(default_factory=dict)
    metrics: dict[str, InMemoryMetricReader] = field(default_factory=dict)
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    _lifespans: dict[str, LifespanManager] = field(default_factory=dict)

    async def start(self, name: str) -> None:
        if name not in self.telemetry:
            self.spans[name] = InMemorySpanExporter()
            self.metrics[name] = InMemoryMetricReader()
            self.telemetry[name] = setup_telemetry(
                name,
                self.settings,
                span_exporter=self.spans[name],
                metric_reader=self.metrics[name],
            )
        module = importlib.import_module(f"services.{name}.app")
        app = module.create_app(self.settings, self.telemetry[name])
        self.services[name] = app.state.service
        lifespan = LifespanManager(app, startup_timeout=60, shutdown_timeout=60)
        await lifespan.__aenter__()
        self._lifespans[name] = lifespan
        self.clients[name] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=lifespan.app), base_url=f"http://{name}"
        )
        self.connect()

    def connect(self) -> None:
        """The services run in this process, not on ports: each one that calls another
        reaches it through that one's app, as itself (its client-credentials token from the
        tests' issuer), made again when it restarts."""
        if "intake" in self.clients and "fulfillment" in self.services:
            ship_to = ShipToLookup(self.as_service("fulfillment", "intake"))
            self.services["fulfillment"].context.ship_to = ship_to
        if "intake" in self.clients and "resolution" in self.services:
            # Resolution's refund worker pays through intake's refund API.
            refunds = self.services["resolution"].context.refunds
            refunds.client = self.as_service("resolution", "intake")
        if {"resolution", "fulfillment"} <= self.clients.keys() and "intake" in self.services:
            # The buyers' pages ask resolution and fulfillment what to show.
            views = CaseViews(
                self.as_service("intake", "resolution"), self.as_service("intake", "fulfillment")
            )
            self.services["intake"].context.case_views = views
        if "resolution" in self.clients and "analytics" in self.services:
            # The console's what-if page asks resolution.
            self.services["analytics"].context.resolution_api = self.clients["resolution"]
        if "analytics" in self.services:
            # The console's recovery page asks each service (as the signed-in person).
            self.services["analytics"].context.service_apis = dict(self.clients)
        if "analytics" in self.services and "refurbish" in self.clients:
            # The evidence packs' bench photos, asked of refurbish as analytics itself.
            photos = BenchPhotos(self.as_service("analytics", "refurbish"))
            self.services["analytics"].context.bench_photos = photos

    def as_service(self, caller: str, target: str) -> httpx.AsyncClient:
        """A client of `target`'s app that calls as the service `caller`."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._lifespans[target].app),
            base_url=f"http://{target}",
            auth=ClientCredentials(self.settings, caller),
        )

    def as_person(self, target: str, headers: dict[str, str]) -> httpx.AsyncClient:
        """A client of `target`'s app whose every call carries `headers` (someone's token)."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._lifespans[target].app),
            base_url=f"http://{target}",
            headers=headers,
        )

    async def stop(self, name: str) -> None:
        self.services.pop(name)
        await self.clients.pop(name).aclose()
        await self._lifespans.pop(name).__aexit__(None, None, None)

    async def stop_all(self) -> None:
        for name in list(self._lifespans):
            await self.stop(name)


@pytest.fixture(scope="session")
async def settings(settings: StackSettings) -> StackSettings:
    """The session's settings on a database of the stack's own: the stack's workers (a
    label's void, a delivery's retry) never take up rows a handler test is working on by
    hand in the session's database, whatever order the tests run in."""
    database_url = await fresh_database(settings.database_url, f"{TEST_DATABASE}_stack")
    own = StackSettings.model_validate({**settings.model_dump(), "database_url": database_url})
    await upgrade_all(own)
    return own


@pytest.fixture(scope="session")
async def stack(settings):
    stack = Stack(settings)
    for name in SERVICE_NAMES:
        await stack.start(name)
    yield stack
    await stack.stop_all()


@pytest.fixture
async def intake_url(stack):
    """Intake's app, as the stack runs it, on a port of its own (for a browser)."""
    async with served(stack._lifespans["intake"].app) as url:
        yield url


@pytest.fixture
async def browser():
    """Debian's Chromium, driven by Playwright."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture(scope="session")
def clients(stack) -> dict[str, httpx.AsyncClient]:
    return stack.clients


async def offers_of(clients: dict[str, httpx.AsyncClient], case_id: str) -> list[dict]:
    """The offers resolution made a case, as the platform admin reads them; none while
    resolution does not know the case yet (404)."""
    response = await clients["resolution"].get(f"/cases/{case_id}/offers", headers=AGENT)
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    return response.json()


async def count_stock(
    client: httpx.AsyncClient, sku: str, on_hand: int = 10, warehouse: str = "BOS1"
) -> None:
    response = await client.put(
        f"/stock/{warehouse}/{sku}", json={"on_hand": on_hand, "bin": "T-1"}, headers=STAFF
    )
    assert response.status_code == 200, response.text


def counter_total(reader: InMemoryMetricReader, name: str, **attributes) -> int:
    """The sum of a counter's points whose attributes include `attributes`."""
    data = reader.get_metrics_data()
    return sum(
        point.value
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
        if attributes.items() <= dict(point.attributes).items()
    )


@pytest.fixture(scope="session")
async def database(settings):
    """An engine on the test database, to look at what the services stored."""
    engine = create_async_engine(settings.async_database_url)
    yield engine
    await engine.dispose()


async def scalar(engine, sql: str, **params):
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


async def rows(engine, sql: str, **params) -> list:
    async with engine.connect() as connection:
        return list((await connection.execute(text(sql), params)).all())
