"""The delivery worker (`workers/deliveries.py`) over the real PostgreSQL, with a Shopify
Admin API (a local HTTP server) that is down, then refuses, then is back: deliveries are
tried for their time budget at the pace the marketplace asks, failed with their cause and
counted, and revived by an operator's retry or by the marketplace's redelivery."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import text
from werkzeug import Response

from services.intake.channels.common import hmac_sha256_base64
from services.intake.channels.shopify.admin_api import API_VERSION
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.domain.case import Channel
from services.intake.domain.opening import case_id_of
from services.intake.tables import DeliveryRecord
from services.intake.workers.deliveries import DeliveryWorker
from shared.telemetry import setup_telemetry
from tests.factories import AGENT, SAMPLES, webhook
from tests.handlers.intake.conftest import forget_deliveries, running_intake
from tests.integration.conftest import counter_total

GRAPHQL = f"/admin/api/{API_VERSION}/graphql.json"
ORDER = json.loads((SAMPLES / "shopify" / "admin_order.json").read_text())
RETURN_REQUEST = (SAMPLES / "shopify" / "returns_request.json").read_bytes()
KEY = request_key_of(RETURN_REQUEST)  # the delivery and case key: the return's


class Shop:
    """A Shopify shop onboarded for the test, and its deliveries."""

    def __init__(self) -> None:
        self.domain = f"shop-{uuid.uuid4().hex[:8]}.myshopify.com"
        self.secret = f"shpss_{uuid.uuid4().hex}"
        self.token = f"shpat_{uuid.uuid4().hex}"

    def headers(self, event_id: str) -> dict[str, str]:
        return {
            "content-type": "application/json",
            "X-Shopify-Topic": "returns/request",
            "X-Shopify-Hmac-Sha256": hmac_sha256_base64(self.secret, RETURN_REQUEST),
            "X-Shopify-Shop-Domain": self.domain,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }


@pytest.fixture
def metrics() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
async def intake(settings, metrics, httpserver):
    """Intake with Shopify's Admin API on the local HTTP server the tests make fail."""
    shopify = httpserver.url_for("").rstrip("/")
    settings = settings.model_copy(update={"shopify_admin_base_url": shopify})
    telemetry = setup_telemetry("intake", settings, metric_reader=metrics)
    async with running_intake(settings, telemetry) as client:
        yield client


@pytest.fixture
async def shop(intake):
    shop = Shop()
    body = {
        "channel": "shopify",
        "account": shop.domain,
        "seller": "linen-home",
        "secrets": [shop.secret],
        "credentials": {"access_token": shop.token},
    }
    assert (await intake.post("/channel-accounts", json=body, headers=AGENT)).status_code == 201
    yield shop
    await forget_deliveries(intake, shop.domain)


@pytest.fixture
def worker(intake, shop) -> DeliveryWorker:
    """The Shopify lane's worker, for this shop's deliveries only, drawing no jitter."""
    worker = DeliveryWorker(intake.service.context, (Channel.SHOPIFY,))
    worker.due += (DeliveryRecord.__table__.c.account == shop.domain,)
    worker.jitter = lambda: 0.0
    return worker


def admin_api(httpserver, shop: Shop, status: int = 200, **headers) -> None:
    httpserver.clear_all_handlers()
    request = httpserver.expect_request(
        GRAPHQL, method="POST", headers={"X-Shopify-Access-Token": shop.token}
    )
    if status == 200:
        request.respond_with_json(ORDER)
    else:
        request.respond_with_response(Response("no", status=status, headers=headers))


async def delivery(intake, shop: Shop, event_id: str):
    async with intake.service.engine.connect() as connection:
        return (
            await connection.execute(
                text(
                    "SELECT *, now() AS now FROM intake.deliveries"
                    " WHERE channel = 'shopify' AND account = :a AND delivery_id = :d"
                ),
                {"a": shop.domain, "d": event_id},
            )
        ).one()


async def received(intake, shop: Shop, ago: timedelta) -> None:
    """Time moved on: the shop's deliveries were received `ago`, and are due now."""
    async with intake.service.engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE intake.deliveries SET received_at = now() - CAST(:ago AS interval),"
                " next_attempt_at = now()"
                " WHERE account = :a"
            ),
            {"a": shop.domain, "ago": ago},
        )


async def case_opened(intake, case_id: str) -> bool:
    return (await intake.get(f"/cases/{case_id}", headers=AGENT)).status_code == 200


