"""Fulfillment over the real PostgreSQL: decided remedies in (FastStream's test broker),
warehouse staff's HTTP API out, labels read back from their PDFs, stock reserved under
contention, and dispatch tasks pushed to a warehouse system by signed webhook."""

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from faststream.kafka import TestKafkaBroker
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook
from werkzeug import Request, Response

from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.app import create_app
from services.fulfillment.tables import StockLevel, WarehouseDelivery
from services.fulfillment.workers.dispatch_router import DispatchRouter
from services.fulfillment.workers.warehouse_deliveries import DeliveryWorker
from services.fulfillment.workflows import dispatching
from services.fulfillment.workflows.context import Fulfillment
from shared.events import (
    CaseItem,
    Disposition,
    DispositionDecided,
    Envelope,
    Grade,
    Remedy,
)
from shared.markets import Currency, Market
from shared.messaging_tables import OutboxMessage
from tests.factories import AGENT, INTERNAL_TOKEN, STAFF, envelope_bytes, resolution_decided
from tests.handlers.conftest import api_of

BUYER = {
    "name": "Jane Doe",
    "address": {
        "line1": "77 Massachusetts Ave",
        "city": "Cambridge",
        "region": "MA",
        "postal_code": "02139",
        "country": "US",
    },
}


@pytest.fixture
async def api(settings, httpserver):
    app = create_app(settings)  # not started: the API and the handlers, no relay
    service = app.state.service

    def ship_to(request: Request) -> Response:
        """Intake's ship-to lookup, faked: every case is Jane's, for the internal token."""
        if request.headers.get("Authorization") != f"Bearer {INTERNAL_TOKEN}":
            return Response("", status=401)
        case_id = request.path.split("/")[2]
        return Response(json.dumps({"case_id": case_id, **BUYER}), content_type="application/json")

    httpserver.expect_request(re.compile(r"^/cases/[^/]+/ship-to$")).respond_with_handler(ship_to)
    lookup_client = httpx.AsyncClient(base_url=httpserver.url_for("").rstrip("/"))
    service.context = Fulfillment(
        ShipToLookup(lookup_client, INTERNAL_TOKEN), WarehouseWebhooks(lookup_client)
    )
    async with api_of(app, "fulfillment") as client:
        client.router = DispatchRouter(service)
        yield client
    await lookup_client.aclose()


async def publish(api, payload) -> None:
    """The event consumed, then any dispatch it owes routed."""
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(
            envelope_bytes(Envelope.wrap(payload)), f"{payload.owner}.events", key=b"k"
        )
    await api.router.work_once()


async def outbox(api, case_id: str) -> list[dict]:
    async with api.service.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.key == case_id).order_by(OutboxMessage.id)
        )
        return [row.envelope for row in rows]


async def stock(api, warehouse: str, sku: str, on_hand: int) -> None:
    answer = await api.put(
        f"/stock/{warehouse}/{sku}", json={"on_hand": on_hand, "bin": "B-7"}, headers=STAFF
    )
    assert answer.status_code == 200, answer.text


async def level(api, warehouse: str, sku: str) -> StockLevel:
    async with api.service.sessions() as session:
        return await session.get(StockLevel, (warehouse, sku))


def new_sku() -> str:
    return f"SPK-{uuid.uuid4().hex[:6]}"


async def task_of(api, case_id: str) -> dict:
    shipments = (await api.get("/shipments", params={"case_id": case_id})).json()
    assert shipments, "no dispatch task"
    return shipments[-1]


def read_pdf(content: bytes) -> tuple[str, list]:
    document = pdfium.PdfDocument(content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    codes = zxingcpp.read_barcodes(page.render(scale=4).to_pil())
    return text, codes


# Dispatch: the task's whole life


async def test_a_part_is_picked_packed_labelled_and_shipped_once(api):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 3)
    decided = resolution_decided(sku)
    await publish(api, decided)
    task = await task_of(api, decided.case_id)
    path = f"/tasks/{task['shipment_id']}"
    assert task["status"] == "requested" and task["warehouse"] == "BOS1"

    for _ in range(2):  # a second confirmation changes nothing
        assert (await api.post(f"{path}/picked", headers=STAFF)).status_code == 200
    packed = await api.post(f"{path}/packed", json={"weight_g": 450}, headers=STAFF)
    assert packed.status_code == 200, packed.text
    tracking = packed.json()["tracking_number"]
    assert packed.json()["carrier"] in ("USPS", "UPS", "FedEx") and tracking

    label = await api.get(f"{path}/label.pdf", headers=STAFF)
    assert label.headers["content-type"] == "application/pdf"
    text, codes = read_pdf(label.content)
    assert "Jane Doe" in text and "02139" in text and "Boston" in text
    assert [(c.format, c.text) for c in codes if c.format == zxingcpp.BarcodeFormat.Code128] == [
        (zxingcpp.BarcodeFormat.Code128, tracking)
    ]

    for _ in range(2):
        shipped = await api.post(f"{path}/shipped", headers=STAFF)
        assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    part = await level(api, "BOS1", f"{sku}-PART")
    assert (part.on_hand, part.reserved) == (2, 0)
    types = [e["type"] for e in await outbox(api, decided.case_id)]
    assert types == [
        "fulfillment.dispatch_requested",
        "fulfillment.picked",
        "fulfillment.packed",
        "fulfillment.shipped",
    ]
    shipped_event = (await outbox(api, decided.case_id))[-1]["data"]
    assert shipped_event["tracking_number"] == tracking and shipped_event["by"] == "ana"


