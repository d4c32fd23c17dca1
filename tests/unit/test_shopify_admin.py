"""`shopify_admin.read_order` against a local fake of the Admin GraphQL API (pytest-httpserver)."""

import json
import threading
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.intake.channels.shopify import admin_api as shopify_admin
from services.intake.channels.shopify import webhook as shopify
from services.intake.domain.case import Address, BuyerContact, Item, OpenCase
from shared.events import Reason
from shared.markets import Currency, Market
from shared.outbound import Refused, Unavailable

SAMPLES = Path(__file__).parent.parent / "samples" / "shopify"
SHOP = "linen-home.myshopify.com"
TOKEN = "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"
PATH = f"/admin/api/{shopify_admin.API_VERSION}/graphql.json"
CLIENT_TIMEOUT = 1.0

BUYER = BuyerContact(
    name="Eleanor Hughes",
    email="eleanor.hughes@example.co.uk",  # the order's, before the customer's default
    phone="+447700900123",  # the order has none: the customer's default
    address=Address(
        line1="14 Clifton Road",
        line2="Flat 2",
        city="Bristol",
        region="ENG",
        postal_code="BS8 1AF",
        country="GB",
    ),
)

EXPECTED_ORDER = shopify.ShopifyOrder(
    market=Market.UK,
    currency=Currency.GBP,
    buyer_ref="115310627314723954",
    buyer=BUYER,
    items={
        466157049: Item(
            sku="CUR-LIN-5284-SAGE",
            title="Linen Curtain - Sage / 52 x 84 in",
            quantity=1,
            unit_price=Decimal("31.5"),
        ),
        518995019: Item(
            sku="CUR-LIN-5284-NAVY",
            title="Linen Curtain - Navy / 52 x 84 in",
            quantity=2,
            unit_price=Decimal("31.5"),
        ),
        703073504: Item(
            sku="gid://shopify/ProductVariant/457924702",
            title="Curtain Tie-Backs (gift)",
            quantity=1,
            unit_price=Decimal("0.0"),
        ),
    },
)


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_bytes())


def answer(httpserver: HTTPServer, body: dict, status: int = 200, **headers: str) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_json(
        body, status=status, headers=headers
    )


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
        yield client


async def read(client: httpx.AsyncClient, httpserver: HTTPServer, order_id: str = "625362839"):
    base_url = httpserver.url_for("/")
    return await shopify_admin.read_order(client, SHOP, TOKEN, order_id, base_url=base_url)


def sent(httpserver: HTTPServer) -> list[Request]:
    return [request for request, _ in httpserver.log]


# A successful read


async def test_an_order_is_read_as_the_shopify_order_parse_needs(client, httpserver):
    answer(httpserver, sample("admin_order"))
    assert await read(client, httpserver) == EXPECTED_ORDER


async def test_the_call_carries_the_token_and_asks_for_the_order_by_its_global_id(
    client, httpserver
):
    answer(httpserver, sample("admin_order"))
    await read(client, httpserver, "625362839")
    [request] = sent(httpserver)
    assert request.path == PATH
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert request.get_json()["query"] == shopify_admin.ORDER_QUERY
    assert request.get_json()["variables"] == {
        "id": "gid://shopify/Order/625362839",
        "first": shopify_admin.PAGE_SIZE,
        "after": None,
    }


async def test_a_global_order_id_is_sent_as_it_is(client, httpserver):
    answer(httpserver, sample("admin_order"))
    await read(client, httpserver, "gid://shopify/Order/625362839")
    [request] = sent(httpserver)
    assert request.get_json()["variables"]["id"] == "gid://shopify/Order/625362839"


