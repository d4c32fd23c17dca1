"""Fulfillment's failed warehouse deliveries over the real PostgreSQL: dispatch tasks a
warehouse's system never took after the last attempt, listed with their cause on
`/failed-calls` (kind `warehouse_delivery`), retried (pending again, the delivery worker
woken, then delivered once) or discarded with the reason, one by one or by kind, cause and
time; each change in the audit trail; an operator of one seller never sees, retries or
discards another seller's; what waits counted by the gauge an alert watches."""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import select
from werkzeug import Request, Response

from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.tables import WarehouseDelivery
from services.fulfillment.workers.warehouse_deliveries import DeliveryWorker
from services.fulfillment.workflows.failed_calls import WAITING_QUEUES
from services.fulfillment.workflows.warehouse_deliveries import DELIVERIES_CHANNEL
from shared.markets import Market
from shared.recovery import WaitingCounts
from shared.telemetry import setup_telemetry
from tests.factories import AGENT, bearer, resolution_decided, token_of
from tests.handlers.fulfillment.conftest import LOCAL, new_sku, publish, stock
from tests.integration.conftest import counter_total

WAREHOUSE = "NUE1"


def agent_of(seller: str, roles=("agent",)) -> dict[str, str]:
    return bearer(token_of(list(roles), sellers=[seller], name=f"agent of {seller}"))


@dataclass
class WarehouseSystem:
    """NUE1's own system: each task answered with the next of `answers` (502 once they run
    out), the ids of the tasks it received; the delivery worker that sends to it."""

    worker: DeliveryWorker | None = None
    answers: list[int] = field(default_factory=list)
    received: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.received.append(request.headers["webhook-id"])
        return Response("", status=self.answers.pop(0) if self.answers else 502)

    async def work_once(self) -> None:
        assert self.worker is not None
        await self.worker.work_once()


@pytest.fixture
async def warehouse(api, httpserver):
    """NUE1's system, registered; one attempt before a delivery fails."""
    warehouse_system = WarehouseSystem()

    httpserver.expect_request("/wms/nue1", method="POST").respond_with_handler(warehouse_system)
    url = httpserver.url_for("/wms/nue1")
    registered = await api.put(f"/warehouses/{WAREHOUSE}/webhook", json={"url": url}, headers=AGENT)
    assert registered.status_code == 200, registered.text
    async with httpx.AsyncClient(timeout=5) as client:
        warehouse_system.worker = DeliveryWorker(api.service, WarehouseWebhooks(client, LOCAL))
        warehouse_system.worker.max_attempts = 1
        yield warehouse_system
    await api.delete(f"/warehouses/{WAREHOUSE}/webhook", headers=AGENT)


async def failed_delivery(api, warehouse: WarehouseSystem, seller: str) -> str:
    """A dispatch task of the seller that the warehouse's system refused at its only try."""
    sku = new_sku()
    await stock(api, WAREHOUSE, f"{sku}-PART", 1)
    decided = resolution_decided(sku, market=Market.DE)
    await publish(api, decided.model_copy(update={"seller_account": seller}))
    async with api.service.sessions() as session:
        delivery = await session.scalar(
            select(WarehouseDelivery).where(WarehouseDelivery.case_id == decided.case_id)
        )
    assert delivery is not None and delivery.seller_account == seller
    await warehouse.work_once()
    assert (await delivery_of(api, delivery.delivery_id)).state == "failed"
    return delivery.delivery_id


async def delivery_of(api, delivery_id: str) -> WarehouseDelivery:
    async with api.service.sessions() as session:
        delivery = await session.get(WarehouseDelivery, delivery_id)
    assert delivery is not None
    return delivery


async def trail(api, seller: str) -> list[tuple[str, int]]:
    answer = await api.get("/audit", params={"subject": f"agent of {seller}"}, headers=AGENT)
    return [(e["route"], e["status"]) for e in answer.json()]