async def test_a_shipped_task_cannot_be_unshipped_nor_steps_skipped(api):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 1)
    decided = resolution_decided(sku)
    await publish(api, decided)
    path = f"/tasks/{(await task_of(api, decided.case_id))['shipment_id']}"
    early = await api.post(f"{path}/shipped", headers=STAFF)
    assert early.status_code == 409 and "pack" in early.json()["detail"]
    assert (
        await api.post(f"{path}/packed", json={"weight_g": 300}, headers=STAFF)
    ).status_code == 409
    await api.post(f"{path}/picked", headers=STAFF)
    await api.post(f"{path}/packed", json={"weight_g": 300}, headers=STAFF)
    await api.post(f"{path}/shipped", headers=STAFF)
    problem = await api.post(f"{path}/problem", json={"problem": "not_found"}, headers=STAFF)
    assert problem.status_code == 409 and "left the warehouse" in problem.json()["detail"]
    other = await api.post(f"{path}/shipped", json={"tracking_number": "1Z999"}, headers=STAFF)
    assert other.status_code == 409


@pytest.mark.parametrize("weight", [0, -5, 70_001, "heavy"])
async def test_an_absurd_weight_is_refused(api, weight):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 1)
    decided = resolution_decided(sku)
    await publish(api, decided)
    path = f"/tasks/{(await task_of(api, decided.case_id))['shipment_id']}"
    await api.post(f"{path}/picked", headers=STAFF)
    answer = await api.post(f"{path}/packed", json={"weight_g": weight}, headers=STAFF)
    assert answer.status_code == 422 and "weight_g" in answer.text


async def test_unknown_tasks_and_warehouses_are_404_and_staff_must_sign_in(api):
    assert (await api.post("/tasks/shp-nope/picked", headers=STAFF)).status_code == 404
    assert (await api.get("/warehouses/XXX1/tasks", headers=STAFF)).status_code == 404
    assert (await api.get("/warehouses/BOS1/tasks")).status_code == 401
    wrong = {"authorization": "Bearer guessed"}
    assert (await api.post("/tasks/shp-nope/picked", headers=wrong)).status_code == 401
    bad = await api.put("/stock/BOS1/X", json={"on_hand": -1, "bin": "A"}, headers=STAFF)
    assert bad.status_code == 422


async def test_open_tasks_are_listed_per_warehouse(api):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 5)
    decisions = [resolution_decided(sku) for _ in range(2)]
    for decided in decisions:
        await publish(api, decided)
    listed = (await api.get("/warehouses/BOS1/tasks", headers=STAFF)).json()
    mine = [t for t in listed if t["case_id"] in {d.case_id for d in decisions}]
    assert len(mine) == 2 and {t["status"] for t in mine} == {"requested"}


# Problems: the next warehouse of the region, or back to resolution


async def test_damaged_stock_is_written_off_and_the_task_moves_to_the_next_warehouse(api):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 1)
    await stock(api, "RNO1", f"{sku}-PART", 4)
    decided = resolution_decided(sku)  # an east-coast buyer: Boston first
    await publish(api, decided)
    first = await task_of(api, decided.case_id)
    assert first["warehouse"] == "BOS1"
    report = {"problem": "damaged_stock", "note": "crushed in its bin"}
    answer = await api.post(f"/tasks/{first['shipment_id']}/problem", json=report, headers=STAFF)
    assert answer.status_code == 200 and answer.json()["status"] == "problem"
    await api.router.work_once()
    boston = await level(api, "BOS1", f"{sku}-PART")
    assert (boston.on_hand, boston.reserved) == (0, 0)
    second = await task_of(api, decided.case_id)
    assert second["warehouse"] == "RNO1" and second["status"] == "requested"
    types = [e["type"] for e in await outbox(api, decided.case_id)]
    assert types == [
        "fulfillment.dispatch_requested",
        "fulfillment.dispatch_problem",
        "fulfillment.dispatch_requested",
    ]


