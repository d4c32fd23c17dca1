"""`CarrierTracking.track` against a local fake of EasyPost's Tracker API (pytest-httpserver)."""

import base64
import json
import threading
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.resolution.adapters.carrier_tracking import CarrierTracking
from services.resolution.domain.tracing import ParcelStatus
from shared.outbound import Refused, Unavailable

PATH = "/v2/trackers"
API_KEY = "EZTK-test-key"
CLIENT_TIMEOUT = 0.5
CODE = "9400110898825022579493"

DELIVERED = {
    "id": "trk_1",
    "object": "Tracker",
    "tracking_code": CODE,
    "carrier": "USPS",
    "status": "delivered",
    "est_delivery_date": "2026-11-19T00:00:00Z",
    "tracking_details": [
        {"status": "pre_transit", "datetime": "2026-11-16T09:00:00Z", "message": "Label created"},
        {"status": "in_transit", "datetime": "2026-11-17T18:30:00Z", "message": "Departed"},
        {"status": "delivered", "datetime": "2026-11-20T14:05:00Z", "message": "Delivered"},
    ],
}
IN_TRANSIT = {
    **DELIVERED,
    "status": "in_transit",
    "est_delivery_date": "2026-11-22T00:00:00+01:00",
    "tracking_details": DELIVERED["tracking_details"][:2],
}


class FakeEasyPost:
    """One tracker per code, as EasyPost keeps them: a repeat creation returns it."""

    def __init__(self) -> None:
        self.trackers: dict[str, dict] = {}
        self.lock = threading.Lock()  # the fake server is threaded

    def __call__(self, request: Request) -> Response:
        asked = request.get_json()["tracker"]
        with self.lock:
            if asked["tracking_code"] not in self.trackers:
                self.trackers[asked["tracking_code"]] = {
                    **IN_TRANSIT,
                    "id": f"trk_{len(self.trackers) + 1}",
                    "tracking_code": asked["tracking_code"],
                    "carrier": asked["carrier"],
                }
            return json_response(self.trackers[asked["tracking_code"]], 200)


def json_response(body: dict, status: int, **headers: str) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def answer(httpserver: HTTPServer, body: dict | str, status: int = 200, **headers: str) -> None:
    handler = httpserver.expect_request(PATH, method="POST")
    if isinstance(body, str):
        handler.respond_with_data(body, status=status, headers=headers)
    else:
        handler.respond_with_json(body, status=status, headers=headers)


@pytest.fixture
async def tracking(httpserver):
    async with httpx.AsyncClient(base_url=httpserver.url_for("/"), timeout=CLIENT_TIMEOUT) as http:
        yield CarrierTracking(http, API_KEY)


# Where the parcel is


async def test_a_delivered_parcel_is_dated_by_its_delivered_scan(tracking, httpserver):
    answer(httpserver, DELIVERED)
    assert await tracking.track("USPS", CODE) == ParcelStatus(
        carrier="USPS",
        tracking_number=CODE,
        status="delivered",
        delivered_at=datetime(2026, 11, 20, 14, 5, tzinfo=UTC),
        estimated_delivery=datetime(2026, 11, 19, tzinfo=UTC),
        last_event="Delivered",
    )


async def test_the_latest_delivered_scan_counts_whatever_the_order(tracking, httpserver):
    details = [
        {"status": "delivered", "datetime": "2026-11-21T08:00:00Z", "message": "Redelivered"},
        {"status": "delivered", "datetime": "2026-11-20T14:05:00Z", "message": "Delivered"},
        {"status": "in_transit", "datetime": "2026-11-17T18:30:00Z", "message": "Departed"},
    ]
    answer(httpserver, {**DELIVERED, "tracking_details": details})
    parcel = await tracking.track("USPS", CODE)
    assert parcel.delivered_at == datetime(2026, 11, 21, 8, tzinfo=UTC)
    assert parcel.last_event == "Redelivered"


async def test_a_parcel_in_transit_has_its_estimate_in_utc(tracking, httpserver):
    answer(httpserver, IN_TRANSIT)
    parcel = await tracking.track("USPS", CODE)
    assert parcel.status == "in_transit"
    assert parcel.delivered_at is None
    assert parcel.estimated_delivery == datetime(2026, 11, 21, 23, tzinfo=UTC)
    assert parcel.estimated_delivery.tzinfo is UTC
    assert parcel.last_event == "Departed"


async def test_a_tracker_without_scans_or_estimate(tracking, httpserver):
    answer(httpserver, {"status": "pre_transit", "tracking_details": [], "est_delivery_date": None})
    parcel = await tracking.track("UPS", "1Z999AA10123456784")
    assert parcel == ParcelStatus("UPS", "1Z999AA10123456784", "pre_transit", None, None, "")