async def test_a_delivery_is_tried_for_its_budget_then_failed_then_retried_by_an_operator(
    intake, shop, worker, httpserver, metrics
):
    admin_api(httpserver, shop, 429, **{"Retry-After": "120"})
    event_id = str(uuid.uuid4())
    answer = await intake.post(
        "/webhooks/shopify", content=RETURN_REQUEST, headers=shop.headers(event_id)
    )
    assert answer.status_code == 202

    await worker.work_once()
    waiting = await delivery(intake, shop, KEY)
    assert (waiting.state, waiting.attempts) == ("accepted", 1)
    assert "shopify" in waiting.error
    # The marketplace asked for two minutes: past the first pause of one second.
    pause = waiting.next_attempt_at - waiting.now
    assert timedelta(seconds=119) <= pause <= timedelta(seconds=121)

    await received(intake, shop, timedelta(hours=71))  # within the 72 hours
    await worker.work_once()
    assert (await delivery(intake, shop, KEY)).state == "accepted"

    failed_before = counter_total(metrics, "deliveries.failed", channel="shopify")
    await received(intake, shop, timedelta(hours=72, minutes=1))
    await worker.work_once()
    failed = await delivery(intake, shop, KEY)
    assert failed.state == "failed" and "shopify" in failed.error
    assert counter_total(metrics, "deliveries.failed", channel="shopify") == failed_before + 1
    listed = await intake.get(
        "/deliveries", params={"state": "failed", "account": shop.domain}, headers=AGENT
    )
    assert [(d["delivery_id"], d["error"]) for d in listed.json()] == [(KEY, failed.error)]

    admin_api(httpserver, shop)  # the marketplace is back
    url = f"/deliveries/shopify/{shop.domain}/{KEY}/retry"
    retried = await intake.post(url, headers=AGENT)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["state"], retried.json()["revived"]) == ("accepted", True)
    revived = await delivery(intake, shop, KEY)
    assert (revived.attempts, revived.revived_at is not None) == (0, True)
    assert revived.next_attempt_at <= revived.now
    await worker.work_once()
    assert (await delivery(intake, shop, KEY)).state == "applied"
    assert await case_opened(intake, case_id_of("shopify", KEY, account=shop.domain))
    again = await intake.post(url, headers=AGENT)
    assert again.status_code == 409 and "applied" in again.json()["detail"]


async def test_the_marketplaces_redelivery_revives_a_failed_delivery(
    intake, shop, worker, httpserver
):
    admin_api(httpserver, shop, 403)  # refused: trying again cannot help
    event_id = str(uuid.uuid4())
    first = await intake.post(
        "/webhooks/shopify", content=RETURN_REQUEST, headers=shop.headers(event_id)
    )
    assert first.status_code == 202
    await worker.work_once()
    assert (await delivery(intake, shop, KEY)).state == "failed"

    admin_api(httpserver, shop)
    redelivered = await intake.post(
        "/webhooks/shopify", content=RETURN_REQUEST, headers=shop.headers(event_id)
    )
    assert redelivered.status_code == 202
    assert (redelivered.json()["duplicate"], redelivered.json()["revived"]) == (False, True)
    assert (await delivery(intake, shop, KEY)).state == "accepted"
    await worker.work_once()
    assert (await delivery(intake, shop, KEY)).state == "applied"
    assert await case_opened(intake, case_id_of("shopify", KEY, account=shop.domain))
    once_more = await intake.post(
        "/webhooks/shopify", content=RETURN_REQUEST, headers=shop.headers(event_id)
    )
    assert (once_more.status_code, once_more.json()["duplicate"]) == (200, True)


async def test_a_batch_broken_off_by_a_lost_database_is_tried_again_at_once(
    intake, shop, worker, httpserver, monkeypatch
):
    admin_api(httpserver, shop)
    await intake.post(
        "/webhooks/shopify", content=RETURN_REQUEST, headers=shop.headers(str(uuid.uuid4()))
    )
    handle = worker.handle_batch

    async def lost(rows):
        raise ConnectionResetError("the database went away mid-batch")

    monkeypatch.setattr(worker, "handle_batch", lost)
    with pytest.raises(ConnectionResetError):
        await worker.work_once()
    leased = await delivery(intake, shop, KEY)
    assert leased.state == "accepted" and leased.next_attempt_at > leased.now  # under lease
    monkeypatch.setattr(worker, "handle_batch", handle)
    await worker.work_once()  # the database answers: not a minute's wait for the lease
    assert (await delivery(intake, shop, KEY)).state == "applied"


async def test_a_redelivery_of_a_delivery_still_being_tried_changes_nothing(
    intake, shop, worker, httpserver
):
    admin_api(httpserver, shop, 503, **{"Retry-After": "300"})
    event_id = str(uuid.uuid4())
    await intake.post("/webhooks/shopify", content=RETURN_REQUEST, headers=shop.headers(event_id))
    await worker.work_once()
    waiting = await delivery(intake, shop, KEY)
    again = await intake.post(
        "/webhooks/shopify", content=RETURN_REQUEST, headers=shop.headers(event_id)
    )
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    after = await delivery(intake, shop, KEY)
    assert (after.state, after.attempts, after.next_attempt_at) == (
        "accepted",
        1,
        waiting.next_attempt_at,
    )


async def test_a_batch_of_cases_opens_in_a_few_statements_per_case(intake, seller):
    """Statements per case, counted at the engine: the batch's catalog is read once per
    seller account rather than once per case."""
    for _ in range(10):
        assert (await seller.post(intake, webhook())).status_code == 202
    lane = DeliveryWorker(intake.service.context, (Channel.GENERIC,))
    lane.due += (DeliveryRecord.__table__.c.account == seller.account,)
    engine = intake.service.engine.sync_engine
    statements: list[str] = []

    def counted(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sqlalchemy.event.listen(engine, "before_cursor_execute", counted)
    try:
        await lane.work_once()
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", counted)
    catalog_reads = [s for s in statements if "intake.catalog_variants" in s]
    print(f"{len(statements)} statements for 10 cases, {len(catalog_reads)} catalog reads")
    assert len(catalog_reads) == 1  # one per case before
    async with intake.service.engine.connect() as connection:
        opened = await connection.scalar(
            text("SELECT count(*) FROM intake.cases WHERE account = :a"), {"a": seller.account}
        )
    assert opened == 10
