import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.intake.channels.walmart import webhook as walmart
from services.intake.domain.case import (
    BuyerContact,
    Channel,
    ChannelError,
    Ignore,
    Item,
    OpenCase,
    Reason,
)
from shared.markets import Currency, Market

SAMPLES = Path(__file__).parents[3] / "samples" / "walmart"
SECRET = "wm-webhook-secret-2026b"
OLD_SECRET = "wm-webhook-secret-2026a"
PATH = "/webhooks/walmart?subscription=returns"
NOW = datetime(2026, 3, 28, 14, 12, 50, tzinfo=UTC)

CURTAIN = Item(sku="CUR-BLK-5284-NVY", title="Blackout Curtain", unit_price=Decimal("24.99"))
SPEAKER = Item(sku="BT-SPK-200-BLK", title="Bluetooth Speaker 20W", unit_price=Decimal("49.99"))
CABLE = Item(sku="USB-C-1M", title="USB-C Charging Cable", quantity=2, unit_price=Decimal("6.50"))
ITEMS = {
    "106152711271982880": [CURTAIN],
    "106152711271982881": [SPEAKER, CABLE],
    "106152711271982882": [CURTAIN],
}


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.json").read_bytes()


def signature(body: bytes, timestamp: str, secret: str = SECRET, path: str = PATH) -> str:
    """Walmart's string to sign, built here independently of the code under test."""
    string_to_sign = f"POST\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def headers(body: bytes, secret: str = SECRET, sent_at: datetime = NOW) -> dict[str, str]:
    timestamp = str(int(sent_at.timestamp()))
    return {
        "WM_SEC.TIMESTAMP": timestamp,
        "WM_SEC.SIGNATURE": signature(body, timestamp, secret),
        "Content-Type": "application/json",
    }


def verify(headers: dict[str, str], body: bytes, secrets=(SECRET,), path: str = PATH) -> None:
    walmart.verify(headers, body, list(secrets), NOW, path=path)


def changed(name: str, change) -> bytes:
    event = json.loads(sample(name))
    change(event)
    return json.dumps(event).encode()


# Verification


def test_a_delivery_signed_with_the_secret_is_genuine():
    body = sample("return_created")
    verify(headers(body), body)


def test_both_secrets_are_accepted_during_a_rotation():
    body = sample("return_created")
    for secret in (OLD_SECRET, SECRET):
        verify(headers(body, secret), body, secrets=(OLD_SECRET, SECRET))


def test_a_wrong_secret_is_refused():
    body = sample("return_created")
    with pytest.raises(ChannelError) as error:
        verify(headers(body, OLD_SECRET), body)
    assert (error.value.status, error.value.reason) == (401, "bad_signature")


def test_a_tampered_body_is_refused():
    body = sample("return_created")
    tampered = body.replace(b'"quantity": "1"', b'"quantity": "3"')
    assert tampered != body
    with pytest.raises(ChannelError) as error:
        verify(headers(body), tampered)
    assert error.value.reason == "bad_signature"


def test_a_signature_for_another_path_is_refused():
    body = sample("return_created")
    with pytest.raises(ChannelError) as error:
        verify(headers(body), body, path="/webhooks/walmart")
    assert error.value.reason == "bad_signature"


@pytest.mark.parametrize("missing", ["WM_SEC.SIGNATURE", "WM_SEC.TIMESTAMP"])
def test_a_delivery_without_a_signing_header_is_refused(missing):
    body = sample("return_created")
    unsigned = headers(body)
    del unsigned[missing]
    with pytest.raises(ChannelError) as error:
        verify(unsigned, body)
    assert (error.value.status, error.value.reason) == (401, "bad_signature")


def test_header_names_are_case_insensitive():
    body = sample("return_created")
    verify({name.lower(): value for name, value in headers(body).items()}, body)


def test_a_genuine_delivery_older_than_five_minutes_is_stale():
    body = sample("return_created")
    with pytest.raises(ChannelError) as error:
        verify(headers(body, sent_at=NOW - timedelta(minutes=6)), body)
    assert (error.value.status, error.value.reason) == (401, "stale_request")


# RETURN_CREATED


def test_the_account_is_the_partner_id():
    assert walmart.account_of({}, sample("return_created")) == "10900015773"


def test_a_return_created_opens_a_case():
    [delivery] = walmart.parse({}, sample("return_created"), ITEMS)
    assert delivery.channel is Channel.WALMART
    assert delivery.delivery_id == "03d34580-61d4-11ea-9e23-cd38810ff7cd:106152711271982880"
    assert delivery.seller_account == "10900015773"
    assert isinstance(delivery.action, OpenCase)
    case = delivery.action.case
    assert case.ids.order_id == "108828592795613"
    assert case.ids.return_id == case.ids.rma_id == "106152711271982880"
    assert (case.market, case.currency) == (Market.US, Currency.USD)
    assert case.items == [CURTAIN]
    assert case.marketplace_reason == "WRONG_SIZE/POOR_FIT"
    assert case.reason is Reason.SIZE_FIT
    assert case.buyer_ref == "108828592795613"
    assert case.requested_at == datetime(2024, 3, 28, 14, 12, 42, 913000, tzinfo=UTC)


