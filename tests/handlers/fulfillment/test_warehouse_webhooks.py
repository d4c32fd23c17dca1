"""Dispatch tasks pushed to a warehouse's own system over the real PostgreSQL: signed
webhooks, retried until taken or given up, and the delivery log."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update
from standardwebhooks.webhooks import Webhook
from werkzeug import Request, Response

from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.tables import WarehouseDelivery
from services.fulfillment.workers.warehouse_deliveries import DeliveryWorker
from shared.markets import Market
from shared.outbound import Refused
from tests.factories import AGENT, resolution_decided
from tests.handlers.fulfillment.conftest import (
    LOCAL,
    new_sku,
    publish,
    stock,
)


async def test_a_task_is_pushed_signed_and_retried_until_the_warehouse_takes_it(api, httpserver):
    received: list[Request] = []
    answers = iter([500, 503, 200])

    def warehouse_system(request: Request) -> Response:
        received.append(request)
        return Response("", status=next(answers))

    httpserver.expect_request("/wms/tasks", method="POST").respond_with_handler(warehouse_system)
    url = httpserver.url_for("/wms/tasks")
    registered = await api.put("/warehouses/NUE1/webhook", json={"url": url}, headers=AGENT)
    assert registered.status_code == 200
    secret = registered.json()["secret"]
    sku = new_sku()
    await stock(api, "NUE1", f"{sku}-PART", 2)
    decided = resolution_decided(sku, market=Market.DE)
    await publish(api, decided)

    async with httpx.AsyncClient(timeout=5) as client:
        worker = DeliveryWorker(api.service, WarehouseWebhooks(client, LOCAL))
        for _ in range(3):
            await worker.work_once()
            await make_due(api)
    assert len(received) == 3
    ids = {request.headers["webhook-id"] for request in received}
    assert len(ids) == 1  # the same id on every retry: the warehouse drops duplicates
    body = received[-1].get_data(as_text=True)
    task = Webhook(secret).verify(body, dict(received[-1].headers))
    assert task["type"] == "fulfillment.dispatch_requested"
    assert task["data"]["case_id"] == decided.case_id
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43).verify(body, dict(received[-1].headers))

    log = (await api.get("/warehouses/NUE1/webhook/deliveries", headers=AGENT)).json()
    delivery = next(d for d in log if d["case_id"] == decided.case_id)
    assert delivery["state"] == "delivered"
    assert [a["status_code"] for a in delivery["log"]] == [500, 503, 200]


async def test_a_warehouse_that_never_answers_is_given_up_after_the_last_attempt(api, httpserver):
    httpserver.expect_request("/wms/down", method="POST").respond_with_data("", status=502)
    await api.put(
        "/warehouses/CVT1/webhook", json={"url": httpserver.url_for("/wms/down")}, headers=AGENT
    )
    sku = new_sku()
    await stock(api, "CVT1", f"{sku}-PART", 1)
    decided = resolution_decided(sku, market=Market.UK)
    await publish(api, decided)
    attempts = api.service.settings.warehouse_webhook_max_attempts
    async with httpx.AsyncClient(timeout=5) as client:
        worker = DeliveryWorker(api.service, WarehouseWebhooks(client, LOCAL))
        for _ in range(attempts + 2):
            await worker.work_once()
            await make_due(api)
    log = (await api.get("/warehouses/CVT1/webhook/deliveries", headers=AGENT)).json()
    delivery = next(d for d in log if d["case_id"] == decided.case_id)
    assert delivery["state"] == "failed" and len(delivery["log"]) == attempts
    assert delivery["log"][-1]["status_code"] == 502
    removed = await api.delete("/warehouses/CVT1/webhook", headers=AGENT)
    assert removed.status_code == 204


async def make_due(api) -> None:
    """Time passes: every pending delivery is due now, backoff or not."""
    async with api.service.transaction() as session:
        await session.execute(
            update(WarehouseDelivery)
            .where(WarehouseDelivery.state == "pending")
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def test_a_bad_webhook_url_is_refused(api):
    answer = await api.put("/warehouses/BOS1/webhook", json={"url": "not a url"}, headers=AGENT)
    assert answer.status_code == 422


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://10.0.0.7/wms", "not public (10.0.0.7)"),
        ("https://169.254.169.254/latest/meta-data", "not public (169.254.169.254)"),
        ("https://[::1]:8443/wms", "not public (::1)"),
        ("https://192.168.1.20/wms", "not public (192.168.1.20)"),
        ("http://93.184.215.14/wms", "must be an https address"),
        ("https://no-such-host.invalid/wms", "does not resolve"),
    ],
)
async def test_a_webhook_may_not_reach_inside_the_network(api, url, why):
    answer = await api.put("/warehouses/BOS1/webhook", json={"url": url}, headers=AGENT)
    assert answer.status_code == 422 and why in answer.json()["detail"]


async def test_a_registered_url_is_checked_again_before_each_delivery(api):
    webhooks = WarehouseWebhooks(httpx.AsyncClient(), [])  # nothing private allowed
    with pytest.raises(Refused, match="not public"):
        await webhooks.send("https://127.0.0.1:9/wms", "whsec_x", "d-1", "{}")
