"""`walmart_returns.read_return_orders` against a local fake Returns API (pytest-httpserver)."""

import json
import threading
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.intake.channels.walmart import returns_api as walmart_returns
from services.intake.channels.walmart import webhook as walmart
from services.intake.domain.case import BuyerContact, Item, OpenCase
from shared.events import Reason
from shared.markets import Currency, Market
from shared.outbound import Refused, Unavailable

SAMPLES = Path(__file__).parent.parent / "samples" / "walmart"
TOKEN = "eyJraWQiOiIzZjVhYTFmNS1hYWE5LTQzM.wm-access-token"
PATH = "/v3/returns"
CLIENT_TIMEOUT = 1.0

CURTAIN = Item(
    sku="CUR-BLK-5284-NVY",
    title="Blackout Curtain Panel 52 x 84 in, Navy",
    unit_price=Decimal("24.99"),
)
SPEAKER = Item(
    sku="BT-SPK-200-BLK", title="Bluetooth Speaker 20W, Black", unit_price=Decimal("49.99")
)
CABLE = Item(
    sku="USB-C-1M", title="USB-C Charging Cable 1 m", quantity=2, unit_price=Decimal("6.50")
)
JANE = BuyerContact(name="Jane Doe", email="3A31739D8B0A45A1B23F7F8C5A0B1F6E@relay.walmart.com")
MARCUS = BuyerContact(
    name="Marcus Reyes", email="9F2C04B7D1E34A8C8B5D6E7F01A2B3C4@relay.walmart.com"
)


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_bytes())


def answer(httpserver: HTTPServer, return_order_id: str, body: dict, status: int = 200) -> None:
    httpserver.expect_request(
        PATH, method="GET", query_string={"returnOrderId": return_order_id}
    ).respond_with_json(body, status=status)


def answer_sample(httpserver: HTTPServer, return_order_id: str) -> None:
    answer(httpserver, return_order_id, sample(f"returns_{return_order_id}"))


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
        yield client


async def read(client: httpx.AsyncClient, httpserver: HTTPServer, *return_order_ids: str):
    base_url = httpserver.url_for("/")
    return (
        await walmart_returns.read_return_orders(client, base_url, TOKEN, return_order_ids)
    ).items


async def read_orders(client: httpx.AsyncClient, httpserver: HTTPServer, *return_order_ids: str):
    base_url = httpserver.url_for("/")
    return await walmart_returns.read_return_orders(client, base_url, TOKEN, return_order_ids)


def sent(httpserver: HTTPServer) -> list[Request]:
    return [request for request, _ in httpserver.log]


# A successful read


async def test_a_return_order_is_read_as_its_items(client, httpserver):
    answer_sample(httpserver, "106152711271982880")
    assert await read(client, httpserver, "106152711271982880") == {"106152711271982880": [CURTAIN]}


async def test_each_call_carries_the_headers_walmart_requires(httpserver):
    # The fake server's WSGI layer drops header names with "_", as Werkzeug does: the headers
    # are checked as they leave the client, on their way to the fake server.
    leaving: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        leaving.append(request)

    answer_sample(httpserver, "106152711271982881")
    answer_sample(httpserver, "106152711271982882")
    async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
        await read(client, httpserver, "106152711271982881", "106152711271982882")
    first, second = leaving
    for request in (first, second):
        assert request.headers["WM_SEC.ACCESS_TOKEN"] == TOKEN
        assert request.headers["WM_SVC.NAME"] == "Walmart Marketplace"
        assert request.headers["Accept"] == "application/json"
        UUID(request.headers["WM_QOS.CORRELATION_ID"])
    # A new correlation id for each call, so Walmart can trace each one.
    assert first.headers["WM_QOS.CORRELATION_ID"] != second.headers["WM_QOS.CORRELATION_ID"]
    assert len(sent(httpserver)) == 2


async def test_a_return_order_named_twice_is_read_once(client, httpserver):
    answer_sample(httpserver, "106152711271982880")
    items = await read(client, httpserver, "106152711271982880", "106152711271982880")
    assert list(items) == ["106152711271982880"]
    assert len(sent(httpserver)) == 1


async def test_a_return_order_is_read_as_its_items_and_its_buyer(client, httpserver):
    answer_sample(httpserver, "106152711271982880")
    found = await read_orders(client, httpserver, "106152711271982880")
    assert found.items == {"106152711271982880": [CURTAIN]}
    assert found.buyers == {"106152711271982880": JANE}


async def test_a_return_order_that_names_no_customer_has_no_buyer(client, httpserver):
    found = sample("returns_106152711271982880")
    del found["returnOrders"][0]["customerName"]
    found["returnOrders"][0]["customerEmailId"] = " "
    answer(httpserver, "106152711271982880", found)
    read_back = await read_orders(client, httpserver, "106152711271982880")
    assert read_back.items == {"106152711271982880": [CURTAIN]}
    assert read_back.buyers == {}


async def test_a_customer_named_in_part_is_kept_in_part(client, httpserver):
    found = sample("returns_106152711271982880")
    found["returnOrders"][0]["customerName"] = {"firstName": "Jane", "lastName": None}
    del found["returnOrders"][0]["customerEmailId"]
    answer(httpserver, "106152711271982880", found)
    read_back = await read_orders(client, httpserver, "106152711271982880")
    assert read_back.buyers == {"106152711271982880": BuyerContact(name="Jane")}


