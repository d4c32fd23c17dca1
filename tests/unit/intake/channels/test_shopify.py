import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

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

SAMPLES = Path(__file__).parents[3] / "samples" / "shopify"
SECRET = "shpss_new_0b6c1e"
OLD_SECRET = "shpss_old_77ad20"
SHOP = "linen-home.myshopify.com"
EVENT_ID = "9a3c2b7e-6f41-4d0e-9a55-1f0a8e3b6c21"
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
    [delivery] = shopify.parse(headers(topic, body), body, order)
    assert delivery.channel is Channel.SHOPIFY
    assert delivery.delivery_id == EVENT_ID
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
    [delivery] = shopify.parse(lower, body, ORDER)
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
    assert [(item.sku, item.quantity, item.unit_price) for item in case.items] == [
        ("CUR-LIN-5284-SAGE", 1, Decimal("39.50")),
        ("CUR-LIN-5284-NAVY", 2, Decimal("39.50")),
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
