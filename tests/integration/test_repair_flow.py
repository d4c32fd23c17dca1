"""A repair end to end over the real broker and PostgreSQL: a UK buyer's faulty speaker,
past the 30-day right to reject, is offered a repair; accepted, the unit comes in on a
label to the local repair shop marked as a repair, is repaired, graded again and shipped
back to its buyer from the shop without taking a stock unit; analytics closes the case as
returned to its buyer, with nothing recovered."""

import uuid
from datetime import UTC, datetime, timedelta

from tests.conftest import eventually
from tests.factories import AGENT, STAFF, TECHNICIAN, owed_at_once_webhook, post_case
from tests.integration.conftest import count_stock, offers_of
from tests.integration.test_case_flow import answer_offer, timeline_types

# A speaker of the tests' own, so that its shelf in the UK warehouse is this test's alone.
SKU = f"SPK-RPR-{uuid.uuid4().hex[:6]}"
REPAIR_FLOW = [
    "resolution.decided",
    "fulfillment.return_label_issued",
    "fulfillment.return_received",
    "refurbish.inspection_opened",
    "refurbish.graded",
    "refurbish.disposition_decided",  # repair first
    "refurbish.repair_ordered",
    "refurbish.repair_completed",
    "refurbish.graded",
    "refurbish.disposition_decided",  # back to its buyer
    "fulfillment.dispatch_requested",
    "fulfillment.picked",
    "fulfillment.packed",
    "fulfillment.shipped",
]


def past_the_right_to_reject() -> dict:
    """The UK buyer's broken speaker, 45 days after delivery."""
    body = owed_at_once_webhook()
    body["items"][0]["sku"] = SKU
    body["delivered_at"] = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    return body


async def test_a_repair_is_carried_out_from_the_offer_to_the_unit_back_at_the_buyer(clients):
    fulfillment, refurbish = clients["fulfillment"], clients["refurbish"]
    await count_stock(fulfillment, SKU, on_hand=4, warehouse="CVT1")
    opened = await post_case(clients["intake"], past_the_right_to_reject())
    assert opened.status_code == 202, opened.text
    case_id = opened.json()["case_id"]

    async def first_offer():
        return await offers_of(clients, case_id) or None

    # Past the right to reject, the law's repair or replacement first: the part, cheapest.
    made = await eventually(first_offer, timeout=60)
    assert [offer["remedy"] for offer in made] == ["part_shipment"]
    await answer_offer(clients, case_id, "decline", "part_shipment")
    await answer_offer(clients, case_id, "accept", "repair")

    async def label():
        answer = await fulfillment.get("/returns", params={"case_id": case_id}, headers=AGENT)
        return answer.json() if answer.status_code == 200 else None

    parcel = await eventually(label, timeout=60)
    assert (parcel["warehouse"], parcel["for_repair"], parcel["route"]) == ("CVT1", True, "local")
    scan = {"warehouse": "CVT1", "code": parcel["rma_id"], "condition_note": "in a padded bag"}
    assert (await fulfillment.post("/scans", json=scan, headers=STAFF)).status_code == 200

    async def inspection():
        answer = await refurbish.get(
            "/inspections", params={"case_id": case_id}, headers=TECHNICIAN
        )
        found = answer.json()
        return found[0] if found else None

    unit = await eventually(inspection, timeout=30)
    assert unit["for_repair"] is True
    path = f"/inspections/{unit['inspection_id']}"
    form = (await refurbish.get(f"{path}/checklist", headers=TECHNICIAN)).json()

    def findings(failing=()):
        return {
            "cosmetic": "none",
            "functional": {test: test not in failing for test in form["tests"]},
            "accessories_complete": True,
            "packaging": "original_opened",
            "fault": "charging port loose" if failing else None,
        }

    sent = await refurbish.post(
        f"{path}/checklist", json={"checklist": findings(("charges",))}, headers=TECHNICIAN
    )
    assert (sent.json()["status"], sent.json()["disposition"]) == ("repairing", "repair")
    repairs = await refurbish.get(
        "/repairs", params={"inspection_id": unit["inspection_id"]}, headers=TECHNICIAN
    )
    (job,) = repairs.json()
    done = await refurbish.post(f"/repairs/{job['repair_id']}/done", headers=TECHNICIAN)
    assert done.status_code == 200, done.text
    regraded = await refurbish.post(
        f"{path}/checklist", json={"checklist": findings()}, headers=TECHNICIAN
    )
    assert regraded.json()["disposition"] == "return_to_buyer", regraded.text

    async def task():
        answer = await fulfillment.get("/shipments", params={"case_id": case_id}, headers=AGENT)
        return answer.json() or None

    (shipment,) = await eventually(task, timeout=60)
    assert (shipment["remedy"], shipment["warehouse"], shipment["pick_list"]) == (
        "repair",
        "CVT1",
        [],
    )
    step = f"/tasks/{shipment['shipment_id']}"
    assert (await fulfillment.post(f"{step}/picked", headers=STAFF)).status_code == 200
    packed = await fulfillment.post(f"{step}/packed", json={"weight_g": 420}, headers=STAFF)
    assert packed.status_code == 200, packed.text
    assert (await fulfillment.post(f"{step}/shipped", headers=STAFF)).status_code == 200
    shelf = (await fulfillment.get("/stock/CVT1", headers=STAFF)).json()
    (units,) = [level for level in shelf if level["sku"] == SKU]
    assert (units["on_hand"], units["reserved"]) == (4, 0)  # the seller's own, never touched

    async def closed():
        answer = await clients["analytics"].get(f"/cases/{case_id}", headers=AGENT)
        case = answer.json() if answer.status_code == 200 else {}
        return case if case.get("status") == "returned_to_buyer" else None

    case = await eventually(closed, timeout=30)
    assert (case["remedy"], case["disposition"]) == ("repair", "return_to_buyer")
    types = [t for t in await timeline_types(clients, case_id) if t in REPAIR_FLOW]
    assert types == REPAIR_FLOW  # no refund, no resale: the unit is the buyer's
    assert "refund.issued" not in await timeline_types(clients, case_id)