async def test_a_status_easypost_adds_later_reads_as_unknown(tracking, httpserver):
    answer(httpserver, {**IN_TRANSIT, "status": "held_at_customs"})
    assert (await tracking.track("USPS", CODE)).status == "unknown"


async def test_the_call_sends_the_tracker_with_basic_auth(tracking, httpserver):
    answer(httpserver, IN_TRANSIT)
    await tracking.track("USPS", CODE)
    (request, _), *_ = httpserver.log
    expected = base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.get_json() == {"tracker": {"tracking_code": CODE, "carrier": "USPS"}}


async def test_asking_again_gets_the_same_tracker(tracking, httpserver):
    fake = FakeEasyPost()
    httpserver.expect_request(PATH, method="POST").respond_with_handler(fake)
    first = await tracking.track("USPS", CODE)
    again = await tracking.track("USPS", CODE)
    assert first == again
    assert len(fake.trackers) == 1


def test_a_tracker_needs_an_api_key():
    with pytest.raises(ValueError):
        CarrierTracking(httpx.AsyncClient(), " ")


async def test_a_parcel_needs_a_tracking_number(tracking):
    with pytest.raises(ValueError):
        await tracking.track("USPS", " ")


# Not yet known: ask again later


@pytest.mark.parametrize("status", [408, 425, 500, 502, 503])
async def test_a_transient_status_is_not_yet_known(tracking, httpserver, status):
    answer(httpserver, "try later", status)
    with pytest.raises(Unavailable) as failure:
        await tracking.track("USPS", CODE)
    assert (failure.value.status, failure.value.retry_after) == (status, None)


async def test_a_429_says_when_to_ask_again(tracking, httpserver):
    error = {"error": {"code": "RATE_LIMITED", "message": "Slow down"}}
    answer(httpserver, error, 429, **{"Retry-After": "12"})
    with pytest.raises(Unavailable) as throttled:
        await tracking.track("USPS", CODE)
    assert (throttled.value.status, throttled.value.retry_after) == (429, 12.0)


async def test_no_answer_in_time_is_not_yet_known(tracking, httpserver):
    answered = threading.Event()

    def slow(request: Request) -> Response:
        answered.wait(timeout=5)
        return json_response(IN_TRANSIT, 200)

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await tracking.track("USPS", CODE)
    answered.set()


async def test_an_unreachable_easypost_is_not_yet_known():
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=CLIENT_TIMEOUT) as http:
        with pytest.raises(Unavailable, match="unreachable"):
            await CarrierTracking(http, API_KEY).track("USPS", CODE)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"id": "trk_1"},
        {"status": ""},
        {"status": "delivered", "tracking_details": "none"},
        {"status": "delivered", "est_delivery_date": "soon"},
    ],
)
async def test_a_malformed_tracker_is_not_yet_known(tracking, httpserver, body):
    answer(httpserver, body)
    with pytest.raises(Unavailable, match="not the documented resource") as failure:
        await tracking.track("USPS", CODE)
    assert failure.value.status == 200


# Refused: never as asked


async def test_a_bad_key_is_refused_with_easyposts_message(tracking, httpserver):
    error = {"error": {"code": "APIKEY.INACTIVE", "message": "This api key is no longer active."}}
    answer(httpserver, error, 401)
    with pytest.raises(Refused, match="no longer active") as refused:
        await tracking.track("USPS", CODE)
    assert (refused.value.status, refused.value.code) == (401, "APIKEY.INACTIVE")
    assert (
        refused.value.reason
        == f"answered 401 for tracker {CODE}: This api key is no longer active."
    )


@pytest.mark.parametrize("status", [403, 404, 422])
async def test_an_unknown_carrier_or_code_is_refused_with_easyposts_message(
    tracking, httpserver, status
):
    message = "Invalid tracking code for carrier USPS."
    answer(
        httpserver, {"error": {"code": "TRACKER.TRACKING_CODE.INVALID", "message": message}}, status
    )
    with pytest.raises(Refused) as refused:
        await tracking.track("USPS", "12")
    assert refused.value.status == status
    assert refused.value.reason == f"answered {status} for tracker 12: {message}"


async def test_a_refusal_without_easyposts_error_gives_the_start_of_its_body(tracking, httpserver):
    answer(httpserver, "carrier not enabled on this account", 400)
    with pytest.raises(Refused, match="carrier not enabled") as refused:
        await tracking.track("DHLExpress", CODE)
    assert refused.value.code is None
