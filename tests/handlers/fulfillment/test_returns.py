"""Returns over the real PostgreSQL: the buyer's prepaid label read back from its PDF, the
carrier pickup, the warehouse scan, the holding list of parcels no scan matched."""

import uuid

import zxingcpp

from shared.events import ProductFacts, Remedy
from tests.factories import AGENT, STAFF, resolution_decided
from tests.handlers.fulfillment.conftest import (
    new_sku,
    outbox,
    publish,
    read_pdf,
    returned,
)


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
    windows = (await api.get(f"{path}/pickup-windows", headers=AGENT)).json()
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
    assert (await api.get("/returns/RMA-NOPE", headers=AGENT)).status_code == 404


async def test_a_return_label_waits_while_intake_cannot_say_the_address(api):
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    decided = decided.model_copy(update={"case_id": f"case-unreachable-{uuid.uuid4()}"})
    await publish(api, decided)
    parcel = (await api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)).json()
    label = await api.get(f"/returns/{parcel['rma_id']}/label.pdf", headers=AGENT)
    assert label.status_code == 503 and "503" in label.json()["detail"]


async def returned_with(api, product: ProductFacts | None) -> dict:
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    item = decided.items[0].model_copy(update={"product": product})
    await publish(api, decided.model_copy(update={"items": [item]}))
    answer = await api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_return_is_priced_and_labelled_at_the_units_real_weight_and_keeps_its_facts(api):
    heater = ProductFacts(product_id="prod-heater", weight_g=9000, hs_code="851629")
    heavy, estimated = await returned_with(api, heater), await returned_with(api, None)
    assert heavy["postage_minor"] > estimated["postage_minor"]
    for parcel, weight in [(heavy, "9.2 kg"), (estimated, "1.0 kg")]:  # packaging: 200 g
        label = await api.get(f"/returns/{parcel['rma_id']}/label.pdf", headers=AGENT)
        text, _ = read_pdf(label.content)
        assert weight in text

    # Scanned in later, the parcel still has the unit's facts for refurbish and customs.
    scan = {"warehouse": "BOS1", "code": heavy["rma_id"], "condition_note": "", "photos": []}
    assert (await api.post("/scans", json=scan, headers=STAFF)).status_code == 200
    events = await outbox(api, heavy["case_id"])
    (received,) = [e["data"] for e in events if e["type"] == "fulfillment.return_received"]
    assert ProductFacts.model_validate(received["items"][0]["product"]) == heater
