"""Shopify (`services/intake/channels/shopify/`): the webhooks, verified and parsed; then the
Admin API client against a local fake of the Admin GraphQL API (pytest-httpserver)."""

import base64
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.intake.channels.shopify import admin_api
from services.intake.channels.shopify import channel as shopify_channel
from services.intake.channels.shopify import webhook as shopify
from services.intake.domain.case import (
    Address,
    BuyerContact,
    Channel,
    ChannelError,
    EraseBuyer,
    Ignore,
    Item,
    MarketplaceStatus,
    OpenCase,
    Reason,
    UpdateCase,
)
from shared.markets import Currency, Market
from shared.outbound import Refused, Unavailable

SAMPLES = Path(__file__).parents[3] / "samples" / "shopify"
SECRET = "shpss_new_0b6c1e"
OLD_SECRET = "shpss_old_77ad20"
SHOP = "linen-home.myshopify.com"
EVENT_ID = "9a3c2b7e-6f41-4d0e-9a55-1f0a8e3b6c21"
RETURN_KEY = "return-945000959"  # gid://shopify/Return/945000959, the sample's return
TRIGGERED_AT = "2026-03-02T14:05:09.877041743Z"
NOW = datetime(2026, 3, 2, 14, 5, 10, tzinfo=UTC)

BUYER = BuyerContact(
    name="Dana Whitfield",
    email="dana.whitfield@example.com",
    phone="+15035550142",
    address=Address(
        line1="2210 NE Alberta St",
        line2="Apt 3",
        city="Portland",
        region="OR",
        postal_code="97211",
        country="US",
    ),
)

ORDER = shopify.ShopifyOrder(
    market=Market.US,
    currency=Currency.USD,
    buyer_ref="115310627314723954",
    buyer=BUYER,
    items={
        466157049: Item(
            sku="CUR-LIN-5284-SAGE", title="Linen Curtain", unit_price=Decimal("39.50")
        ),
        518995019: Item(
            sku="CUR-LIN-5284-NAVY", title="Linen Curtain", unit_price=Decimal("39.50")
        ),
    },
)


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.json").read_bytes()


def with_changes(name: str, **changes) -> bytes:
    return json.dumps({**json.loads(sample(name)), **changes}).encode()


def signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def headers(topic: str, body: bytes, secret: str = SECRET, **changes: str) -> dict[str, str]:
    return {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature(body, secret),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Event-Id": EVENT_ID,
        "X-Shopify-Triggered-At": TRIGGERED_AT,
        "X-Shopify-Api-Version": "2026-01",
        **changes,
    }


def parse_one(topic: str, body: bytes, order: shopify.ShopifyOrder | None = None):
    """The first delivery: a return request of several reasons opens one case per reason."""
    delivery = shopify.parse(headers(topic, body), body, order)[0]
    assert delivery.channel is Channel.SHOPIFY
    # A return request is keyed by its return (signed), anything else by its event id.
    assert delivery.delivery_id == (RETURN_KEY if topic == "returns/request" else EVENT_ID)
    assert delivery.seller_account == SHOP
    return delivery.action


# Verification


def test_a_delivery_signed_with_the_app_secret_is_genuine():
    body = sample("returns_request")
    shopify.verify(headers("returns/request", body), body, [SECRET], NOW)


def test_both_secrets_are_accepted_during_a_rotation():
    body = sample("returns_request")
    for secret in (OLD_SECRET, SECRET):
        shopify.verify(headers("returns/request", body, secret), body, [OLD_SECRET, SECRET], NOW)


def test_the_old_secret_is_refused_once_the_rotation_is_over():
    body = sample("returns_request")
    with pytest.raises(ChannelError) as error:
        shopify.verify(headers("returns/request", body, OLD_SECRET), body, [SECRET], NOW)
    assert (error.value.status, error.value.reason) == (401, "bad_signature")


