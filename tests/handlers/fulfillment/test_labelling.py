"""Dispatch labels bought from the carrier (the emulated EasyPost) while staff pack, over the
real PostgreSQL: the service the rate cards choose, the next they rank when EasyPost cannot
sell it, a 503 with Retry-After while EasyPost is down, exactly one label however a try is
cut short, the carrier's file or a drawn label, and the void of a label not used."""

import httpx
import pytest
import zxingcpp
from sqlalchemy import update

from services.fulfillment.domain.carrier_services import EASYPOST_SERVICES
from services.fulfillment.tables import CarrierLabel
from services.fulfillment.workflows import tasks as task_steps
from shared.events import ProductFacts, Remedy
from shared.markets import Market
from tests.factories import STAFF, resolution_decided
from tests.handlers.fulfillment.conftest import (
    bought_for,
    carrier_label,
    new_sku,
    outbox,
    pack,
    picked_task,
    publish,
    read_pdf,
    stock,
    task_of,
)

OUTAGE = {"outage_seconds": 60}
# What the seller's catalog knows of a speaker, made in Vietnam.
FACTS = ProductFacts(
    product_id="prod-spk-200",
    fnsku="X00ABCDEF1",
    weight_g=1150,
    dimensions_mm=(140, 220, 110),
    hs_code="8518220090",
    origin_country="VN",
)


async def test_packing_buys_the_label_of_the_service_the_cards_choose(carrier_api):
    task = await picked_task(carrier_api)
    packed = await pack(carrier_api, task)
    assert packed.status_code == 200, packed.text
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    assert packed.json()["tracking_number"] == label["tracking_code"]
    assert packed.json()["status"] == "packed"
    service_code = packed.json()["service_code"]
    assert (label["carrier"], label["service"]) == EASYPOST_SERVICES[service_code]
    row = await carrier_label(carrier_api, task["shipment_id"])
    assert (row.state, row.kind, row.passed_over, row.tracking_number) == (
        "bought",
        "dispatch",
        [],
        label["tracking_code"],
    )
    assert (row.easypost_carrier, row.easypost_service) == EASYPOST_SERVICES[service_code]
    assert row.postage_minor == round(float(label["rate"]) * 100)

    again = await pack(carrier_api, task)
    assert again.status_code == 200 and len(await bought_for(carrier_api, task["shipment_id"])) == 1

    shipped = await carrier_api.post(f"/tasks/{task['shipment_id']}/shipped", headers=STAFF)
    assert shipped.json()["tracking_number"] == label["tracking_code"]
    events = await outbox(carrier_api, task["case_id"])
    assert events[-1]["type"] == "fulfillment.shipped"
    assert events[-1]["data"]["tracking_number"] == label["tracking_code"]


async def test_the_label_is_the_carriers_file_or_drawn_here_with_its_tracking_number(
    carrier_api, monkeypatch
):
    task = await picked_task(carrier_api)
    await pack(carrier_api, task)
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    carriers = (await carrier_api.easypost.get(label["label_url"])).content
    path = f"/tasks/{task['shipment_id']}/label.pdf"
    served = await carrier_api.get(path, headers=STAFF)
    assert served.headers["content-type"] == "application/pdf" and served.content == carriers
    drawn = await carrier_api.get(path, params={"label": "drawn"}, headers=STAFF)
    text, codes = read_pdf(drawn.content)
    assert drawn.content != carriers and "Jane Doe" in text
    assert [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.Code128] == [
        label["tracking_code"]
    ]
    # A warehouse printing its own labels gets them drawn, unless it asks for the carrier's.
    monkeypatch.setattr(carrier_api.service.settings, "warehouses_drawing_labels", ["BOS1"])
    assert (await carrier_api.get(path, headers=STAFF)).content != carriers
    asked = await carrier_api.get(path, params={"label": "carrier"}, headers=STAFF)
    assert asked.content == carriers


