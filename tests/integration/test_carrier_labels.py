"""Labels bought from the carrier through the running stack: fulfillment talks HTTP to the
emulated EasyPost (the `emulators` fixture), whose ledger says what was bought. A dispatch
task's label and tracking number come from it; a return's label too; while it is down,
packing answers 503 with Retry-After and succeeds once it is back."""

import uuid

import httpx

from tests.conftest import eventually
from tests.factories import AGENT, STAFF, webhook
from tests.integration.conftest import count_stock
from tests.integration.test_case_flow import (
    answer_offer,
    decline_repair_and_replacement,
    open_case,
)


async def labels_bought(emulators: str, reference: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        labels = (await http.get("/_emulator/easypost/labels")).json()["labels"]
    return [label for label in labels if label["reference"] == reference]


async def part_task_picked(clients) -> dict:
    sku = f"SPK-{uuid.uuid4().hex[:6]}"
    await count_stock(clients["fulfillment"], f"{sku}-PART")
    case_id = await open_case(
        clients, reason_code="MISSING_PART", items=[{**webhook()["items"][0], "sku": sku}]
    )
    await answer_offer(clients, case_id, "decline", "troubleshooting")
    await answer_offer(clients, case_id, "accept", "part_shipment")

    async def task():
        response = await clients["fulfillment"].get(
            "/shipments", params={"case_id": case_id}, headers=AGENT
        )
        return response.json()

    shipment = (await eventually(task, timeout=60))[0]
    path = f"/tasks/{shipment['shipment_id']}"
    assert (await clients["fulfillment"].post(f"{path}/picked", headers=STAFF)).is_success
    return shipment


async def test_a_dispatch_tasks_label_and_tracking_number_come_from_the_carrier(clients, emulators):
    task = await part_task_picked(clients)
    fulfillment, path = clients["fulfillment"], f"/tasks/{task['shipment_id']}"
    packed = await fulfillment.post(f"{path}/packed", json={"weight_g": 380}, headers=STAFF)
    assert packed.status_code == 200, packed.text
    (label,) = await labels_bought(emulators, task["shipment_id"])
    assert packed.json()["tracking_number"] == label["tracking_code"]
    served = await fulfillment.get(f"{path}/label.pdf", headers=STAFF)
    async with httpx.AsyncClient(timeout=5) as http:
        carriers = (await http.get(label["label_url"])).content
    assert served.status_code == 200 and served.content == carriers
    shipped = await fulfillment.post(f"{path}/shipped", headers=STAFF)
    assert shipped.json()["tracking_number"] == label["tracking_code"]


async def test_while_the_carrier_is_down_packing_answers_503_then_succeeds(clients, emulators):
    task = await part_task_picked(clients)
    fulfillment, path = clients["fulfillment"], f"/tasks/{task['shipment_id']}"
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        await http.put("/_emulator/faults/easypost", json={"outage_seconds": 30})
        try:
            down = await fulfillment.post(f"{path}/packed", json={"weight_g": 380}, headers=STAFF)
        finally:
            await http.delete("/_emulator/faults/easypost")
    assert down.status_code == 503 and 1 <= int(down.headers["Retry-After"]) <= 30
    assert await labels_bought(emulators, task["shipment_id"]) == []
    packed = await fulfillment.post(f"{path}/packed", json={"weight_g": 380}, headers=STAFF)
    assert packed.status_code == 200
    (label,) = await labels_bought(emulators, task["shipment_id"])
    assert packed.json()["tracking_number"] == label["tracking_code"]


async def test_a_returns_label_is_bought_from_the_carrier_by_the_worker(clients, emulators):
    case_id = await open_case(clients, reason_code="DEFECTIVE")
    await decline_repair_and_replacement(clients, case_id)

    async def issued():
        response = await clients["fulfillment"].get(
            "/returns", params={"case_id": case_id}, headers=AGENT
        )
        return response.json() if response.status_code == 200 else None

    parcel = await eventually(issued, timeout=60)
    (label,) = await labels_bought(emulators, parcel["rma_id"])
    assert label["is_return"] is True and parcel["tracking_number"] == label["tracking_code"]
    listed = await clients["fulfillment"].get(
        "/carrier-labels", params={"case_id": case_id}, headers=AGENT
    )
    assert [row["state"] for row in listed.json()] == ["bought"]