def test_a_tampered_body_is_refused():
    body = sample("returns_request")
    tampered = body.replace(b'"quantity": 1', b'"quantity": 9')
    assert tampered != body
    with pytest.raises(ChannelError) as error:
        shopify.verify(headers("returns/request", body), tampered, [SECRET], NOW)
    assert error.value.reason == "bad_signature"


def test_a_delivery_without_the_hmac_header_is_refused():
    body = sample("returns_request")
    unsigned = headers("returns/request", body)
    del unsigned["X-Shopify-Hmac-Sha256"]
    with pytest.raises(ChannelError) as error:
        shopify.verify(unsigned, body, [SECRET], NOW)
    assert (error.value.status, error.value.reason) == (401, "bad_signature")


def test_header_names_are_case_insensitive():
    body = sample("returns_request")
    lower = {name.lower(): value for name, value in headers("returns/request", body).items()}
    shopify.verify(lower, body, [SECRET], NOW)
    assert shopify.account_of(lower, body) == SHOP
    delivery = shopify.parse(lower, body, ORDER)[0]
    assert isinstance(delivery.action, OpenCase)


def test_the_account_is_the_shop_domain():
    body = sample("returns_request")
    assert shopify.account_of(headers("returns/request", body), body) == SHOP
    with pytest.raises(ChannelError) as error:
        shopify.account_of({"X-Shopify-Topic": "returns/request"}, body)
    assert error.value.status == 401


# returns/request


def test_a_return_request_opens_a_case():
    action = parse_one("returns/request", sample("returns_request"), ORDER)
    assert isinstance(action, OpenCase)
    case = action.case
    assert case.channel is Channel.SHOPIFY
    assert case.seller_account == SHOP
    assert case.ids.order_id == "625362839"
    assert case.ids.return_id == "gid://shopify/Return/945000959"
    assert (case.market, case.currency) == (Market.US, Currency.USD)
    # The first line's case: the second line, returned for its colour, opens a case of its own.
    assert [(item.sku, item.quantity, item.unit_price) for item in case.items] == [
        ("CUR-LIN-5284-SAGE", 1, Decimal("39.50")),
    ]
    assert case.marketplace_reason == "size_too_small"
    assert case.reason is Reason.SIZE_TOO_SMALL
    assert case.buyer_words == "Runs a full size small\nCan I get the next size up instead?"
    assert case.buyer_ref == "115310627314723954"
    assert case.buyer == BUYER
    assert case.requested_at == datetime(2026, 3, 2, 14, 5, 9, 877041, tzinfo=UTC)


def test_an_order_read_without_the_buyers_contact_opens_a_case_without_one():
    order = ORDER.model_copy(update={"buyer": None})
    action = parse_one("returns/request", sample("returns_request"), order)
    assert action.case.buyer is None
    assert action.case.buyer_ref == "115310627314723954"


def test_the_order_to_read_is_the_return_requests_only():
    request = sample("returns_request")
    assert shopify.order_to_read(headers("returns/request", request), request) == "625362839"
    close = sample("returns_close")
    assert shopify.order_to_read(headers("returns/close", close), close) is None


def test_a_return_request_cannot_open_a_case_without_its_order():
    body = sample("returns_request")
    with pytest.raises(ValueError, match="order_to_read"):
        shopify.parse(headers("returns/request", body), body)


def test_a_returned_line_missing_from_the_order_names_the_field():
    order = ORDER.model_copy(update={"items": {466157049: ORDER.items[466157049]}})
    body = sample("returns_request")
    with pytest.raises(ChannelError) as error:
        shopify.parse(headers("returns/request", body), body, order)
    assert error.value.status == 422
    assert error.value.field == "return_line_items.1.fulfillment_line_item.line_item.id"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("COLOR", Reason.STYLE),
        ("DEFECTIVE", Reason.DEFECTIVE),
        ("NOT_AS_DESCRIBED", Reason.NOT_AS_DESCRIBED),
        ("OTHER", Reason.OTHER),
        ("SIZE_TOO_LARGE", Reason.SIZE_TOO_LARGE),
        ("SIZE_TOO_SMALL", Reason.SIZE_TOO_SMALL),
        ("STYLE", Reason.STYLE),
        ("UNKNOWN", Reason.OTHER),
        ("UNWANTED", Reason.CHANGED_MIND),
        ("WRONG_ITEM", Reason.WRONG_ITEM),
    ],
)
def test_every_shopify_reason_is_mapped_and_the_original_kept(code, reason):
    for sent in (code.lower(), code):
        request = json.loads(sample("returns_request"))
        request["return_line_items"][0]["return_reason"] = sent
        body = json.dumps(request).encode()
        case = parse_one("returns/request", body, ORDER).case
        assert (case.reason, case.marketplace_reason) == (reason, sent)


