"""EasyPost's Tracker API, emulated (`/easypost`), through the ASGI transport; and resolution's
tracking adapter against it."""

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
