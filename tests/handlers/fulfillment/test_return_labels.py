"""Return labels bought from the carrier (the emulated EasyPost) by the worker, over the real
PostgreSQL: owed when the return is decided, issued with the carrier's tracking number once
bought, bought once however a try is cut short, waiting while intake or EasyPost cannot
answer, failed with the cause when they say no (or after the last try)."""

import uuid

import pytest

from services.fulfillment.domain.parcels import PACKAGING_G, UNIT_WEIGHT_G
from services.fulfillment.workflows import labelling
from shared.events import ProductFacts, Remedy
from tests.factories import AGENT, resolution_decided
from tests.handlers.fulfillment.conftest import (
    bought_for,
    carrier_label,
    decided_return,
    due_now,
    new_sku,
    outbox,
    owed_label,
    publish,
    read_pdf,
)


async def test_a_decided_return_gets_the_carriers_label_once_the_worker_bought_it(carrier_api):
    decided = await decided_return(carrier_api)
    await publish(carrier_api, decided)  # delivered twice: still one label owed
    returns = await carrier_api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)
    assert returns.status_code == 404  # not yet: the label is owed
    owed = await owed_label(carrier_api, decided.case_id)
    assert (owed.state, owed.kind, owed.warehouse) == ("owed", "return", "BOS1")
    assert owed.reference.startswith("RMA-") and owed.return_order["market"] == "US"

    await carrier_api.return_labels.work_once()
    parcel = (
        await carrier_api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)
    ).json()
    (label,) = await bought_for(carrier_api, owed.reference)
    assert parcel["rma_id"] == owed.reference and label["is_return"] is True
    assert (parcel["carrier"], label["carrier"]) == ("USPS", "USPS")
    assert parcel["tracking_number"] == label["tracking_code"]
    (issued,) = await outbox(carrier_api, decided.case_id)
    assert issued["type"] == "fulfillment.return_label_issued"
    assert issued["data"]["tracking_number"] == label["tracking_code"]
    assert (await carrier_label(carrier_api, owed.reference)).state == "bought"

    path = f"/returns/{parcel['rma_id']}/label.pdf"
    carriers = (await carrier_api.easypost.get(label["label_url"])).content
    assert (await carrier_api.get(path, headers=AGENT)).content == carriers
    drawn = await carrier_api.get(path, params={"label": "drawn"}, headers=AGENT)
    text, _ = read_pdf(drawn.content)
    assert "Jane Doe" in text and parcel["rma_id"] in text

    await carrier_api.return_labels.work_once()
    assert len(await bought_for(carrier_api, owed.reference)) == 1


async def test_a_crash_after_easypost_sold_the_return_label_buys_no_second_one(
    carrier_api, monkeypatch
):
    decided = await decided_return(carrier_api)
    owed = await owed_label(carrier_api, decided.case_id)

    async def dies(*args, **kwargs):
        raise RuntimeError("the process died")

    monkeypatch.setattr(labelling, "issue_bought_return_label", dies)
    with pytest.raises(RuntimeError):
        await carrier_api.return_labels.work_once()
    (label,) = await bought_for(carrier_api, owed.reference)
    monkeypatch.undo()
    await due_now(carrier_api, owed.reference)  # its lease would run out
    await carrier_api.return_labels.work_once()
    parcel = (
        await carrier_api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)
    ).json()
    assert parcel["tracking_number"] == label["tracking_code"]
    assert await bought_for(carrier_api, owed.reference) == [label]


async def test_a_return_label_waits_while_easypost_is_down_then_is_bought(carrier_api):
    decided = await decided_return(carrier_api)
    owed = await owed_label(carrier_api, decided.case_id)
    await carrier_api.easypost.put("/_emulator/faults/easypost", json={"outage_seconds": 60})
    await carrier_api.return_labels.work_once()
    waiting = await carrier_label(carrier_api, owed.reference)
    assert (waiting.state, waiting.attempts) == ("owed", 1) and "503" in waiting.cause
    assert waiting.next_attempt_at > waiting.created_at
    await carrier_api.easypost.delete("/_emulator/faults/easypost")
    await due_now(carrier_api, owed.reference)
    await carrier_api.return_labels.work_once()
    assert (await carrier_label(carrier_api, owed.reference)).state == "bought"


async def test_after_the_last_try_a_return_label_is_failed_with_its_cause_and_owed_again(
    carrier_api,
):
    decided = await decided_return(carrier_api, f"case-unreachable-{uuid.uuid4()}")
    owed = await owed_label(carrier_api, decided.case_id)
    carrier_api.return_labels.max_attempts = 2
    for _ in range(2):
        await due_now(carrier_api, owed.reference)
        await carrier_api.return_labels.work_once()
    failed = await carrier_label(carrier_api, owed.reference)
    assert failed.state == "failed" and "still unanswered after 2 tries" in failed.cause
    listed = await carrier_api.get(
        "/carrier-labels", params={"state": "failed", "case_id": decided.case_id}, headers=AGENT
    )
    assert [row["cause"] for row in listed.json()] == [failed.cause]
    retried = await carrier_api.post(f"/carrier-labels/{owed.reference}/retry", headers=AGENT)
    assert retried.status_code == 200
    assert (retried.json()["state"], retried.json()["attempts"]) == ("owed", 0)
    assert await bought_for(carrier_api, owed.reference) == []


async def test_no_address_at_intake_fails_the_return_label_at_once_with_the_reason(carrier_api):
    decided = await decided_return(carrier_api, f"case-erased-{uuid.uuid4()}")
    owed = await owed_label(carrier_api, decided.case_id)
    await carrier_api.return_labels.work_once()
    failed = await carrier_label(carrier_api, owed.reference)
    assert failed.state == "failed" and "unknown or erased" in failed.cause
    assert await outbox(carrier_api, decided.case_id) == []


async def test_a_return_label_is_bought_for_the_units_real_weight_and_size(carrier_api):
    facts = ProductFacts(product_id="prod-lamp", weight_g=1150, dimensions_mm=(300, 200, 100))
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    item = decided.items[0].model_copy(update={"quantity": 2, "product": facts})
    decided = decided.model_copy(update={"items": [item]})
    await publish(carrier_api, decided)
    owed = await owed_label(carrier_api, decided.case_id)
    # Kept with the label owed: the worker buys it later, from the row alone.
    assert (owed.weight_g, owed.dimensions_mm) == (200 + 2 * 1150, [320, 220, 220])
    await carrier_api.return_labels.work_once()
    (label,) = await bought_for(carrier_api, owed.reference)
    assert label["parcel"] == {"weight": 88.2, "length": 12.6, "width": 8.7, "height": 8.7}


async def test_a_return_label_for_a_unit_the_catalog_does_not_know_is_estimated(carrier_api):
    decided = await decided_return(carrier_api)  # no product facts: an unknown SKU
    owed = await owed_label(carrier_api, decided.case_id)
    assert (owed.weight_g, owed.dimensions_mm) == (PACKAGING_G + UNIT_WEIGHT_G["default"], None)
    await carrier_api.return_labels.work_once()
    (label,) = await bought_for(carrier_api, owed.reference)
    assert label["parcel"] == {"weight": 35.3, "length": None, "width": None, "height": None}
