"""EasyPost emulated (`/easypost`), through the ASGI transport: the Tracker API (and
resolution's tracking adapter against it); the Shipment, Refund and Pickup APIs with their
ledger (fulfillment's adapters against them are tested with fulfillment's)."""

import re
from datetime import UTC, datetime

import httpx
import pytest

from deploy.emulators.app import create_app
from services.resolution.adapters.carrier_tracking import CarrierTracking
from services.resolution.domain.tracing import ParcelStatus
from shared.outbound import Refused

# The tracker API, as EasyPost's

TRACKERS = "/v2/trackers"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
AUTH = ("EZTK-demo", "")


BASE_URL = "http://emulators/easypost"


@pytest.fixture
async def easypost():
    transport = httpx.ASGITransport(app=create_app(now=lambda: NOW))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


async def create(http: httpx.AsyncClient, code: str, carrier: str = "USPS") -> httpx.Response:
    body = {"tracker": {"tracking_code": code, "carrier": carrier}}
    return await http.post(TRACKERS, json=body, auth=AUTH)


async def test_a_code_ending_in_dlv_was_delivered_three_days_ago(easypost):
    response = await create(easypost, "9400100000000000000DLV")
    assert response.status_code == 201
    tracker = response.json()
    assert tracker["id"] == "trk_sandbox000001"
    assert (tracker["tracking_code"], tracker["carrier"]) == ("9400100000000000000DLV", "USPS")
    assert tracker["status"] == "delivered"
    assert tracker["tracking_details"][-1] == {
        "object": "TrackingDetail",
        "status": "delivered",
        "datetime": "2026-11-20T12:00:00Z",
        "message": "Delivered, front door/porch",
    }


async def test_a_code_ending_in_trn_is_in_transit_and_due_in_two_days(easypost):
    tracker = (await create(easypost, "1Z999AA1TRN", carrier="UPS")).json()
    assert (tracker["status"], tracker["est_delivery_date"]) == (
        "in_transit",
        "2026-11-25T12:00:00Z",
    )
    assert [detail["status"] for detail in tracker["tracking_details"]] == [
        "pre_transit",
        "in_transit",
    ]


async def test_any_other_code_was_returned_to_the_sender(easypost):
    tracker = (await create(easypost, "9400100000000000000123")).json()
    assert tracker["status"] == "return_to_sender"
    assert tracker["tracking_details"][-1]["status"] == "return_to_sender"


async def test_the_same_code_again_is_the_same_tracker(easypost):
    first = await create(easypost, "9400100000000000000DLV")
    other = await create(easypost, "9400100000000000000TRN")
    again = await create(easypost, "9400100000000000000DLV")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert other.json()["id"] == "trk_sandbox000002"


async def test_a_tracker_without_a_carrier_is_on_the_default_one(easypost):
    response = await easypost.post(
        TRACKERS, json={"tracker": {"tracking_code": "X1TRN"}}, auth=AUTH
    )
    assert response.json()["carrier"] == "USPS"


@pytest.mark.parametrize("code", ["", "   "])
async def test_an_empty_code_is_refused_as_easypost_does(easypost, code):
    response = await create(easypost, code)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "TRACKER.TRACKING_CODE.INVALID"
    assert response.json()["error"]["message"]