async def test_a_problem_with_no_other_stock_sends_the_case_back_to_resolution(api):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 2)
    decided = resolution_decided(sku)
    await publish(api, decided)
    task = await task_of(api, decided.case_id)
    await api.post(
        f"/tasks/{task['shipment_id']}/problem", json={"problem": "not_found"}, headers=STAFF
    )
    await api.router.work_once()
    events = await outbox(api, decided.case_id)
    assert events[-1]["type"] == "fulfillment.stock_unavailable"
    assert (await level(api, "BOS1", f"{sku}-PART")).on_hand == 1  # the missing unit is gone


# The last unit, wanted by many cases at once


async def test_many_cases_racing_for_the_last_unit_one_wins(api):
    sku = new_sku()
    await stock(api, "BOS1", sku, 1)
    item = CaseItem(sku=sku, category="electronics", quantity=1, unit_price_minor=4999)
    case_ids = [f"case-race-{uuid.uuid4()}" for _ in range(24)]

    async def exchange(case_id: str):
        async with api.service.transaction() as session:
            return await dispatching.request_dispatch(
                session, case_id, Remedy.EXCHANGE, Market.US, [item]
            )

    won = await asyncio.gather(*(exchange(case_id) for case_id in case_ids))
    assert sum(shipment is not None for shipment in won) == 1
    unit = await level(api, "BOS1", sku)
    assert (unit.on_hand, unit.reserved) == (1, 1)
    unavailable = 0
    for case_id in case_ids:
        unavailable += [e["type"] for e in await outbox(api, case_id)] == [
            "fulfillment.stock_unavailable"
        ]
    assert unavailable == len(case_ids) - 1


# Returns: label, pickup, scan, holding list


async def returned(api) -> dict:
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    await publish(api, decided)
    answer = await api.get("/returns", params={"case_id": decided.case_id})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_return_label_is_prefilled_with_the_buyers_address_and_scans(api):
    parcel = await returned(api)
    assert parcel["warehouse"] == "BOS1" and parcel["carrier"] == "USPS" and parcel["service"]
    path = f"/returns/{parcel['rma_id']}/label.pdf"
    assert (await api.get(path)).status_code == 401
    label = await api.get(path, headers=AGENT)
    assert label.status_code == 200
    text, codes = read_pdf(label.content)
    assert "Jane Doe" in text and "Cambridge" in text and parcel["rma_id"] in text
    read = {c.format: c.text for c in codes}
    assert read[zxingcpp.BarcodeFormat.Code128] == parcel["tracking_number"]
    assert read[zxingcpp.BarcodeFormat.QRCode] == f"RETURN:{parcel['rma_id']}"


async def test_a_pickup_is_booked_in_an_offered_window_and_a_bad_one_refused(api):
    parcel = await returned(api)
    path = f"/returns/{parcel['rma_id']}"
    windows = (await api.get(f"{path}/pickup-windows")).json()
    assert windows and all(w["starts"] < w["ends"] for w in windows)
    first = windows[0]
    booked = await api.post(f"{path}/pickup", json=first, headers=AGENT)
    assert booked.status_code == 200, booked.text
    assert booked.json()["pickup_day"] == first["day"] and booked.json()["pickup_confirmation"]
    past = {"day": "2020-01-06", "starts": "09:00", "ends": "12:00"}
    refused = await api.post(f"{path}/pickup", json=past, headers=AGENT)
    assert refused.status_code == 422
    events = await outbox(api, parcel["case_id"])
    assert [e["type"] for e in events] == [
        "fulfillment.return_label_issued",
        "fulfillment.pickup_scheduled",
    ]


async def test_a_parcel_scanned_twice_is_received_once_with_its_photos(api):
    parcel = await returned(api)
    scan = {
        "warehouse": "BOS1",
        "code": parcel["tracking_number"],
        "condition_note": "box dented",
        "photos": ["https://photos.example.com/rx/1.jpg"],
    }
    for _ in range(2):
        answer = await api.post("/scans", json=scan, headers=STAFF)
        assert answer.status_code == 200 and answer.json()["received"]["received_at"]
    events = await outbox(api, parcel["case_id"])
    received = [e["data"] for e in events if e["type"] == "fulfillment.return_received"]
    assert len(received) == 1
    assert received[0]["photos"] == scan["photos"] and received[0]["items"][0]["quantity"] == 1
    by_rma = await api.post("/scans", json={**scan, "code": parcel["rma_id"]}, headers=STAFF)
    assert by_rma.status_code == 200  # the RMA finds the same parcel, still received once
    assert len([e for e in await outbox(api, parcel["case_id"]) if "received" in e["type"]]) == 1