async def test_without_a_carrier_account_there_is_no_carriers_file_to_ask_for(api):
    task = await picked_task(api)
    assert (await pack(api, task)).status_code == 200
    path = f"/tasks/{task['shipment_id']}/label.pdf"
    asked = await api.get(path, params={"label": "carrier"}, headers=STAFF)
    assert asked.status_code == 404
    assert (await api.get(path, headers=STAFF)).content.startswith(b"%PDF")


async def test_a_service_easypost_cannot_sell_gives_way_to_the_next_the_cards_rank(carrier_api):
    task = await picked_task(carrier_api)
    failing = {"message": "USPS cannot rate this parcel now"}
    await carrier_api.easypost.put("/_emulator/easypost/rate-errors/USPS", json=failing)
    packed = await pack(carrier_api, task)
    assert packed.status_code == 200, packed.text
    assert packed.json()["carrier"] != "USPS"
    row = await carrier_label(carrier_api, task["shipment_id"])
    assert row.passed_over[0] == (
        "USPS Ground Advantage: EasyPost gave no USPS GroundAdvantage rate "
        "(USPS cannot rate this parcel now)"
    )
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    assert label["carrier"] == row.easypost_carrier != "USPS"
    events = await outbox(carrier_api, task["case_id"])
    packed_event = next(e for e in events if e["type"] == "fulfillment.packed")
    assert packed_event["data"]["carrier"] == packed.json()["carrier"]


async def test_when_easypost_rates_none_of_the_cards_services_packing_is_refused(carrier_api):
    task = await picked_task(carrier_api)
    for carrier in ("USPS", "UPS", "FedEx"):
        await carrier_api.easypost.put(f"/_emulator/easypost/rate-errors/{carrier}", json={})
    refused = await pack(carrier_api, task)
    assert refused.status_code == 422
    assert "EasyPost rated none of the services the rate cards offer" in refused.json()["detail"]
    assert await bought_for(carrier_api, task["shipment_id"]) == []
    assert (await task_of(carrier_api, task["case_id"]))["status"] == "picked"


async def test_while_easypost_is_down_packing_answers_503_and_packing_again_succeeds(carrier_api):
    task = await picked_task(carrier_api)
    await carrier_api.easypost.put("/_emulator/faults/easypost", json=OUTAGE)
    down = await pack(carrier_api, task)
    assert down.status_code == 503
    assert 1 <= int(down.headers["Retry-After"]) <= 60 and "EasyPost" in down.json()["detail"]
    assert (await task_of(carrier_api, task["case_id"]))["status"] == "picked"
    await carrier_api.easypost.delete("/_emulator/faults/easypost")
    packed = await pack(carrier_api, task)
    assert packed.status_code == 200
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    assert packed.json()["tracking_number"] == label["tracking_code"]


async def test_a_crash_between_easyposts_answer_and_the_commit_buys_one_label(
    carrier_api, monkeypatch
):
    task = await picked_task(carrier_api)
    real_pack = task_steps.pack

    async def dies_before_committing(*args, **kwargs):
        monkeypatch.setattr(task_steps, "pack", real_pack)
        raise RuntimeError("the process died")

    monkeypatch.setattr(task_steps, "pack", dies_before_committing)
    with pytest.raises(RuntimeError, match="died"):
        await pack(carrier_api, task)
    (label,) = await bought_for(carrier_api, task["shipment_id"])  # EasyPost sold it
    assert (await task_of(carrier_api, task["case_id"]))["status"] == "picked"

    packed = await pack(carrier_api, task)
    assert packed.status_code == 200
    assert packed.json()["tracking_number"] == label["tracking_code"]
    assert await bought_for(carrier_api, task["shipment_id"]) == [label]