async def test_failed_deliveries_are_listed_retried_and_discarded_within_the_callers_sellers(
    api, warehouse
):
    mine, other = (f"seller-{uuid.uuid4().hex[:8]}" for _ in "ab")
    first, second = [await failed_delivery(api, warehouse, mine) for _ in "12"]
    theirs = await failed_delivery(api, warehouse, other)

    listed = await api.get(
        "/failed-calls", params={"kind": "warehouse_delivery"}, headers=agent_of(mine)
    )
    assert listed.status_code == 200, listed.text
    shown = {call["id"]: call for call in listed.json()}
    assert set(shown) == {first, second}  # never another seller's
    call = shown[first]
    assert (call["kind"], call["account"], call["state"]) == ("warehouse_delivery", mine, "failed")
    assert "502" in call["error"] and WAREHOUSE in call["what"]

    # One retried: pending again, due now, the delivery worker woken; then delivered once.
    listener = await asyncpg.connect(api.service.settings.plain_database_url)
    try:
        heard: asyncio.Queue[str] = asyncio.Queue()
        await listener.add_listener(DELIVERIES_CHANNEL, lambda *args: heard.put_nowait(args[2]))
        url = f"/failed-calls/warehouse_delivery/{first}/retry"
        answer = await api.post(url, headers=agent_of(mine))
        assert answer.json() == {"kind": "warehouse_delivery", "id": first, "state": "pending"}
        assert await asyncio.wait_for(heard.get(), timeout=5) == DELIVERIES_CHANNEL
    finally:
        await listener.close()
    retried = await delivery_of(api, first)
    assert retried.attempts == 0 and retried.next_attempt_at <= datetime.now(UTC)
    warehouse.answers.append(200)
    await warehouse.work_once()
    assert (await delivery_of(api, first)).state == "delivered"
    assert warehouse.received.count(first) == 2  # the failed try, then the one taken
    delivered = await api.post(url, headers=agent_of(mine))
    assert delivered.status_code == 409  # delivered: nothing to retry

    # Another seller's is not found, neither to retry nor to discard.
    reason = {"reason": "the warehouse was told by phone"}
    for verb, body in (("retry", None), ("discard", reason)):
        url = f"/failed-calls/warehouse_delivery/{theirs}/{verb}"
        assert (await api.post(url, json=body, headers=agent_of(mine))).status_code == 404
    assert (await delivery_of(api, theirs)).state == "failed"

    # Discarded with the reason: given up for good, the reason kept as its cause.
    url = f"/failed-calls/warehouse_delivery/{second}/discard"
    assert (await api.post(url, json={"reason": ""}, headers=agent_of(mine))).status_code == 422
    answer = await api.post(url, json=reason, headers=agent_of(mine))
    assert answer.json() == {"kind": "warehouse_delivery", "id": second, "state": "discarded"}
    discarded = await delivery_of(api, second)
    assert discarded.error == f"discarded by agent of {mine}: {reason['reason']}"
    assert (await api.post(url, json=reason, headers=agent_of(mine))).status_code == 409
    again = f"/failed-calls/warehouse_delivery/{second}/retry"
    assert (await api.post(again, headers=agent_of(mine))).status_code == 409
    await warehouse.work_once()
    assert warehouse.received.count(second) == 1  # never sent again
    listed = await api.get(
        "/failed-calls", params={"kind": "warehouse_delivery"}, headers=agent_of(mine)
    )
    assert listed.json() == []

    # In bulk by kind, cause and time owed: the other seller's own agent, its own only.
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    chosen = {"kind": "warehouse_delivery", "cause": "502", "owed_since": since}
    assert (await api.post("/failed-calls/retry", json=chosen, headers=agent_of(mine))).json() == {
        "retried": 0
    }
    answer = await api.post("/failed-calls/retry", json=chosen, headers=agent_of(other))
    assert answer.json() == {"retried": 1}
    assert (await delivery_of(api, theirs)).state == "pending"

    kept = await trail(api, mine)
    assert ("/failed-calls/{kind}/{call_id}/retry", 200) in kept
    assert ("/failed-calls/{kind}/{call_id}/retry", 409) in kept
    assert ("/failed-calls/{kind}/{call_id}/retry", 404) in kept
    assert ("/failed-calls/{kind}/{call_id}/discard", 200) in kept
    assert ("/failed-calls/{kind}/{call_id}/discard", 404) in kept
    assert ("/failed-calls/retry", 200) in await trail(api, other)


async def test_failed_deliveries_are_counted_for_their_alert(api, warehouse, settings):
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    delivery_id = await failed_delivery(api, warehouse, seller)
    metrics = InMemoryMetricReader()
    telemetry = setup_telemetry("fulfillment", settings, metric_reader=metrics)
    counts = WaitingCounts("fulfillment", api.service.sessions, telemetry.meter, WAITING_QUEUES)
    await counts.count_once()
    assert counter_total(metrics, "recovery.failed_calls.waiting", kind="warehouse_delivery") >= 1
    reason = {"reason": "sent by hand"}
    url = f"/failed-calls/warehouse_delivery/{delivery_id}/discard"
    assert (await api.post(url, json=reason, headers=AGENT)).status_code == 200


@pytest.mark.parametrize("roles", [("warehouse_staff",), ("technician",), ("operations",)])
async def test_people_who_do_not_work_the_sellers_cases_may_not_retry_or_discard(
    api, warehouse, roles
):
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    delivery_id = await failed_delivery(api, warehouse, seller)
    headers = agent_of(seller, roles)
    chosen = {"kind": "warehouse_delivery"}
    assert (await api.post("/failed-calls/retry", json=chosen, headers=headers)).status_code == 403
    url = f"/failed-calls/warehouse_delivery/{delivery_id}/discard"
    assert (await api.post(url, json={"reason": "not mine"}, headers=headers)).status_code == 403
    assert (await delivery_of(api, delivery_id)).state == "failed"
