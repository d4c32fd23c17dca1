"""A repair over the real PostgreSQL: the buyer's unit comes in on a label to the local
repair shop, marked as a repair (not an ordinary return), and once refurbish sends it back
to its buyer, a staff task ships it from the shop without reserving a stock unit."""

import uuid

from shared.events import (
    Disposition,
    DispositionDecided,
    Grade,
    Remedy,
    ResolutionDecided,
)
from shared.markets import Currency
from tests.factories import AGENT, STAFF, resolution_decided
from tests.handlers.fulfillment.conftest import (
    carrier_label,
    level,
    new_sku,
    outbox,
    publish,
    returned,
    stock,
)


async def repair_decided(api, sku: str | None = None) -> ResolutionDecided:
    decided = resolution_decided(sku or new_sku(), remedy=Remedy.REPAIR)
    await publish(api, decided)
    return decided


async def repair_return(api, case_id: str) -> dict:
    answer = await api.get("/returns", params={"case_id": case_id}, headers=AGENT)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def scanned_in(api, parcel: dict) -> None:
    scan = {"warehouse": parcel["warehouse"], "code": parcel["rma_id"], "condition_note": ""}
    assert (await api.post("/scans", json=scan, headers=STAFF)).status_code == 200


def back_to_buyer(parcel: dict, decided: ResolutionDecided) -> DispositionDecided:
    return DispositionDecided(
        case_id=parcel["case_id"],
        inspection_id=f"insp-{uuid.uuid4()}",
        rma_id=parcel["rma_id"],
        warehouse=parcel["warehouse"],
        grade=Grade.B,
        disposition=Disposition.RETURN_TO_BUYER,
        net_minor=0,
        currency=Currency.USD,
        items=decided.items,
        alternatives=[],
    )


async def tasks_of(api, case_id: str) -> list[dict]:
    return (await api.get("/shipments", params={"case_id": case_id}, headers=AGENT)).json()


def of_type(events: list[dict], kind: str) -> list[dict]:
    return [e["data"] for e in events if e["type"] == f"fulfillment.{kind}"]


async def test_a_decided_repair_gets_a_label_to_the_repair_shop_marked_as_a_repair(api):
    decided = await repair_decided(api)
    parcel = await repair_return(api, decided.case_id)
    assert (parcel["for_repair"], parcel["route"], parcel["warehouse"]) == (True, "local", "BOS1")
    await scanned_in(api, parcel)
    events = await outbox(api, decided.case_id)
    (label,) = of_type(events, "return_label_issued")
    (received,) = of_type(events, "return_received")
    assert label["for_repair"] is True and received["for_repair"] is True
    assert not of_type(events, "dispatch_requested")  # nothing ships before the repair


async def test_an_ordinary_return_is_not_marked_as_a_repair(api):
    parcel = await returned(api)
    assert parcel["for_repair"] is False
    (label,) = of_type(await outbox(api, parcel["case_id"]), "return_label_issued")
    assert label["for_repair"] is False


async def test_a_repaired_unit_is_shipped_back_from_the_shop_without_reserving_stock(api):
    sku = new_sku()
    await stock(api, "BOS1", sku, 1)  # the seller's own unit of the same SKU stays put
    decided = await repair_decided(api, sku)
    parcel = await repair_return(api, decided.case_id)
    await scanned_in(api, parcel)
    for _ in range(2):  # redelivered: one task
        await publish(api, back_to_buyer(parcel, decided))
    (task,) = await tasks_of(api, decided.case_id)
    assert (task["remedy"], task["warehouse"], task["pick_list"]) == ("repair", "BOS1", [])
    assert task["status"] == "requested" and task["promised_by"]
    assert ((await level(api, "BOS1", sku)).reserved) == 0

    path = f"/tasks/{task['shipment_id']}"
    assert (await api.post(f"{path}/picked", headers=STAFF)).status_code == 200
    packed = await api.post(f"{path}/packed", json={"weight_g": 450}, headers=STAFF)
    assert packed.status_code == 200, packed.text
    shipped = await api.post(f"{path}/shipped", headers=STAFF)
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    shelf = await level(api, "BOS1", sku)
    assert (shelf.on_hand, shelf.reserved) == (1, 0)
    events = await outbox(api, decided.case_id)
    (requested,) = of_type(events, "dispatch_requested")
    assert (requested["remedy"], requested["pick_list"]) == ("repair", [])
    (sent,) = of_type(events, "shipped")
    assert sent["remedy"] == "repair" and sent["tracking_number"]


async def test_only_a_unit_that_came_in_for_a_repair_is_shipped_back_to_a_buyer(api):
    parcel = await returned(api)  # an ordinary return: the seller's unit now
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    await publish(api, back_to_buyer(parcel, decided))
    assert await tasks_of(api, parcel["case_id"]) == []


async def test_a_problem_with_a_repaired_unit_is_reported_not_sent_from_another_warehouse(api):
    decided = await repair_decided(api)
    parcel = await repair_return(api, decided.case_id)
    await scanned_in(api, parcel)
    await publish(api, back_to_buyer(parcel, decided))
    (task,) = await tasks_of(api, decided.case_id)
    problem = {"problem": "not_found", "note": "not on the repair shelf"}
    answer = await api.post(f"/tasks/{task['shipment_id']}/problem", json=problem, headers=STAFF)
    assert answer.status_code == 200, answer.text
    await api.router.work_once()
    (reported,) = await tasks_of(api, decided.case_id)  # no new task from any warehouse
    assert reported["status"] == "problem"
    events = await outbox(api, decided.case_id)
    assert of_type(events, "dispatch_problem") and not of_type(events, "stock_unavailable")


async def test_a_repair_label_bought_from_the_carrier_is_owed_as_a_repair(carrier_api):
    decided = await repair_decided(carrier_api)
    listed = await carrier_api.get(
        "/carrier-labels", params={"case_id": decided.case_id}, headers=AGENT
    )
    (row,) = listed.json()
    owed = await carrier_label(carrier_api, row["reference"])
    assert owed.return_order["for_repair"] is True and owed.kind == "return"
