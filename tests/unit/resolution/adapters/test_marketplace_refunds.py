"""`MarketplaceRefunds.issue` against a local fake marketplace refund API (pytest-httpserver).

The fake keeps refunds by idempotency key, as the protocol asks, and counts the money it
paid: whatever fails in between, a buyer is paid once.
"""

import json
import threading

import httpx
import jwt
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.resolution.adapters.marketplace_refunds import (
    MarketplaceRefunds,
    RefundReceipt,
    RefundRequest,
)
from shared.identity import service_client
from shared.outbound import Refused, Unavailable
from shared.settings import ServiceSettings
from tests.factories import SERVICE_SECRET

PATH = "/v1/refunds"
CLIENT_TIMEOUT = 0.5

REFUND = RefundRequest(
    refund_id="case-7f3a91:partial_refund",
    case_id="case-7f3a91",
    marketplace="shopify",
    seller_account="linen-home",
    order_id="625362839",
    return_id=None,
    amount_minor=315,
    currency="GBP",
    reason="partial_refund",
)


class FakeMarketplace:
    """Pays once per idempotency key; `lost_answers` first answers are a 500 after paying."""

    def __init__(self, lost_answers: int = 0) -> None:
        self.refunds: dict[str, tuple[dict, dict]] = {}
        self.paid_minor = 0
        self.lost_answers = lost_answers
        self.lock = threading.Lock()  # the fake server is threaded

    def __call__(self, request: Request) -> Response:
        key, body = request.headers["Idempotency-Key"], request.get_json()
        with self.lock:
            refund, status = self.pay(key, body)
            if refund is not None and self.lost_answers:
                self.lost_answers -= 1
                return Response("upstream timed out", status=500)
        return json_response(refund or {"detail": "key used with another body"}, status)

    def pay(self, key: str, body: dict) -> tuple[dict | None, int]:
        if key in self.refunds:
            known_body, refund = self.refunds[key]
            return (refund, 200) if known_body == body else (None, 422)
        refund = {"refund_id": f"mkt-re-{len(self.refunds) + 1}", **body}
        self.refunds[key] = (body, refund)
        self.paid_minor += body["amount"]["minor"]
        return refund, 201


def json_response(body: dict, status: int, **headers: str) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def serve(httpserver: HTTPServer, fake: FakeMarketplace) -> FakeMarketplace:
    httpserver.expect_request(PATH, method="POST").respond_with_handler(fake)
    return fake


def answer(httpserver: HTTPServer, body: dict | str, status: int, **headers: str) -> None:
    handler = httpserver.expect_request(PATH, method="POST")
    if isinstance(body, str):
        handler.respond_with_data(body, status=status, headers=headers)
    else:
        handler.respond_with_json(body, status=status, headers=headers)


@pytest.fixture
async def refunds(httpserver):
    async with httpx.AsyncClient(base_url=httpserver.url_for("/"), timeout=CLIENT_TIMEOUT) as http:
        yield MarketplaceRefunds(http)


# Paid once


async def test_a_new_refund_is_paid_and_named_by_the_marketplace(refunds, httpserver):
    fake = serve(httpserver, FakeMarketplace())
    receipt = await refunds.issue(REFUND)
    assert receipt == RefundReceipt(REFUND.refund_id, "mkt-re-1", replayed=False)
    assert fake.paid_minor == 315


async def test_the_call_carries_the_key_in_its_header_and_the_refund_in_its_body(
    refunds, httpserver
):
    serve(httpserver, FakeMarketplace())
    await refunds.issue(REFUND)
    (request, _), *_ = httpserver.log
    assert request.headers["Idempotency-Key"] == REFUND.refund_id
    assert request.get_json() == {
        "case_id": "case-7f3a91",
        "marketplace": "shopify",
        "seller_account": "linen-home",
        "order_id": "625362839",
        "return_id": None,
        "amount": {"minor": 315, "currency": "GBP"},
        "reason": "partial_refund",
    }


async def test_intake_is_called_with_resolution_s_own_token(httpserver, dev_issuer):
    serve(httpserver, FakeMarketplace())
    settings = ServiceSettings(
        auth_issuer=dev_issuer, service_client_secrets={"resolution": SERVICE_SECRET}
    )
    async with service_client(settings, "resolution", base_url=httpserver.url_for("/")) as http:
        await MarketplaceRefunds(http).issue(REFUND)
    ((called, _),) = httpserver.log
    token = called.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["sub"], claims["roles"]) == ("resolution", ["service"])
    assert claims["iss"] == dev_issuer
    assert called.headers["Idempotency-Key"] == REFUND.refund_id