async def test_a_returns_request_and_its_order_make_a_case(client, httpserver):
    """The seam end to end: the webhook names the order, the order is read, parse opens a case."""
    answer(httpserver, sample("admin_order"))
    body = (SAMPLES / "returns_request.json").read_bytes()
    headers = {
        "X-Shopify-Topic": "returns/request",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Event-Id": "9a3c2b7e-6f41-4d0e-9a55-1f0a8e3b6c21",
        "X-Shopify-Triggered-At": "2026-03-02T14:05:09.877041743Z",
    }
    order_id = shopify.order_to_read(headers, body)
    order = await read(client, httpserver, order_id)
    [delivery] = shopify.parse(headers, body, order)
    assert isinstance(delivery.action, OpenCase)
    case = delivery.action.case
    assert (case.market, case.currency, case.buyer_ref) == (
        Market.UK,
        Currency.GBP,
        "115310627314723954",
    )
    assert [(item.sku, item.quantity, item.unit_price) for item in case.items] == [
        ("CUR-LIN-5284-SAGE", 1, Decimal("31.5")),
        ("CUR-LIN-5284-NAVY", 2, Decimal("31.5")),
    ]
    assert case.reason is Reason.SIZE_TOO_SMALL
    assert case.buyer == BUYER


async def test_line_items_are_read_page_after_page(client, httpserver):
    first_page = sample("admin_order")
    line_items = first_page["data"]["order"]["lineItems"]
    second_page = json.loads(json.dumps(first_page))
    second_page["data"]["order"]["lineItems"]["nodes"] = line_items["nodes"][2:]
    line_items["nodes"] = line_items["nodes"][:2]
    line_items["pageInfo"] = {"hasNextPage": True, "endCursor": "cursor-after-518995019"}

    def pages(request: Request) -> Response:
        after = request.get_json()["variables"]["after"]
        page = second_page if after == "cursor-after-518995019" else first_page
        return Response(json.dumps(page), content_type="application/json")

    httpserver.expect_request(PATH, method="POST").respond_with_handler(pages)
    assert await read(client, httpserver) == EXPECTED_ORDER
    assert [r.get_json()["variables"]["after"] for r in sent(httpserver)] == [
        None,
        "cursor-after-518995019",
    ]