def test_a_reason_shopify_adds_later_is_other_and_kept():
    request = json.loads(sample("returns_request"))
    request["return_line_items"][0]["return_reason"] = "arrived_too_late"
    case = parse_one("returns/request", json.dumps(request).encode(), ORDER).case
    assert (case.reason, case.marketplace_reason) == (Reason.OTHER, "arrived_too_late")


# A return of several reasons


def test_each_reason_of_a_return_opens_its_own_case_keyed_by_its_first_line():
    size, colour = shopify.parse(
        headers("returns/request", sample("returns_request")), sample("returns_request"), ORDER
    )
    assert (size.delivery_id, colour.delivery_id) == (RETURN_KEY, f"{RETURN_KEY}/677614678")
    first, second = size.action.case, colour.action.case
    assert (first.marketplace_reason, first.reason) == ("size_too_small", Reason.SIZE_TOO_SMALL)
    assert (second.marketplace_reason, second.reason) == ("color", Reason.STYLE)
    assert first.buyer_words == "Runs a full size small\nCan I get the next size up instead?"
    assert second.buyer_words == ""
    assert [item.sku for item in second.items] == ["CUR-LIN-5284-NAVY"]
    for case in (first, second):  # what the lines share: the return, its order and buyer
        assert case.ids.return_id == "gid://shopify/Return/945000959"
        assert (case.ids.order_id, case.buyer_ref, case.buyer) == ("625362839", *BUYER_OF_ORDER)


BUYER_OF_ORDER = (ORDER.buyer_ref, ORDER.buyer)


def test_lines_of_one_reason_and_the_same_words_stay_one_case():
    request = json.loads(sample("returns_request"))
    second = request["return_line_items"][1]
    second.update(return_reason="size_too_small", return_reason_note="Runs a full size small")
    second["customer_note"] = "Can I get the next size up instead?"
    body = json.dumps(request).encode()
    [delivery] = shopify.parse(headers("returns/request", body), body, ORDER)
    assert delivery.delivery_id == RETURN_KEY
    assert [(item.sku, item.quantity) for item in delivery.action.case.items] == [
        ("CUR-LIN-5284-SAGE", 1),
        ("CUR-LIN-5284-NAVY", 2),
    ]


def test_one_reason_in_other_words_is_classified_apart():
    request = json.loads(sample("returns_request"))
    request["return_line_items"][1].update(
        return_reason="size_too_small", return_reason_note="The seams came apart"
    )
    body = json.dumps(request).encode()
    first, second = shopify.parse(headers("returns/request", body), body, ORDER)
    assert second.action.case.buyer_words == "The seams came apart"
    assert second.action.case.reason is first.action.case.reason


# Later return topics and refunds


@pytest.mark.parametrize(
    ("topic", "status", "order_id", "note"),
    [
        ("returns/approve", MarketplaceStatus.APPROVED, "625362839", ""),
        (
            "returns/decline",
            MarketplaceStatus.DECLINED,
            None,
            "return_period_ended: The 30-day return window closed on March 2.",
        ),
        ("returns/cancel", MarketplaceStatus.CANCELLED, "625362839", ""),
        ("returns/close", MarketplaceStatus.CLOSED, "625362839", ""),
        ("returns/update", MarketplaceStatus.UPDATED, None, ""),
    ],
)
def test_a_later_return_topic_updates_the_case(topic, status, order_id, note):
    action = parse_one(topic, sample(topic.replace("/", "_")))
    assert action == UpdateCase(
        seller_account=SHOP,
        order_id=order_id,
        return_id="gid://shopify/Return/945000959",
        status=status,
        note=note,
        at=datetime(2026, 3, 2, 14, 5, 9, 877041, tzinfo=UTC),
    )


