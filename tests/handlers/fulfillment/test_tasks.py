"""Warehouse staff's dispatch tasks over the real PostgreSQL: a task's whole life from the
decided remedy to the carrier, the steps refused, problems sending the case to the next
warehouse or back to resolution."""

import uuid

import pytest
import zxingcpp

from tests.factories import STAFF, resolution_decided
from tests.handlers.fulfillment.conftest import (
    level,
    new_sku,
    outbox,
    publish,
    read_pdf,
    stock,
    task_of,
)
from tests.zpl_reading import fits, read_zpl


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

    zebra = await api.get(f"{path}/label.zpl", headers=STAFF)  # the same label, for a Zebra
    assert zebra.headers["content-type"].startswith("application/zpl")
    zpl = read_zpl(zebra.text)
    assert [b.data for b in zpl.barcodes("code128")] == [tracking]
    assert "JANE DOE" in zpl.texts() or "Jane Doe" in zpl.texts()
    assert all(fits(zpl, f) for f in zpl.fields if f.font)

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
    unlabelled = await api.get(f"{path}/label.zpl", headers=STAFF)
    assert unlabelled.status_code == 409 and "packed" in unlabelled.json()["detail"]
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
    assert answer.json()["problem_at"]  # when: the floor page counts the day's problems
    again = await api.post(f"/tasks/{first['shipment_id']}/problem", json=report, headers=STAFF)
    assert again.json()["problem_at"] == answer.json()["problem_at"]  # reported once
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


async def test_packing_for_a_buyer_whose_address_intake_no_longer_holds_is_gone(api):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 1)
    decided = resolution_decided(sku).model_copy(update={"case_id": f"case-erased-{uuid.uuid4()}"})
    await publish(api, decided)  # routed on the region's farthest zones
    path = f"/tasks/{(await task_of(api, decided.case_id))['shipment_id']}"
    await api.post(f"{path}/picked", headers=STAFF)
    packed = await api.post(f"{path}/packed", json={"weight_g": 450}, headers=STAFF)
    assert packed.status_code == 410 and "no address" in packed.json()["detail"]
    assert (await task_of(api, decided.case_id))["status"] == "picked"
