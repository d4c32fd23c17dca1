"""The project's refund protocol, emulated (`/refund-api`), through the ASGI transport, end
to end; and resolution's refund adapter against it."""

import httpx
import pytest

from deploy.emulators.app import create_app
from services.resolution.adapters.marketplace_refunds import (
    MarketplaceRefunds,
    RefundReceipt,
    RefundRequest,
)
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


BASE_URL = "http://emulators/refund-api"


@pytest.fixture
async def http():
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
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


async def test_one_key_is_looked_up_for_a_read_back(http):
    await pay(http)
    await pay(http, {**BODY, "case_id": "case-other"}, key="another-key")
    found = (await http.get(PATH, params={"idempotency_key": KEY})).json()["refunds"]
    assert [(each["idempotency_key"], each["case_id"]) for each in found] == [(KEY, "case-51c0de")]
    unknown = await http.get(PATH, params={"idempotency_key": "never-paid"})
    assert (unknown.status_code, unknown.json()) == (200, {"refunds": []})


async def test_each_app_starts_with_nothing_paid():
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
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


# The seller's orders


async def test_an_order_is_found_by_its_number_and_nothing_else_is(http):
    found = (await http.get("/v1/orders", params={"number": "20261204"})).json()["orders"]
    assert [order["number"] for order in found] == ["20261204"]
    assert found[0]["order_id"] == "G-20261204" and found[0]["lines"]
    assert found == (await http.get("/v1/orders", params={"number": "20261204"})).json()["orders"]
    for number in ("12", "abc1234", "1" * 13, "١٢٣٤٥", ""):
        answer = await http.get("/v1/orders", params={"number": number})
        assert answer.status_code == 200 and answer.json() == {"orders": []}