async def test_an_order_without_a_customer_is_known_by_its_own_id(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"]["customer"] = None
    answer(httpserver, order)
    assert (await read(client, httpserver)).buyer_ref == "625362839"


async def test_without_a_shipping_address_the_billing_country_is_the_market(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"]["shippingAddress"] = None
    order["data"]["order"]["billingAddress"] = {"countryCodeV2": "DE"}
    answer(httpserver, order)
    assert (await read(client, httpserver)).market is Market.DE


# The buyer's contact


async def test_the_customers_default_email_stands_in_for_an_order_without_one(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"]["email"] = None
    answer(httpserver, order)
    assert (await read(client, httpserver)).buyer.email == "ellie.hughes@example.com"


async def test_the_phone_given_with_the_order_comes_first(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"]["phone"] = "+447700900789"
    answer(httpserver, order)
    assert (await read(client, httpserver)).buyer.phone == "+447700900789"


async def test_without_a_customer_the_ship_to_phone_is_the_buyers(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"]["customer"] = None
    answer(httpserver, order)
    buyer = (await read(client, httpserver)).buyer
    assert (buyer.email, buyer.phone) == ("eleanor.hughes@example.co.uk", "+447700900456")


async def test_a_ship_to_address_without_a_street_is_left_out_and_the_rest_kept(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"]["shippingAddress"]["address1"] = "  "
    answer(httpserver, order)
    buyer = (await read(client, httpserver)).buyer
    assert buyer.address is None
    assert (buyer.name, buyer.email) == ("Eleanor Hughes", "eleanor.hughes@example.co.uk")


async def test_an_address_without_a_postcode_keeps_an_empty_one(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"]["shippingAddress"].update(zip=None, provinceCode=None)
    answer(httpserver, order)
    address = (await read(client, httpserver)).buyer.address
    assert (address.postal_code, address.region) == ("", "England")


async def test_an_order_that_names_no_contact_has_no_buyer(client, httpserver):
    order = sample("admin_order")
    order["data"]["order"].update(email=None, phone=None)
    order["data"]["order"]["customer"] = {"id": "gid://shopify/Customer/115310627314723954"}
    order["data"]["order"]["shippingAddress"] = {"countryCodeV2": "GB"}
    answer(httpserver, order)
    found = await read(client, httpserver)
    assert found.buyer is None
    assert (found.market, found.buyer_ref) == (Market.UK, "115310627314723954")


# Refused: retrying will not help


@pytest.mark.parametrize("status", [401, 403, 404, 400])
async def test_a_refusing_status_is_permanent(client, httpserver, status):
    answer(httpserver, {"errors": "[API] Invalid API key or access token"}, status=status)
    with pytest.raises(Refused) as error:
        await read(client, httpserver)
    assert error.value.status == status
    assert str(status) in error.value.reason


async def test_a_graphql_error_is_permanent_and_says_why(client, httpserver):
    answer(httpserver, sample("admin_access_denied"))
    with pytest.raises(Refused) as error:
        await read(client, httpserver)
    assert "ACCESS_DENIED" in error.value.reason
    assert "read_orders" in error.value.reason


async def test_an_order_shopify_does_not_return_is_refused(client, httpserver):
    answer(httpserver, {"data": {"order": None}})
    with pytest.raises(Refused, match="no order gid://shopify/Order/625362839"):
        await read(client, httpserver)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("shippingAddress", {"countryCodeV2": "AU"}, "ships to AU"),
        ("presentmentCurrencyCode", "JPY", "is in JPY"),
    ],
)
async def test_an_order_outside_the_markets_served_is_refused(
    client, httpserver, field, value, words
):
    order = sample("admin_order")
    order["data"]["order"][field] = value
    answer(httpserver, order)
    with pytest.raises(Refused, match=words):
        await read(client, httpserver)


async def test_an_answer_that_is_not_the_documented_order_is_refused(client, httpserver):
    order = sample("admin_order")
    del order["data"]["order"]["lineItems"]["nodes"][0]["discountedUnitPriceAfterAllDiscountsSet"]
    answer(httpserver, order)
    with pytest.raises(Refused, match="discountedUnitPriceAfterAllDiscountsSet"):
        await read(client, httpserver)


# Unavailable: retry later


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_throttling_and_server_errors_are_transient(client, httpserver, status):
    answer(httpserver, {"errors": "Service Unavailable"}, status=status)
    with pytest.raises(Unavailable) as error:
        await read(client, httpserver)
    assert error.value.status == status


async def test_a_429_says_when_to_retry(client, httpserver):
    answer(
        httpserver, {"errors": "Exceeded 2 calls per second"}, status=429, **{"Retry-After": "2.0"}
    )
    with pytest.raises(Unavailable) as error:
        await read(client, httpserver)
    assert error.value.retry_after == 2.0


async def test_a_throttled_query_is_transient_and_waits_for_the_bucket(client, httpserver):
    answer(httpserver, sample("admin_throttled"))
    with pytest.raises(Unavailable) as error:
        await read(client, httpserver)
    # 405 points asked, 205 available, 100 restored a second.
    assert error.value.retry_after == 2.0


async def test_an_internal_error_in_graphql_is_transient(client, httpserver):
    failure = {"message": "Internal error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    answer(httpserver, {"errors": [failure]})
    with pytest.raises(Unavailable):
        await read(client, httpserver)


async def test_no_answer_in_time_is_transient(client, httpserver):
    answered = threading.Event()

    def slow(request: Request) -> Response:
        # The fake server serves one request at a time: it answers once the client gave up.
        answered.wait(timeout=5)
        return Response(json.dumps(sample("admin_order")), content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await read(client, httpserver)
    answered.set()


async def test_an_unreachable_shop_is_transient(client):
    with pytest.raises(Unavailable, match="unreachable"):
        await shopify_admin.read_order(
            client, SHOP, TOKEN, "625362839", base_url="http://127.0.0.1:9"
        )
