"""The one outbound-error vocabulary: which answers are worth a retry, and the other side's
reason when not."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pydantic import BaseModel

from shared.outbound import (
    Refused,
    Unavailable,
    answer_to,
    ensure_success,
    resource_of,
    retry_after_of,
)


def answer(status: int, body: str = "", **headers: str) -> httpx.Response:
    return httpx.Response(status, text=body, headers=headers)


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_throttled_slow_or_down_is_unavailable(status):
    with pytest.raises(Unavailable) as failed:
        ensure_success(answer(status, "busy", **{"Retry-After": "7"}), "Shopify", "order 1")
    assert (failed.value.status, failed.value.retry_after) == (status, 7.0)
    assert failed.value.system == "Shopify"
    assert str(failed.value) == f"Shopify: answered {status} for order 1: busy; try again later"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_any_other_refusal_carries_the_other_sides_reason(status):
    with pytest.raises(Refused) as refused:
        ensure_success(answer(status, "no such order"), "Shopify", "order 1")
    assert refused.value.reason == f"answered {status} for order 1: no such order"
    assert (refused.value.status, refused.value.code) == (status, None)


def test_a_reader_of_error_bodies_gives_the_code_and_the_words():
    def easypost(response: httpx.Response) -> tuple[str | None, str]:
        error = response.json()["error"]
        return error["code"], error["message"]

    body = '{"error": {"code": "TRACKER.CODE.INVALID", "message": "Invalid code"}}'
    with pytest.raises(Refused) as refused:
        ensure_success(answer(422, body), "EasyPost", "tracker 9", easypost)
    assert refused.value.code == "TRACKER.CODE.INVALID"
    assert refused.value.reason == "answered 422 for tracker 9: Invalid code"


def test_success_passes():
    ensure_success(answer(201, "{}"), "refund API", "refund r-1")


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry_after_of(answer(429, **{"Retry-After": "120"})) == 120.0
    assert retry_after_of(answer(429, **{"Retry-After": "-3"})) == 0.0
    later = datetime.now(UTC) + timedelta(seconds=90)
    seconds = retry_after_of(answer(503, **{"Retry-After": format_datetime(later, usegmt=True)}))
    assert 85 <= seconds <= 90
    assert retry_after_of(answer(503, **{"Retry-After": "soon"})) is None
    assert retry_after_of(answer(503)) is None


class Order(BaseModel):
    id: int


def test_a_body_that_is_not_the_documented_resource_is_refused_or_unavailable():
    assert resource_of(Order, answer(200, '{"id": 4}'), "Shopify", "order 4") == Order(id=4)
    with pytest.raises(Refused, match="not the documented resource: id: Field required"):
        resource_of(Order, answer(200, "{}"), "Shopify", "order 4")
    with pytest.raises(Unavailable):  # where the call may have taken effect: retry, same key
        resource_of(Order, answer(200, "{}"), "refund API", "refund 1", unreadable=Unavailable)


async def test_no_answer_in_time_or_no_connection_is_unavailable():
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused_connection(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for handler, reason in ((timeout, "no answer in time"), (refused_connection, "unreachable")):
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            request = client.build_request("GET", "http://walmart.invalid/v3/returns")
            with pytest.raises(Unavailable, match=reason):
                await answer_to(client, request, "Walmart", "return orders")


async def test_the_answer_when_it_is_a_success():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"id": 1}))
    async with httpx.AsyncClient(transport=transport) as client:
        request = client.build_request("GET", "http://shop.invalid/orders/1.json")
        response = await answer_to(client, request, "Shopify", "order 1")
    assert response.json() == {"id": 1}
