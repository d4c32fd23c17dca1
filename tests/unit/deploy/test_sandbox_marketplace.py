"""The sandbox marketplace refund and tracker APIs, through the ASGI transport, end to end."""

from datetime import UTC, datetime

import httpx
import pytest

from deploy import sandbox_marketplace
from services.resolution.adapters.carrier_tracking import CarrierTracking
from services.resolution.adapters.marketplace_refunds import (
    MarketplaceRefunds,
    RefundReceipt,
    RefundRequest,
)
from services.resolution.domain.tracing import ParcelStatus
from shared.outbound import Refused

PATH = "/v1/refunds"
KEY = "case-51c0de:return_full_refund"
BODY = {
    "case_id": "case-51c0de",
    "marketplace": "walmart",
    "seller_account": "home-goods-us",
    "order_id": "108829372641001",
    "return_id": "77823004",
    "amount": {"minor": 4999, "currency": "USD"},
    "reason": "return_full_refund",
}


@pytest.fixture
async def http():
    transport = httpx.ASGITransport(app=sandbox_marketplace.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        yield http


async def pay(http: httpx.AsyncClient, body: dict = BODY, key: str = KEY) -> httpx.Response:
    return await http.post(PATH, json=body, headers={"Idempotency-Key": key})


async def paid(http: httpx.AsyncClient) -> list[dict]:
    return (await http.get(PATH)).json()["refunds"]


# The protocol


async def test_a_new_refund_is_paid_and_named(http):
    response = await pay(http)
    assert response.status_code == 201
    assert response.json() == {"refund_id": "sandbox-re-000001", "idempotency_key": KEY, **BODY}


async def test_the_same_key_and_body_replays_the_refund_and_pays_once(http):
    first = await pay(http)
    again = await pay(http)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert len(await paid(http)) == 1


async def test_the_same_key_with_another_body_is_refused_with_a_reason(http):
    await pay(http)
    response = await pay(http, {**BODY, "amount": {"minor": 1, "currency": "USD"}})
    assert response.status_code == 422
    assert "sandbox-re-000001 with another body" in response.json()["detail"]
    assert [refund["amount"]["minor"] for refund in await paid(http)] == [4999]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({**BODY, "amount": {"minor": 0, "currency": "USD"}}, "amount.minor"),
        ({**BODY, "amount": {"minor": "4999", "currency": "USD"}}, "amount.minor"),
        ({**BODY, "amount": {"minor": 4999, "currency": "usd"}}, "amount.currency"),
        ({key: value for key, value in BODY.items() if key != "order_id"}, "order_id"),
        ({**BODY, "refund_to": "card"}, "refund_to"),
    ],
)
async def test_an_invalid_body_is_refused_with_a_reason(http, body, reason):
    response = await pay(http, body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"invalid refund: {reason}")
    assert await paid(http) == []


async def test_a_body_that_is_not_json_is_refused(http):
    response = await http.post(PATH, content=b"refund!", headers={"Idempotency-Key": KEY})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid refund")


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": " "}, {"Idempotency-Key": "k" * 256}])
async def test_a_refund_without_a_usable_key_is_refused(http, headers):
    response = await http.post(PATH, json=BODY, headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]


async def test_the_listing_shows_every_refund_paid_in_order(http):
    await pay(http)
    await pay(http, {**BODY, "reason": "partial_refund"}, key="case-51c0de:partial_refund")
    assert [refund["idempotency_key"] for refund in await paid(http)] == [
        KEY,
        "case-51c0de:partial_refund",
    ]


async def test_each_app_starts_with_nothing_paid():
    transport = httpx.ASGITransport(app=sandbox_marketplace.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        assert await paid(http) == []


# MarketplaceRefunds against the sandbox

REFUND = RefundRequest(
    refund_id=KEY,
    case_id="case-51c0de",
    marketplace="walmart",
    seller_account="home-goods-us",
    order_id="108829372641001",
    return_id="77823004",
    amount_minor=4999,
    currency="USD",
    reason="return_full_refund",
)


async def test_the_adapter_pays_once_through_the_sandbox(http):
    refunds = MarketplaceRefunds(http)
    first = await refunds.issue(REFUND)
    again = await refunds.issue(REFUND)
    assert first == RefundReceipt(KEY, "sandbox-re-000001", replayed=False)
    assert again == RefundReceipt(KEY, "sandbox-re-000001", replayed=True)
    assert await paid(http) == [{"refund_id": "sandbox-re-000001", "idempotency_key": KEY, **BODY}]


async def test_the_adapter_reads_the_sandboxs_refusals(http):
    refunds = MarketplaceRefunds(http)
    await refunds.issue(REFUND)
    changed = RefundRequest(**{**REFUND.__dict__, "amount_minor": 100})
    with pytest.raises(Refused, match="another body") as conflict:
        await refunds.issue(changed)
    assert conflict.value.status == 422
    lowercase = RefundRequest(**{**REFUND.__dict__, "refund_id": "other", "currency": "usd"})
    with pytest.raises(Refused, match="amount.currency"):
        await refunds.issue(lowercase)


# The tracker API, as EasyPost's

TRACKERS = "/v2/trackers"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
AUTH = ("EZTK-demo", "")


@pytest.fixture
async def easypost():
    transport = httpx.ASGITransport(app=sandbox_marketplace.create_app(now=lambda: NOW))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
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


# CarrierTracking against the sandbox


async def test_the_tracking_adapter_reads_each_fate_the_sandbox_offers(easypost):
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


async def test_the_tracking_adapter_reads_a_sandbox_refusal():
    # The adapter never sends an empty code or key, so the refusal it can meet here is a
    # route this sandbox does not serve.
    transport = httpx.ASGITransport(app=sandbox_marketplace.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v9") as http:
        with pytest.raises(Refused, match="Not Found") as refused:
            await CarrierTracking(http, "EZTK-demo").track("USPS", "X1DLV")
    assert refused.value.status == 404


# Running it


def test_main_serves_the_sandbox_quietly_on_the_given_address(monkeypatch):
    served = {}
    monkeypatch.setattr(
        sandbox_marketplace.uvicorn, "run", lambda app, **options: served.update(options)
    )
    sandbox_marketplace.main(["--port", "8123"])
    assert served == {"host": "127.0.0.1", "port": 8123, "log_level": "warning"}