async def test_a_return_created_event_and_its_return_order_make_a_case(client, httpserver):
    """The seam end to end: the event names the return order, it is read, parse opens the case."""
    answer_sample(httpserver, "106152711271982880")
    body = (SAMPLES / "return_created.json").read_bytes()
    found = await read_orders(client, httpserver, *walmart.return_orders_to_read(body))
    [delivery] = walmart.parse({}, body, found.items, found.buyers)
    assert isinstance(delivery.action, OpenCase)
    case = delivery.action.case
    assert case.items == [CURTAIN]
    assert case.buyer == JANE
    assert case.buyer_ref == "108828592795613"  # the purchase order, never the name or email
    assert (case.market, case.currency) == (Market.US, Currency.USD)
    assert (case.reason, case.marketplace_reason) == (Reason.SIZE_FIT, "WRONG_SIZE/POOR_FIT")
    assert case.ids.return_id == "106152711271982880"


async def test_each_return_order_of_an_event_is_read_into_its_own_case(client, httpserver):
    answer_sample(httpserver, "106152711271982881")
    answer_sample(httpserver, "106152711271982882")
    body = (SAMPLES / "return_created_several_orders.json").read_bytes()
    found = await read_orders(client, httpserver, *walmart.return_orders_to_read(body))
    deliveries = walmart.parse({}, body, found.items, found.buyers)
    first, second = (delivery.action.case for delivery in deliveries)
    assert (first.items, first.buyer) == ([SPEAKER, CABLE], JANE)
    assert (second.items, second.buyer) == ([CURTAIN], MARCUS)


async def test_the_items_alone_still_open_a_case_without_a_buyer(client, httpserver):
    answer_sample(httpserver, "106152711271982880")
    body = (SAMPLES / "return_created.json").read_bytes()
    items = await read(client, httpserver, *walmart.return_orders_to_read(body))
    [delivery] = walmart.parse({}, body, items)
    assert delivery.action.case.items == [CURTAIN]
    assert delivery.action.case.buyer is None


async def test_without_a_unit_price_the_product_charge_per_unit_is_the_price(client, httpserver):
    found = sample("returns_106152711271982880")
    del found["returnOrders"][0]["returnOrderLines"][0]["unitPrice"]
    answer(httpserver, "106152711271982880", found)
    items = await read(client, httpserver, "106152711271982880")
    assert items["106152711271982880"][0].unit_price == Decimal("24.99")


# Refused: retrying will not help


@pytest.mark.parametrize("status", [401, 403, 404, 400])
async def test_a_refusing_status_is_permanent(client, httpserver, status):
    error_body = {"errors": [{"code": "UNAUTHORIZED.GMP_GATEWAY_API", "field": "Authorization"}]}
    answer(httpserver, "106152711271982880", error_body, status=status)
    with pytest.raises(Refused) as error:
        await read(client, httpserver, "106152711271982880")
    assert error.value.status == status
    assert "return order 106152711271982880" in error.value.reason


async def test_a_return_order_walmart_does_not_list_is_refused(client, httpserver):
    answer(httpserver, "106152711271982880", {"meta": {"totalCount": 0}, "returnOrders": []})
    with pytest.raises(Refused, match="no return order 106152711271982880"):
        await read(client, httpserver, "106152711271982880")


async def test_a_line_without_any_price_is_refused(client, httpserver):
    found = sample("returns_106152711271982880")
    line = found["returnOrders"][0]["returnOrderLines"][0]
    del line["unitPrice"]
    line["charges"] = []
    answer(httpserver, "106152711271982880", found)
    with pytest.raises(Refused, match="line 1 of return order .* has no unit price"):
        await read(client, httpserver, "106152711271982880")


async def test_a_price_in_another_currency_is_refused(client, httpserver):
    found = sample("returns_106152711271982880")
    found["returnOrders"][0]["returnOrderLines"][0]["unitPrice"]["currencyUnit"] = "CAD"
    answer(httpserver, "106152711271982880", found)
    with pytest.raises(Refused, match="currencyUnit"):
        await read(client, httpserver, "106152711271982880")


# Unavailable: retry later


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_throttling_and_server_errors_are_transient(client, httpserver, status):
    body = {"errors": [{"code": "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"}]}
    answer(httpserver, "106152711271982880", body, status=status)
    with pytest.raises(Unavailable) as error:
        await read(client, httpserver, "106152711271982880")
    assert error.value.status == status


async def test_no_answer_in_time_is_transient(client, httpserver):
    answered = threading.Event()

    def slow(request: Request) -> Response:
        # The fake server serves one request at a time: it answers once the client gave up.
        answered.wait(timeout=5)
        return Response(
            json.dumps(sample("returns_106152711271982880")), content_type="application/json"
        )

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await read(client, httpserver, "106152711271982880")
    answered.set()


async def test_an_unreachable_walmart_is_transient(client):
    with pytest.raises(Unavailable, match="unreachable"):
        await walmart_returns.read_return_orders(
            client, "http://127.0.0.1:9", TOKEN, ["106152711271982880"]
        )