async def test_an_unknown_parcel_is_held_then_matched_not_lost(api):
    parcel = await returned(api)
    code = f"UNKNOWN-{uuid.uuid4().hex[:8]}"
    scan = {"warehouse": "BOS1", "code": code, "condition_note": "no label"}
    held = await api.post("/scans", json=scan, headers=STAFF)
    again = await api.post("/scans", json=scan, headers=STAFF)
    assert held.status_code == again.status_code == 202
    holding_id = held.json()["held"]["holding_id"]
    assert again.json()["held"]["holding_id"] == holding_id
    listed = (await api.get("/warehouses/BOS1/held-parcels", headers=STAFF)).json()
    assert holding_id in {h["holding_id"] for h in listed}
    missing = await api.post(
        f"/held-parcels/{holding_id}/match", json={"rma_id": "RMA-NOPE"}, headers=STAFF
    )
    assert missing.status_code == 404
    match = {"rma_id": parcel["rma_id"]}
    matched = await api.post(f"/held-parcels/{holding_id}/match", json=match, headers=STAFF)
    assert matched.status_code == 200 and matched.json()["condition_note"] == "no label"
    listed = (await api.get("/warehouses/BOS1/held-parcels", headers=STAFF)).json()
    assert holding_id not in {h["holding_id"] for h in listed}
    assert (await api.get("/returns/RMA-NOPE")).status_code == 404


# Back to origin


async def test_units_routed_to_origin_leave_together_with_a_commercial_invoice(api):
    parcels = [await returned(api) for _ in range(2)]
    for parcel in parcels:
        item = CaseItem(
            sku="BT-SPK-200-BLK",
            title="Portable Bluetooth Speaker 20W",
            category="electronics",
            quantity=1,
            unit_price_minor=15900,
        )
        await publish(
            api,
            DispositionDecided(
                case_id=parcel["case_id"],
                inspection_id=f"insp-{uuid.uuid4()}",
                rma_id=parcel["rma_id"],
                warehouse="BOS1",
                grade=Grade.D,
                disposition=Disposition.RETURN_TO_ORIGIN,
                net_minor=4200,
                currency=Currency.USD,
                items=[item],
                alternatives=[],
            ),
        )
    listed = (await api.get("/warehouses/BOS1/origin-shipments", headers=STAFF)).json()
    open_one = next(c for c in listed if c["status"] == "open")
    assert {p["rma_id"] for p in parcels} <= {u["rma_id"] for u in open_one["units"]}
    path = f"/origin-shipments/{open_one['consolidation_id']}"
    assert (await api.get(f"{path}/invoice.pdf", headers=STAFF)).status_code == 409
    draft = (await api.get(f"{path}/customs", headers=STAFF)).json()
    ours = [line for line in draft["lines"] if line["unit_value_minor"] == 15900]
    assert len(ours) == 2 and draft["status"] == "open" and draft["currency"] == "USD"
    assert {(line["hs_code"], line["origin_country"]) for line in ours} == {("8518.22", "CN")}
    assert draft["total_value_minor"] == sum(line["value_minor"] for line in draft["lines"])
    dispatched = await api.post(f"{path}/dispatch", headers=STAFF)
    assert dispatched.status_code == 200 and dispatched.json()["invoice_number"]
    invoice = await api.get(f"{path}/invoice.pdf", headers=STAFF)
    text = pdfium.PdfDocument(invoice.content)[0].get_textpage().get_text_range()
    assert "8518.22" in text and dispatched.json()["invoice_number"] in text and "CN" in text
    for parcel in parcels:
        types = [e["type"] for e in await outbox(api, parcel["case_id"])]
        assert types[-1] == "fulfillment.returned_to_origin"
    again = (await api.get("/warehouses/BOS1/origin-shipments", headers=STAFF)).json()
    assert all(c["status"] == "dispatched" for c in again if c["units"])


# Tasks pushed to a warehouse system


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
        worker = DeliveryWorker(api.service, WarehouseWebhooks(client))
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
        worker = DeliveryWorker(api.service, WarehouseWebhooks(client))
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