def test_a_refund_updates_the_case_as_refunded():
    action = parse_one("refunds/create", sample("refunds_create"))
    assert isinstance(action, UpdateCase)
    assert action.status is MarketplaceStatus.REFUNDED
    assert action.order_id == "625362839"
    assert action.return_id is None
    assert action.note == "Refunded after the parcel reached the warehouse"


def test_a_refund_of_a_return_names_the_return():
    returned = {"id": 945000959, "admin_graphql_api_id": "gid://shopify/Return/945000959"}
    body = with_changes("refunds_create", **{"return": returned})
    action = parse_one("refunds/create", body)
    assert action.return_id == "gid://shopify/Return/945000959"


# disputes/create: the chargeback claim of the order's case


def test_a_dispute_is_noticed_as_the_chargeback_claim_of_the_order_s_case():
    action = parse_one("disputes/create", sample("disputes_create"))
    assert isinstance(action, UpdateCase)
    assert (action.order_id, action.return_id, action.status) == ("625362839", None, None)
    claim = action.claim
    assert (claim.kind, claim.marketplace_claim_id) == ("chargeback", "598735659")
    # The clock runs from the bank's dispute, to the evidence date Shopify states.
    assert claim.notice_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert claim.due_at == datetime(2026, 3, 16, 23, 0, tzinfo=UTC)
    assert claim.amount_minor == 5999
    assert claim.state == "chargeback product_not_received needs_response"
    assert action.moot_without_case  # no return case for the order: nothing to answer here


def test_a_dispute_naming_no_order_is_ignored_and_a_strange_currency_named():
    assert isinstance(
        parse_one("disputes/create", with_changes("disputes_create", order_id=None)), Ignore
    )
    with pytest.raises(ChannelError) as refused:
        parse_one("disputes/create", with_changes("disputes_create", currency="XXX"))
    assert "currency" in str(refused.value)


# customers/redact and other topics


def test_a_customer_redact_erases_the_buyer_and_names_the_orders():
    action = parse_one("customers/redact", sample("customers_redact"))
    assert action == EraseBuyer(
        seller_account=SHOP, buyer_ref="191167", order_ids=["299938", "280263", "220458"]
    )


def test_a_customer_known_by_email_only_is_erased_through_the_orders():
    body = with_changes("customers_redact", customer={"email": "john@example.com"})
    action = parse_one("customers/redact", body)
    assert (action.buyer_ref, action.order_ids) == (None, ["299938", "280263", "220458"])


def test_a_topic_intake_does_not_act_on_is_ignored():
    action = parse_one("orders/create", b'{"id": 820982911946154508}')
    assert isinstance(action, Ignore)
    assert "orders/create" in action.why


# Malformed deliveries


def test_a_body_that_is_not_json_is_a_bad_request():
    with pytest.raises(ChannelError) as error:
        shopify.parse(headers("returns/request", b"{not json"), b"{not json", ORDER)
    assert (error.value.status, error.value.reason) == (400, "malformed_json")


@pytest.mark.parametrize(
    ("topic", "name", "change", "field"),
    [
        ("returns/request", "returns_request", {"return_line_items": []}, "return_line_items"),
        ("returns/request", "returns_request", {"order": None}, "order"),
        ("returns/close", "returns_close", {"admin_graphql_api_id": None}, "admin_graphql_api_id"),
        ("refunds/create", "refunds_create", {"order_id": "abc"}, "order_id"),
        ("customers/redact", "customers_redact", {"customer": None}, "customer"),
    ],
)
def test_a_malformed_payload_names_the_field(topic, name, change, field):
    body = with_changes(name, **change)
    with pytest.raises(ChannelError) as error:
        shopify.parse(headers(topic, body), body, ORDER)
    assert (error.value.status, error.value.reason) == (422, "invalid_payload")
    assert error.value.field == field