def test_each_return_order_of_an_event_opens_its_own_case():
    deliveries = walmart.parse({}, sample("return_created_several_orders"), ITEMS)
    event_id = "5b0e9f20-ed1b-11ee-a951-0242ac120002"
    assert [delivery.delivery_id for delivery in deliveries] == [
        f"{event_id}:106152711271982881",
        f"{event_id}:106152711271982882",
    ]
    first, second = (delivery.action.case for delivery in deliveries)
    # The two lines of return order ...881 are one case with both items.
    assert first.items == [SPEAKER, CABLE]
    assert (first.reason, first.ids.order_id) == (Reason.DEFECTIVE, "108828592795613")
    assert (second.reason, second.ids.order_id) == (Reason.CHANGED_MIND, "108828592795998")


def test_the_buyer_of_each_return_order_reaches_its_case():
    buyer = BuyerContact(
        name="Jane Doe", email="3A31739D8B0A45A1B23F7F8C5A0B1F6E@relay.walmart.com"
    )
    deliveries = walmart.parse(
        {}, sample("return_created_several_orders"), ITEMS, {"106152711271982881": buyer}
    )
    first, second = (delivery.action.case for delivery in deliveries)
    assert first.buyer == buyer
    assert first.buyer_ref == "108828592795613"  # the buyer is known by the purchase order
    # A return order Walmart named no customer for opens a case without a buyer.
    assert second.buyer is None


def test_without_buyers_a_case_has_none():
    [delivery] = walmart.parse({}, sample("return_created"), ITEMS)
    assert delivery.action.case.buyer is None


def test_the_return_orders_to_read_are_named_once_each():
    assert walmart.return_orders_to_read(sample("return_created_several_orders")) == [
        "106152711271982881",
        "106152711271982882",
    ]


def test_a_return_order_cannot_open_a_case_without_its_items():
    with pytest.raises(ValueError, match="106152711271982880"):
        walmart.parse({}, sample("return_created"), {})


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ARRIVED_LATE", Reason.NOT_RECEIVED),
        ("AUTO_RETURN", Reason.OTHER),
        ("BOUGHT_ANOTHER_SIZE_OR_COLOR", Reason.CHANGED_MIND),
        ("BOUGHT_SOMEWHERE_ELSE", Reason.CHANGED_MIND),
        ("DAMAGED", Reason.DAMAGED),
        ("DEFECTIVE", Reason.DEFECTIVE),
        ("DUPLICATE_ITEM", Reason.CHANGED_MIND),
        ("INADEQUATE_QUALITY", Reason.QUALITY),
        ("INCORRECT_ITEM", Reason.WRONG_ITEM),
        ("LOST_AFTER_DELIVERY", Reason.NOT_RECEIVED),
        ("LOST_IN_TRANSIT", Reason.NOT_RECEIVED),
        ("LOWER_PRICE", Reason.CHANGED_MIND),
        ("MISSING_PARTS", Reason.MISSING_PARTS),
        ("NOT_AS_DESCRIBED", Reason.NOT_AS_DESCRIBED),
        ("NO_LONGER_WANTED", Reason.CHANGED_MIND),
        ("RETURN_TO_SENDER", Reason.NOT_RECEIVED),
        ("SHIPPING_BOX_DAMAGED", Reason.DAMAGED),
        ("TRIED_TO_CANCEL", Reason.CHANGED_MIND),
        ("WRONG_SIZE/POOR_FIT", Reason.SIZE_FIT),
        ("SOMETHING_NEW", Reason.OTHER),
    ],
)
def test_every_walmart_reason_is_mapped_and_the_original_kept(code, reason):
    def set_reason(event):
        event["payload"]["returnOrders"][0]["returnReason"] = code

    [delivery] = walmart.parse({}, changed("return_created", set_reason), ITEMS)
    case = delivery.action.case
    assert (case.reason, case.marketplace_reason) == (reason, code)


def test_another_event_type_is_ignored():
    def other_event(event):
        event["source"]["eventType"] = "PO_CREATED"
        event["payload"] = {"partnerId": "10900015773", "purchaseOrderId": "108828592795613"}

    [delivery] = walmart.parse({}, changed("return_created", other_event), {})
    assert delivery.delivery_id == "03d34580-61d4-11ea-9e23-cd38810ff7cd"
    assert isinstance(delivery.action, Ignore)
    assert "PO_CREATED" in delivery.action.why


# Malformed deliveries


def test_a_body_that_is_not_json_is_a_bad_request():
    with pytest.raises(ChannelError) as error:
        walmart.parse({}, b"<xml/>", ITEMS)
    assert (error.value.status, error.value.reason) == (400, "malformed_json")


def clear_orders(event):
    event["payload"]["returnOrders"] = []


def zero_quantity(event):
    event["payload"]["returnOrders"][0]["quantity"] = "0"


def drop_event_id(event):
    del event["source"]["eventId"]


def drop_partner(event):
    del event["payload"]["partnerId"]


def drop_return_order_id(event):
    del event["payload"]["returnOrders"][0]["returnOrderId"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (clear_orders, "payload.returnOrders"),
        (zero_quantity, "payload.returnOrders.0.quantity"),
        (drop_event_id, "source.eventId"),
        (drop_partner, "payload.partnerId"),
        (drop_return_order_id, "payload.returnOrders.0.returnOrderId"),
    ],
)
def test_a_malformed_event_names_the_field(change, field):
    with pytest.raises(ChannelError) as error:
        walmart.parse({}, changed("return_created", change), ITEMS)
    assert (error.value.status, error.value.reason) == (422, "invalid_payload")
    assert error.value.field == field