@pytest.mark.parametrize("body", [b"track!", b'{"tracking_code": "X1DLV"}', b'{"tracker": 1}'])
async def test_an_invalid_tracker_body_is_refused_with_a_reason(easypost, body):
    response = await easypost.post(TRACKERS, content=body, auth=AUTH)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "PARAMETER.INVALID"
    assert response.json()["error"]["message"].startswith("Invalid tracker")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer EZTK-demo"},
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic Og=="},  # ":": an empty user name
    ],
)
async def test_a_call_without_an_api_key_is_unauthorized(easypost, headers):
    body = {"tracker": {"tracking_code": "X1DLV", "carrier": "USPS"}}
    response = await easypost.post(TRACKERS, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "APIKEY.REQUIRED"


# CarrierTracking against the emulator


async def test_the_tracking_adapter_reads_each_fate_the_emulator_offers(easypost):
    tracking = CarrierTracking(easypost, "EZTK-demo")
    delivered = await tracking.track("USPS", "9400100000000000000DLV")
    assert delivered == ParcelStatus(
        carrier="USPS",
        tracking_number="9400100000000000000DLV",
        status="delivered",
        delivered_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        estimated_delivery=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        last_event="Delivered, front door/porch",
    )
    moving = await tracking.track("UPS", "1Z999AA1TRN")
    assert (moving.status, moving.estimated_delivery) == (
        "in_transit",
        datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    )
    returned = await tracking.track("USPS", "9400100000000000000123")
    assert (returned.status, returned.last_event) == (
        "return_to_sender",
        "Returned to sender: no such number",
    )
    assert await tracking.track("USPS", "9400100000000000000DLV") == delivered


async def test_the_tracking_adapter_reads_an_emulated_refusal():
    # The adapter never sends an empty code or key, so the refusal it can meet here is a
    # route the emulator does not serve.
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url=f"{BASE_URL}/v9") as http:
        with pytest.raises(Refused, match="Not Found") as refused:
            await CarrierTracking(http, "EZTK-demo").track("USPS", "X1DLV")
    assert refused.value.status == 404


# Shipments, labels and refunds, as EasyPost's

SHIPMENTS = "/v2/shipments"
JANE = {
    "name": "Jane Doe",
    "street1": "1 Main St",
    "city": "Cambridge",
    "state": "MA",
    "zip": "02139",
    "country": "US",
}
BOSTON = {
    "name": "Boston Fulfillment Center",
    "street1": "88 Black Falcon Ave",
    "city": "Boston",
    "state": "MA",
    "zip": "02210",
    "country": "US",
}
LONDON = {**JANE, "city": "London", "state": None, "zip": "SW1A 2AA", "country": "GB"}
COVENTRY = {**BOSTON, "city": "Coventry", "state": None, "zip": "CV3 4LA", "country": "GB"}


def shipment_body(**changes) -> dict:
    shipment = {
        "from_address": BOSTON,
        "to_address": JANE,
        "parcel": {"weight": 15.9},
        "reference": "shp-task-1",
        "options": {"label_format": "PDF"},
    }
    return {"shipment": {**shipment, **changes}}