class LosesTheAnswerToBuying(httpx.AsyncBaseTransport):
    """The network: the purchase reaches EasyPost, its answer never comes back (once)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.transport.handle_async_request(request)
        if request.url.path.endswith("/buy") and not self.lost:
            self.lost += 1
            raise httpx.ReadTimeout("no answer", request=request)
        return response


async def test_a_purchase_whose_answer_was_lost_is_read_back_not_bought_again(carrier_api):
    task = await picked_task(carrier_api)
    client = carrier_api.service.context.labels.api.client
    client._transport = LosesTheAnswerToBuying(client._transport)
    lost = await pack(carrier_api, task)
    assert lost.status_code == 503 and lost.headers["Retry-After"]
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    packed = await pack(carrier_api, task)
    assert packed.status_code == 200
    assert packed.json()["tracking_number"] == label["tracking_code"]
    assert len(await bought_for(carrier_api, task["shipment_id"])) == 1


async def test_packing_again_at_another_weight_before_a_commit_gives_the_first_label_back(
    carrier_api, monkeypatch
):
    task = await picked_task(carrier_api)

    async def dies(*args, **kwargs):
        raise RuntimeError("the process died")

    monkeypatch.setattr(task_steps, "pack", dies)
    with pytest.raises(RuntimeError):
        await pack(carrier_api, task, 450)
    monkeypatch.undo()
    packed = await pack(carrier_api, task, 1200)
    assert packed.status_code == 200 and packed.json()["weight_g"] == 1200
    first, second = await bought_for(carrier_api, task["shipment_id"])
    assert (first["refund_status"], second["refund_status"]) == ("submitted", None)
    assert packed.json()["tracking_number"] == second["tracking_code"]


async def test_a_problem_after_packing_gives_the_unused_label_back(carrier_api):
    task = await picked_task(carrier_api)
    await pack(carrier_api, task)
    problem = await carrier_api.post(
        f"/tasks/{task['shipment_id']}/problem", json={"problem": "damaged_stock"}, headers=STAFF
    )
    assert problem.status_code == 200
    assert (await carrier_label(carrier_api, task["shipment_id"])).state == "void_owed"
    await carrier_api.voids.work_once()
    row = await carrier_label(carrier_api, task["shipment_id"])
    assert (row.state, row.refund_status) == ("voided", "submitted") and row.voided_at
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    assert label["refund_status"] == "submitted"
    await carrier_api.voids.work_once()  # nothing owed any more: no second refund asked
    assert (await carrier_label(carrier_api, task["shipment_id"])).state == "voided"


async def test_a_void_waits_while_easypost_is_down(carrier_api):
    task = await picked_task(carrier_api)
    await pack(carrier_api, task)
    await carrier_api.post(
        f"/tasks/{task['shipment_id']}/problem", json={"problem": "not_found"}, headers=STAFF
    )
    await carrier_api.easypost.put("/_emulator/faults/easypost", json=OUTAGE)
    await carrier_api.voids.work_once()
    row = await carrier_label(carrier_api, task["shipment_id"])
    assert row.state == "void_owed" and "503" in row.cause
    await carrier_api.easypost.delete("/_emulator/faults/easypost")
    async with carrier_api.service.transaction() as session:
        await session.execute(
            update(CarrierLabel)
            .where(CarrierLabel.reference == task["shipment_id"])
            .values(next_attempt_at=row.created_at)
        )
    await carrier_api.voids.work_once()
    assert (await carrier_label(carrier_api, task["shipment_id"])).state == "voided"


async def test_shipping_under_another_tracking_number_gives_the_carriers_label_back(carrier_api):
    task = await picked_task(carrier_api)
    await pack(carrier_api, task)
    shipped = await carrier_api.post(
        f"/tasks/{task['shipment_id']}/shipped",
        json={"tracking_number": "1ZOWN0000000000001"},
        headers=STAFF,
    )
    assert shipped.json()["tracking_number"] == "1ZOWN0000000000001"
    await carrier_api.voids.work_once()
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    assert label["refund_status"] == "submitted"


async def test_a_parcel_from_canada_to_a_us_buyer_declares_its_part_to_customs(carrier_api):
    sku = new_sku()
    await stock(carrier_api, "YYZ1", f"{sku}-PART", 2)  # no US warehouse holds it
    decided = resolution_decided(sku)
    item = decided.items[0].model_copy(update={"product": FACTS})
    await publish(carrier_api, decided.model_copy(update={"items": [item]}))
    task = await task_of(carrier_api, decided.case_id)
    assert task["warehouse"] == "YYZ1"
    await carrier_api.post(f"/tasks/{task['shipment_id']}/picked", headers=STAFF)
    packed = await pack(carrier_api, task)
    assert packed.status_code == 200, packed.text
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    declared = carrier_api.emulators.state.easypost.shipments[label["shipment_id"]]["customs_info"]
    (item,) = declared["customs_items"]
    assert (declared["contents_type"], item["description"], item["value"], item["currency"]) == (
        "merchandise",
        f"{sku}-PART",
        "49.99",
        "USD",
    )
    # The part is not its unit: none of the unit's catalog facts go with it.
    assert (item["hs_tariff_number"], item["origin_country"]) == ("950300", "CN")
    assert label["parcel"]["length"] is None


async def test_an_exchange_unit_is_measured_and_declared_from_the_sellers_catalog(carrier_api):
    sku = new_sku()
    await stock(carrier_api, "YYZ1", sku, 2)  # from Canada to the US buyer: customs
    decided = resolution_decided(sku, remedy=Remedy.EXCHANGE, market=Market.CA)
    item = decided.items[0].model_copy(update={"title": "Speaker", "product": FACTS})
    await publish(carrier_api, decided.model_copy(update={"items": [item]}))
    task = await task_of(carrier_api, decided.case_id)
    await carrier_api.post(f"/tasks/{task['shipment_id']}/picked", headers=STAFF)
    packed = await pack(carrier_api, task, weight_g=1400)
    assert packed.status_code == 200, packed.text
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    # The scale's weight; the box the catalog's size makes, in inches, longest side first.
    assert label["parcel"] == {"weight": 49.4, "length": 9.5, "width": 6.3, "height": 5.2}
    row = await carrier_label(carrier_api, task["shipment_id"])
    assert (row.weight_g, row.dimensions_mm) == (1400, [240, 160, 130])
    (declared,) = label["customs_items"]
    assert (declared["hs_tariff_number"], declared["origin_country"]) == ("8518220090", "VN")
    assert declared["weight"] == 40.6  # 1150 g


async def test_a_box_measured_at_packing_is_the_size_the_label_is_bought_for(carrier_api):
    sku = new_sku()
    await stock(carrier_api, "YYZ1", sku, 2)
    decided = resolution_decided(sku, remedy=Remedy.EXCHANGE, market=Market.CA)
    item = decided.items[0].model_copy(update={"title": "Speaker", "product": FACTS})
    await publish(carrier_api, decided.model_copy(update={"items": [item]}))
    task = await task_of(carrier_api, decided.case_id)
    path = f"/tasks/{task['shipment_id']}"
    await carrier_api.post(f"{path}/picked", headers=STAFF)
    unmeasured = {"weight_g": 1400, "dimensions_mm": [300, 0, 100]}
    assert (
        await carrier_api.post(f"{path}/packed", json=unmeasured, headers=STAFF)
    ).status_code == 422
    measured = {"weight_g": 1400, "dimensions_mm": [200, 300, 100]}
    packed = await carrier_api.post(f"{path}/packed", json=measured, headers=STAFF)
    assert packed.status_code == 200, packed.text
    (label,) = await bought_for(carrier_api, task["shipment_id"])
    # The tape measure's box, not the catalog's, longest side first, in inches (rounded up).
    assert label["parcel"] == {"weight": 49.4, "length": 11.9, "width": 7.9, "height": 4.0}
    row = await carrier_label(carrier_api, task["shipment_id"])
    assert row.dimensions_mm == [300, 200, 100]