async def test_a_retry_of_the_same_refund_is_replayed_and_paid_once(refunds, httpserver):
    fake = serve(httpserver, FakeMarketplace())
    first = await refunds.issue(REFUND)
    again = await refunds.issue(REFUND)
    assert again == RefundReceipt(REFUND.refund_id, first.marketplace_refund_id, replayed=True)
    assert fake.paid_minor == 315


async def test_a_lost_answer_is_retried_under_the_same_key_and_paid_once(refunds, httpserver):
    fake = serve(httpserver, FakeMarketplace(lost_answers=1))
    with pytest.raises(Unavailable) as lost:
        await refunds.issue(REFUND)
    assert lost.value.status == 500
    receipt = await refunds.issue(REFUND)
    assert receipt == RefundReceipt(REFUND.refund_id, "mkt-re-1", replayed=True)
    assert fake.paid_minor == 315


async def test_two_refunds_of_a_case_are_both_paid(refunds, httpserver):
    fake = serve(httpserver, FakeMarketplace())
    second = RefundRequest(**{**REFUND.__dict__, "refund_id": "case-7f3a91:return_full_refund"})
    await refunds.issue(REFUND)
    receipt = await refunds.issue(second)
    assert receipt.marketplace_refund_id == "mkt-re-2"
    assert fake.paid_minor == 630


# Not yet issued: retry with the same request


@pytest.mark.parametrize("status", [408, 425, 500, 502, 503])
async def test_a_transient_status_is_not_yet_issued(refunds, httpserver, status):
    answer(httpserver, "try later", status)
    with pytest.raises(Unavailable) as failure:
        await refunds.issue(REFUND)
    assert failure.value.status == status
    assert failure.value.retry_after is None


async def test_a_429_says_when_to_retry(refunds, httpserver):
    answer(httpserver, {"detail": "slow down"}, 429, **{"Retry-After": "7"})
    with pytest.raises(Unavailable) as throttled:
        await refunds.issue(REFUND)
    assert (throttled.value.status, throttled.value.retry_after) == (429, 7.0)


async def test_a_retry_after_date_is_read_as_seconds_from_now(refunds, httpserver):
    answer(httpserver, "down", 503, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    with pytest.raises(Unavailable) as down:
        await refunds.issue(REFUND)
    assert down.value.retry_after == 0.0  # a date already past: retry now


async def test_no_answer_in_time_is_not_yet_issued(refunds, httpserver):
    answered = threading.Event()

    def slow(request: Request) -> Response:
        answered.wait(timeout=5)
        return json_response({"refund_id": "mkt-re-1"}, 201)

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await refunds.issue(REFUND)
    answered.set()


async def test_an_unreachable_marketplace_is_not_yet_issued():
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=CLIENT_TIMEOUT) as http:
        with pytest.raises(Unavailable, match="unreachable"):
            await MarketplaceRefunds(http).issue(REFUND)


@pytest.mark.parametrize(
    ("status", "body"),
    [(201, {"status": "ok"}), (200, {"refund_id": ""}), (201, "not json"), (202, {})],
)
async def test_an_undocumented_success_is_not_yet_issued_for_the_same_key(
    refunds, httpserver, status, body
):
    # The money may have moved: a retry under the same key will say which refund it was.
    answer(httpserver, body, status)
    with pytest.raises(Unavailable, match="not the documented resource|not 201") as failure:
        await refunds.issue(REFUND)
    assert failure.value.status == status


# Refused: never as asked


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_a_refusing_status_is_refused_with_the_marketplaces_reason(
    refunds, httpserver, status
):
    answer(httpserver, {"detail": "order 625362839 was already refunded in full"}, status)
    with pytest.raises(Refused, match="already refunded in full") as refused:
        await refunds.issue(REFUND)
    assert refused.value.status == status
    assert refused.value.reason.endswith("order 625362839 was already refunded in full")


async def test_a_refusal_without_a_detail_gives_the_start_of_its_body(refunds, httpserver):
    answer(httpserver, "currency GBP not enabled for this seller", 400)
    with pytest.raises(Refused, match="currency GBP not enabled"):
        await refunds.issue(REFUND)


async def test_the_same_key_with_another_body_is_refused(refunds, httpserver):
    fake = serve(httpserver, FakeMarketplace())
    await refunds.issue(REFUND)
    changed = RefundRequest(**{**REFUND.__dict__, "amount_minor": 500})
    with pytest.raises(Refused, match="another body") as refused:
        await refunds.issue(changed)
    assert refused.value.status == 422
    assert fake.paid_minor == 315


# A request that could never be paid


@pytest.mark.parametrize("changes", [{"amount_minor": 0}, {"amount_minor": -5}, {"refund_id": " "}])
def test_a_refund_without_a_key_or_an_amount_is_a_caller_error(changes):
    with pytest.raises(ValueError):
        RefundRequest(**{**REFUND.__dict__, **changes})
