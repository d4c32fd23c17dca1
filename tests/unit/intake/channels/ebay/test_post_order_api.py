"""The Post-Order calls that act on a return (`post_order_api.py`): the documented requests
(to a fake that records them), and eBay's answers read right (the emulator, and a fake for
the answers the emulator never gives)."""

import json
from decimal import Decimal

import httpx
import pytest
from pytest_httpserver import HTTPServer

from services.intake.channels.ebay import post_order_api
from shared.outbound import Refused, Unavailable
from tests.unit.intake.channels.ebay.conftest import BASE_URL, held

TOKEN = "v^1.1#i^1#p^3#r^1#user"
REFUND_PATH = "/post-order/v2/return/5212345678/issue_refund"


async def refund(server_url: str, amount: Decimal = Decimal("19.95")) -> str:
    async with httpx.AsyncClient(timeout=2) as http:
        return await post_order_api.issue_refund(
            http, server_url, TOKEN, "5212345678", amount, "GBP", "Refund.", "EBAY_GB"
        )


async def test_a_refund_is_the_purchase_price_itemized_and_in_total(httpserver: HTTPServer):
    httpserver.expect_request(
        REFUND_PATH,
        method="POST",
        headers={"Authorization": f"IAF {TOKEN}", "X-EBAY-C-MARKETPLACE-ID": "EBAY_GB"},
    ).respond_with_json({"refundStatus": "SUCCESS"})
    assert await refund(httpserver.url_for("")) == "SUCCESS"
    [(request, _)] = httpserver.log
    money = {"value": 19.95, "currency": "GBP"}
    assert json.loads(request.get_data()) == {
        "comments": {"content": "Refund."},
        "refundDetail": {
            "itemizedRefundDetail": [{"refundAmount": money, "refundFeeType": "PURCHASE_PRICE"}],
            "totalAmount": money,
        },
    }


async def test_a_pending_refund_is_made_a_failed_one_refused(httpserver: HTTPServer):
    httpserver.expect_oneshot_request(REFUND_PATH).respond_with_json({"refundStatus": "PENDING"})
    assert await refund(httpserver.url_for("")) == "PENDING"
    httpserver.expect_oneshot_request(REFUND_PATH).respond_with_json({"refundStatus": "FAILED"})
    with pytest.raises(Refused, match="refundStatus FAILED"):
        await refund(httpserver.url_for(""))


async def test_a_refund_answer_that_cannot_be_read_may_have_paid(httpserver: HTTPServer):
    httpserver.expect_request(REFUND_PATH).respond_with_data("<html>ok</html>", status=200)
    with pytest.raises(Unavailable, match="not the documented resource"):
        await refund(httpserver.url_for(""))


async def test_ebays_error_list_gives_the_code_and_the_message(httpserver: HTTPServer):
    error = {"error": [{"errorId": 1601, "message": "A refund was already issued."}]}
    httpserver.expect_request(REFUND_PATH).respond_with_json(error, status=400)
    with pytest.raises(Refused, match="A refund was already issued") as refused:
        await refund(httpserver.url_for(""))
    assert (refused.value.status, refused.value.code) == (400, "1601")


async def test_throttling_says_when_to_try_again(httpserver: HTTPServer):
    httpserver.expect_request(REFUND_PATH).respond_with_json(
        {"errors": [{"errorId": 2001, "message": "Too many requests."}]},
        status=429,
        headers={"Retry-After": "30"},
    )
    with pytest.raises(Unavailable) as later:
        await refund(httpserver.url_for(""))
    assert later.value.retry_after == 30


async def test_a_decision_and_a_receipt_are_posted_as_documented(httpserver: HTTPServer):
    httpserver.expect_request("/post-order/v2/return/77/decide").respond_with_json({})
    httpserver.expect_request("/post-order/v2/return/77/mark_as_received").respond_with_json({})
    async with httpx.AsyncClient(timeout=2) as http:
        base = httpserver.url_for("")
        await post_order_api.decide(http, base, TOKEN, "77", "APPROVE", "Approved.")
        await post_order_api.mark_as_received(http, base, TOKEN, "77", "Arrived.")
    decided, received = (json.loads(request.get_data()) for request, _ in httpserver.log)
    assert decided == {"decision": "APPROVE", "comments": {"content": "Approved."}}
    assert received == {"comments": {"content": "Arrived."}}


async def user_token(http: httpx.AsyncClient) -> str:
    form = {"grant_type": "refresh_token", "refresh_token": "r"}
    answer = await http.post(
        "/ebay/identity/v1/oauth2/token", data=form, auth=("LumaHome-App", "cert")
    )
    return answer.json()["access_token"]


async def test_against_the_emulator_a_return_is_refunded_approved_and_searched(http):
    token = await user_token(http)
    found = await held(http, "5800000001", state="RETURN_REQUESTED")
    price = found["detail"]["itemDetail"]["itemPrice"]
    site = found["detail"]["marketplaceId"]
    await post_order_api.decide(http, BASE_URL, token, "5800000001", "APPROVE", "Ok.", site)
    status = await post_order_api.issue_refund(
        http, BASE_URL, token, "5800000001", Decimal("1.00"), price["currency"], "Part.", site
    )
    assert status == "SUCCESS"
    read = await post_order_api.read_return(http, BASE_URL, token, "5800000001", site)
    assert read.summary.state == "LESS_THAN_A_FULL_REFUND_ISSUED"
    assert read.detail.refund_info.actual_refund_detail.actual_refund.total_amount.value == 1
    assert await post_order_api.search_returns(http, BASE_URL, token) == 1
    with pytest.raises(Refused) as refused:
        await post_order_api.decide(http, BASE_URL, token, "5800000001", "APPROVE", "Ok.", site)
    assert refused.value.status == 400 and refused.value.code


async def test_a_refused_token_is_named_by_ebays_error_id_never_quoted(httpserver: HTTPServer):
    said = {"errors": [{"errorId": 1003, "message": f"Token type is invalid:{TOKEN[:12]}"}]}
    httpserver.expect_request("/post-order/v2/return/77").respond_with_json(said, status=401)
    async with httpx.AsyncClient(timeout=2) as http:
        with pytest.raises(Refused) as refused:
            await post_order_api.read_return(http, httpserver.url_for(""), TOKEN, "77")
    assert (refused.value.status, refused.value.code) == (401, "1003")
    assert TOKEN[:12] not in str(refused.value)