async def created(http: httpx.AsyncClient, **changes) -> dict:
    response = await http.post(SHIPMENTS, json=shipment_body(**changes), auth=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


async def bought(http: httpx.AsyncClient, shipment: dict, service: str = "GroundAdvantage") -> dict:
    rate = next(r for r in shipment["rates"] if r["service"] == service)
    response = await http.post(
        f"{SHIPMENTS}/{shipment['id']}/buy", json={"rate": {"id": rate["id"]}}, auth=AUTH
    )
    assert response.status_code == 200, response.text
    return response.json()


async def ledger(http: httpx.AsyncClient, what: str) -> list[dict]:
    return (await http.get(f"http://emulators/_emulator/easypost/{what}")).json()[what]


async def test_a_shipment_is_rated_by_every_carrier_service_of_its_route(easypost):
    shipment = await created(easypost)
    assert shipment["id"].startswith("shp_") and len(shipment["id"]) == 36
    assert (shipment["object"], shipment["reference"], shipment["status"]) == (
        "Shipment",
        "shp-task-1",
        "unknown",
    )
    assert (shipment["selected_rate"], shipment["postage_label"], shipment["tracking_code"]) == (
        None,
        None,
        None,
    )
    services = {(r["carrier"], r["service"]) for r in shipment["rates"]}
    assert {("USPS", "GroundAdvantage"), ("UPS", "Ground"), ("FedEx", "FEDEX_2_DAY")} <= services
    assert all(
        r["currency"] == "USD" and r["shipment_id"] == shipment["id"] for r in shipment["rates"]
    )
    uk = await created(easypost, from_address=COVENTRY, to_address=LONDON)
    assert {r["carrier"] for r in uk["rates"]} == {"RoyalMail", "DPDUK"}
    assert {r["currency"] for r in uk["rates"]} == {"GBP"}


async def test_the_same_request_is_rated_the_same_and_a_heavier_parcel_dearer(easypost):
    def prices(shipment: dict) -> dict:
        return {(r["carrier"], r["service"]): r["rate"] for r in shipment["rates"]}

    first, again = await created(easypost), await created(easypost)
    assert first["id"] != again["id"] and prices(first) == prices(again)
    heavy = prices(await created(easypost, parcel={"weight": 80}))
    assert all(float(heavy[k]) > float(v) for k, v in prices(first).items())


async def test_a_return_shipment_swaps_the_two_addresses_as_easypost_does(easypost):
    shipment = await created(easypost, is_return=True)
    assert shipment["is_return"] is True
    assert (shipment["from_address"]["name"], shipment["to_address"]["name"]) == (
        "Jane Doe",
        "Boston Fulfillment Center",
    )


async def test_a_label_is_bought_once_with_the_carriers_tracking_code_and_a_pdf(easypost):
    shipment = await bought(easypost, await created(easypost))
    assert shipment["selected_rate"]["service"] == "GroundAdvantage"
    code = shipment["tracking_code"]
    assert code.startswith("9400") and len(code) == 22 and code.isdigit()
    label = shipment["postage_label"]
    assert (label["label_size"], label["label_file_type"]) == ("4x6", "application/pdf")
    pdf = await easypost.get(label["label_url"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    again = await easypost.post(
        f"{SHIPMENTS}/{shipment['id']}/buy",
        json={"rate": {"id": shipment["rates"][0]["id"]}},
        auth=AUTH,
    )
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "SHIPMENT.POSTAGE.EXISTS"
    (entry,) = await ledger(easypost, "labels")
    assert (entry["shipment_id"], entry["tracking_code"], entry["refund_status"]) == (
        shipment["id"],
        code,
        None,
    )


@pytest.mark.parametrize(
    ("carrier", "service", "looks_like"),
    [
        ("UPS", "Ground", r"^1Z[A-Z0-9]{6}\d{10}$"),
        ("FedEx", "FEDEX_2_DAY", r"^\d{12}$"),
    ],
)
async def test_tracking_codes_are_in_each_carriers_format(easypost, carrier, service, looks_like):
    shipment = await bought(easypost, await created(easypost), service)
    assert shipment["selected_rate"]["carrier"] == carrier
    assert re.match(looks_like, shipment["tracking_code"])


async def test_a_royal_mail_code_is_an_s10_number_with_its_check_digit(easypost):
    uk = await created(easypost, from_address=COVENTRY, to_address=LONDON)
    code = (await bought(easypost, uk, "Tracked48"))["tracking_code"]
    assert re.match(r"^TT\d{9}GB$", code)
    total = sum(int(d) * w for d, w in zip(code[2:10], (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    assert int(code[10]) == {10: 0, 11: 5}.get(11 - total % 11, 11 - total % 11)


async def test_a_shipment_is_read_back_by_its_id_or_its_reference(easypost):
    older = await created(easypost)
    newer = await bought(easypost, await created(easypost))
    by_id = await easypost.get(f"{SHIPMENTS}/{older['id']}", auth=AUTH)
    assert by_id.json()["id"] == older["id"]
    by_reference = await easypost.get(f"{SHIPMENTS}/shp-task-1", auth=AUTH)
    assert by_reference.json()["tracking_code"] == newer["tracking_code"]
    missing = await easypost.get(f"{SHIPMENTS}/shp_nothing", auth=AUTH)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


async def test_an_unused_label_is_refunded_once(easypost):
    shipment = await bought(easypost, await created(easypost))
    refunded = await easypost.post(f"{SHIPMENTS}/{shipment['id']}/refund", auth=AUTH)
    assert refunded.status_code == 200 and refunded.json()["refund_status"] == "submitted"
    twice = await easypost.post(f"{SHIPMENTS}/{shipment['id']}/refund", auth=AUTH)
    assert twice.status_code == 422
    never_bought = await created(easypost)
    refused = await easypost.post(f"{SHIPMENTS}/{never_bought['id']}/refund", auth=AUTH)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "SHIPMENT.REFUND.UNAVAILABLE"
    (entry,) = await ledger(easypost, "labels")
    assert entry["refund_status"] == "submitted"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"shipment": {}}, "PARAMETER.REQUIRED", "shipment.to_address"),
        (shipment_body(parcel={"weight": 0}), "PARAMETER.INVALID", "shipment.parcel.weight"),
        (
            shipment_body(to_address={**JANE, "country": "USA"}),
            "PARAMETER.INVALID",
            "shipment.to_address.country",
        ),
        (
            shipment_body(parcel={"weight": 15.9, "length": 8.0, "width": 4.0}),
            "PARAMETER.INVALID",
            "shipment.parcel",
        ),
        (
            shipment_body(parcel={"weight": 15.9, "length": 8.0, "width": 4.0, "height": 0}),
            "PARAMETER.INVALID",
            "shipment.parcel.height",
        ),
    ],
)
async def test_an_invalid_shipment_is_refused_naming_the_field(easypost, body, code, field):
    response = await easypost.post(SHIPMENTS, json=body, auth=AUTH)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["errors"][0]["field"]) == (code, field)


async def test_a_parcels_size_is_kept_and_shown_with_its_label_in_the_ledger(easypost):
    parcel = {"weight": 44.1, "length": 8.7, "width": 5.6, "height": 4.4}
    shipment = await bought(easypost, await created(easypost, parcel=parcel))
    assert {side: shipment["parcel"][side] for side in parcel} == parcel
    (entry,) = [e for e in await ledger(easypost, "labels") if e["shipment_id"] == shipment["id"]]
    assert (entry["parcel"], entry["customs_items"]) == (parcel, [])
    unmeasured = await bought(easypost, await created(easypost))
    (entry,) = [e for e in await ledger(easypost, "labels") if e["shipment_id"] == unmeasured["id"]]
    assert entry["parcel"] == {"weight": 15.9, "length": None, "width": None, "height": None}


async def test_a_shipment_call_without_an_api_key_is_unauthorized(easypost):
    response = await easypost.post(SHIPMENTS, json=shipment_body())
    assert response.status_code == 401 and response.json()["error"]["code"] == "APIKEY.REQUIRED"


async def test_a_carriers_rating_fails_on_demand_with_easyposts_rate_error(easypost):
    failing = {"message": "USPS is not answering"}
    put = await easypost.put("http://emulators/_emulator/easypost/rate-errors/USPS", json=failing)
    assert put.status_code == 204
    shipment = await created(easypost)
    assert "USPS" not in {r["carrier"] for r in shipment["rates"]}
    assert shipment["messages"] == [
        {"carrier": "USPS", "type": "rate_error", "message": "USPS is not answering"}
    ]
    await easypost.delete("http://emulators/_emulator/easypost/rate-errors/USPS")
    assert "USPS" in {r["carrier"] for r in (await created(easypost))["rates"]}


# Pickups

PICKUPS = "/v2/pickups"


def pickup_body(shipment_id: str, **changes) -> dict:
    pickup = {
        "address": JANE,
        "shipment": {"id": shipment_id},
        "reference": "RMA-1@2026-11-24T0900-1300",
        "min_datetime": "2026-11-24T14:00:00Z",
        "max_datetime": "2026-11-24T18:00:00Z",
        "instructions": "Return RMA-1",
    }
    return {"pickup": {**pickup, **changes}}


async def test_a_pickup_is_rated_bought_with_a_confirmation_and_cancelled(easypost):
    shipment = await bought(easypost, await created(easypost, is_return=True))
    made = await easypost.post(PICKUPS, json=pickup_body(shipment["id"]), auth=AUTH)
    assert made.status_code == 200
    pickup = made.json()
    assert (pickup["status"], pickup["confirmation"]) == ("unknown", None)
    assert [(r["carrier"], r["service"], r["rate"]) for r in pickup["pickup_rates"]] == [
        ("USPS", "NextDay", "0.00")
    ]
    path = f"{PICKUPS}/{pickup['id']}"
    scheduled = await easypost.post(
        f"{path}/buy", json={"carrier": "USPS", "service": "NextDay"}, auth=AUTH
    )
    assert scheduled.json()["status"] == "scheduled"
    assert re.match(r"^WTC\d{8}$", scheduled.json()["confirmation"])
    again = await easypost.post(
        f"{path}/buy", json={"carrier": "USPS", "service": "NextDay"}, auth=AUTH
    )
    assert again.status_code == 422
    assert (await easypost.get(f"{PICKUPS}/RMA-1@2026-11-24T0900-1300", auth=AUTH)).json()[
        "id"
    ] == pickup["id"]
    for _ in range(2):
        cancelled = await easypost.post(f"{path}/cancel", auth=AUTH)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "canceled"
    (entry,) = await ledger(easypost, "pickups")
    assert (entry["pickup_id"], entry["status"], entry["shipment_id"]) == (
        pickup["id"],
        "canceled",
        shipment["id"],
    )


async def test_a_pickup_needs_a_bought_shipment_and_a_window_that_ends_after_it_starts(easypost):
    unbought = await created(easypost)
    refused = await easypost.post(PICKUPS, json=pickup_body(unbought["id"]), auth=AUTH)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "PICKUP.SHIPMENT.INVALID"
    shipment = await bought(easypost, await created(easypost))
    backwards = pickup_body(shipment["id"], max_datetime="2026-11-24T10:00:00Z")
    response = await easypost.post(PICKUPS, json=backwards, auth=AUTH)
    assert response.status_code == 422
    assert response.json()["error"]["errors"][0]["field"] == "pickup.max_datetime"
    made = (await easypost.post(PICKUPS, json=pickup_body(shipment["id"]), auth=AUTH)).json()
    wrong = await easypost.post(
        f"{PICKUPS}/{made['id']}/buy", json={"carrier": "UPS", "service": "Pickup"}, auth=AUTH
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "PICKUP.RATE.INVALID"
    assert await ledger(easypost, "pickups") == []


async def test_the_shipment_api_fails_on_demand_like_the_trackers(easypost):
    await easypost.put("http://emulators/_emulator/faults/easypost", json={"outage_seconds": 30})
    down = await easypost.post(SHIPMENTS, json=shipment_body(), auth=AUTH)
    assert down.status_code == 503 and int(down.headers["Retry-After"]) > 0
    assert await ledger(easypost, "labels") == []


MISSISSAUGA = {**BOSTON, "city": "Mississauga", "state": "ON", "zip": "L5T 1Y3", "country": "CA"}
CUSTOMS = {
    "contents_type": "merchandise",
    "customs_certify": True,
    "customs_signer": "Mississauga Fulfilment Centre",
    "customs_items": [{"description": "Speaker", "quantity": 1, "value": "49.99"}],
}


async def test_a_label_across_a_customs_border_needs_its_customs_info(easypost):
    bare = await created(easypost, from_address=MISSISSAUGA)
    rate = bare["rates"][0]
    refused = await easypost.post(
        f"{SHIPMENTS}/{bare['id']}/buy", json={"rate": {"id": rate["id"]}}, auth=AUTH
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "SHIPMENT.POSTAGE.FAILURE"
    declared = await created(easypost, from_address=MISSISSAUGA, customs_info=CUSTOMS)
    assert declared["customs_info"] == CUSTOMS
    assert (await bought(easypost, declared, "ExpeditedParcelUSA"))["tracking_code"].isdigit()