def test_a_returned_quantity_below_one_names_the_line():
    request = json.loads(sample("returns_request"))
    request["return_line_items"][1]["quantity"] = 0
    body = json.dumps(request).encode()
    with pytest.raises(ChannelError) as error:
        shopify.parse(headers("returns/request", body), body, ORDER)
    assert error.value.field == "return_line_items.1.quantity"


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Shopify-Event-Id", ""), ("X-Shopify-Triggered-At", "yesterday")],
)
def test_a_bad_shopify_header_is_named(header, value):
    body = sample("returns_close")
    with pytest.raises(ChannelError) as error:
        shopify.parse(headers("returns/close", body, **{header: value}), body)
    assert error.value.field == header.lower()


# -------------------------------------------------------------------- the Admin API (admin_api.py)
TOKEN = "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"
PATH = f"/admin/api/{admin_api.API_VERSION}/graphql.json"
CLIENT_TIMEOUT = 1.0

ORDER_BUYER = BuyerContact(
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
    buyer=ORDER_BUYER,
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


def order_sample(name: str) -> dict:
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
    return await admin_api.read_order(client, SHOP, TOKEN, order_id, base_url=base_url)


def sent(httpserver: HTTPServer) -> list[Request]:
    return [request for request, _ in httpserver.log]


# A successful read


async def test_an_order_is_read_as_the_shopify_order_parse_needs(client, httpserver):
    answer(httpserver, order_sample("admin_order"))
    assert await read(client, httpserver) == EXPECTED_ORDER


async def test_the_call_carries_the_token_and_asks_for_the_order_by_its_global_id(
    client, httpserver
):
    answer(httpserver, order_sample("admin_order"))
    await read(client, httpserver, "625362839")
    [request] = sent(httpserver)
    assert request.path == PATH
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert request.get_json()["query"] == admin_api.ORDER_QUERY
    assert request.get_json()["variables"] == {
        "id": "gid://shopify/Order/625362839",
        "first": admin_api.PAGE_SIZE,
        "after": None,
    }


async def test_a_global_order_id_is_sent_as_it_is(client, httpserver):
    answer(httpserver, order_sample("admin_order"))
    await read(client, httpserver, "gid://shopify/Order/625362839")
    [request] = sent(httpserver)
    assert request.get_json()["variables"]["id"] == "gid://shopify/Order/625362839"


async def test_a_returns_request_and_its_order_make_a_case(client, httpserver):
    """The seam end to end: the webhook names the order, the order is read, parse opens a case."""
    answer(httpserver, order_sample("admin_order"))
    body = (SAMPLES / "returns_request.json").read_bytes()
    headers = {
        "X-Shopify-Topic": "returns/request",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Event-Id": "9a3c2b7e-6f41-4d0e-9a55-1f0a8e3b6c21",
        "X-Shopify-Triggered-At": "2026-03-02T14:05:09.877041743Z",
    }
    order_id = shopify.order_to_read(headers, body)
    order = await read(client, httpserver, order_id)
    size, colour = shopify.parse(headers, body, order)
    assert isinstance(size.action, OpenCase)
    case = size.action.case
    assert (case.market, case.currency, case.buyer_ref) == (
        Market.UK,
        Currency.GBP,
        "115310627314723954",
    )
    assert [(item.sku, item.quantity, item.unit_price) for item in case.items] == [
        ("CUR-LIN-5284-SAGE", 1, Decimal("31.5")),
    ]
    assert case.reason is Reason.SIZE_TOO_SMALL
    assert case.buyer == ORDER_BUYER
    assert [(item.sku, item.quantity) for item in colour.action.case.items] == [
        ("CUR-LIN-5284-NAVY", 2)
    ]
    assert colour.action.case.reason is Reason.STYLE


async def test_line_items_are_read_page_after_page(client, httpserver):
    first_page = order_sample("admin_order")
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
    order = order_sample("admin_order")
    order["data"]["order"]["customer"] = None
    answer(httpserver, order)
    assert (await read(client, httpserver)).buyer_ref == "625362839"


async def test_without_a_shipping_address_the_billing_country_is_the_market(client, httpserver):
    order = order_sample("admin_order")
    order["data"]["order"]["shippingAddress"] = None
    order["data"]["order"]["billingAddress"] = {"countryCodeV2": "DE"}
    answer(httpserver, order)
    assert (await read(client, httpserver)).market is Market.DE


# The buyer's contact


async def test_the_customers_default_email_stands_in_for_an_order_without_one(client, httpserver):
    order = order_sample("admin_order")
    order["data"]["order"]["email"] = None
    answer(httpserver, order)
    assert (await read(client, httpserver)).buyer.email == "ellie.hughes@example.com"


async def test_the_phone_given_with_the_order_comes_first(client, httpserver):
    order = order_sample("admin_order")
    order["data"]["order"]["phone"] = "+447700900789"
    answer(httpserver, order)
    assert (await read(client, httpserver)).buyer.phone == "+447700900789"


async def test_without_a_customer_the_ship_to_phone_is_the_buyers(client, httpserver):
    order = order_sample("admin_order")
    order["data"]["order"]["customer"] = None
    answer(httpserver, order)
    buyer = (await read(client, httpserver)).buyer
    assert (buyer.email, buyer.phone) == ("eleanor.hughes@example.co.uk", "+447700900456")


async def test_a_ship_to_address_without_a_street_is_left_out_and_the_rest_kept(client, httpserver):
    order = order_sample("admin_order")
    order["data"]["order"]["shippingAddress"]["address1"] = "  "
    answer(httpserver, order)
    buyer = (await read(client, httpserver)).buyer
    assert buyer.address is None
    assert (buyer.name, buyer.email) == ("Eleanor Hughes", "eleanor.hughes@example.co.uk")


async def test_an_address_without_a_postcode_keeps_an_empty_one(client, httpserver):
    order = order_sample("admin_order")
    order["data"]["order"]["shippingAddress"].update(zip=None, provinceCode=None)
    answer(httpserver, order)
    address = (await read(client, httpserver)).buyer.address
    assert (address.postal_code, address.region) == ("", "England")


async def test_an_order_that_names_no_contact_has_no_buyer(client, httpserver):
    order = order_sample("admin_order")
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
    answer(httpserver, order_sample("admin_access_denied"))
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
    order = order_sample("admin_order")
    order["data"]["order"][field] = value
    answer(httpserver, order)
    with pytest.raises(Refused, match=words):
        await read(client, httpserver)


async def test_an_answer_that_is_not_the_documented_order_is_refused(client, httpserver):
    order = order_sample("admin_order")
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
    answer(httpserver, order_sample("admin_throttled"))
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
        return Response(json.dumps(order_sample("admin_order")), content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await read(client, httpserver)
    answered.set()


async def test_an_unreachable_shop_is_transient(client):
    with pytest.raises(Unavailable, match="unreachable"):
        await admin_api.read_order(client, SHOP, TOKEN, "625362839", base_url="http://127.0.0.1:9")


def test_a_return_request_under_another_event_id_is_the_same_delivery():
    """Shopify signs the body, not X-Shopify-Event-Id: the key is the return the body names."""
    body = sample("returns_request")
    first = shopify_channel.delivery_id_of(headers("returns/request", body), body)
    forged = {**headers("returns/request", body), "X-Shopify-Event-Id": "made-up"}
    assert shopify_channel.delivery_id_of(forged, body) == first == RETURN_KEY
    assert shopify.return_key("gid://shopify/Return/7/") == "return-7"
