"""Walmart (`services/intake/channels/walmart/`): RETURN_CREATED notifications, verified and
parsed; then the Returns API client against a local fake (pytest-httpserver)."""

import base64
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.intake.channels.walmart import returns_api
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
from services.intake.domain.classification import classify
from shared.events import Scenario
from shared.markets import Currency, Market
from shared.outbound import Refused, Unavailable

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
    # Return order ...881 has two lines of different reasons: a case per reason, the second
    # keyed by its line (issue 13: every line keeps its reason).
    assert [delivery.delivery_id for delivery in deliveries] == [
        f"{event_id}:106152711271982881",
        f"{event_id}:106152711271982881/2",
        f"{event_id}:106152711271982882",
    ]
    first, cable, second = (delivery.action.case for delivery in deliveries)
    assert first.items == [SPEAKER]
    assert cable.items == [CABLE]
    assert (first.reason, first.ids.order_id) == (Reason.DEFECTIVE, "108828592795613")
    assert (cable.reason, cable.ids.order_id) == (Reason.MISSING_PARTS, "108828592795613")
    assert (second.reason, second.ids.order_id) == (Reason.CHANGED_MIND, "108828592795998")


def test_the_buyer_of_each_return_order_reaches_its_case():
    buyer = BuyerContact(
        name="Jane Doe", email="3A31739D8B0A45A1B23F7F8C5A0B1F6E@relay.walmart.com"
    )
    deliveries = walmart.parse(
        {}, sample("return_created_several_orders"), ITEMS, {"106152711271982881": buyer}
    )
    first, cable, second = (delivery.action.case for delivery in deliveries)
    assert first.buyer == cable.buyer == buyer
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


# Free-text reasons and each line's own reason (issue 13, fidelity)


def scenario_of(case):
    return classify(case.reason, case.marketplace_reason, case.buyer_words).scenario


def with_reason(words: str):
    def set_reason(event):
        event["payload"]["returnOrders"][0]["returnReason"] = words

    return set_reason


def test_a_free_text_reason_is_the_buyers_words_and_classified_as_such():
    # Walmart's own sample notification says "Item arrived damaged", not a code.
    body = changed("return_created", with_reason("Item arrived damaged"))
    [delivery] = walmart.parse({}, body, ITEMS)
    case = delivery.action.case
    assert (case.marketplace_reason, case.reason) == ("Item arrived damaged", Reason.OTHER)
    assert case.buyer_words == "Item arrived damaged"
    classified = classify(case.reason, case.marketplace_reason, case.buyer_words)
    assert (classified.scenario, classified.needs_agent) == (Scenario.MINOR_DEFECT, False)


@pytest.mark.parametrize(
    ("words", "scenario"),
    [
        ("Too small, I need a larger size", Scenario.SIZE_STYLE_MISMATCH),
        ("It stopped working after two days and will not turn on anymore", Scenario.QUALITY_DEFECT),
        ("I can't figure out how to pair it with my phone", Scenario.FUNCTIONAL_FAULT),
        ("I received the wrong item, not what I ordered", Scenario.WRONG_ITEM),
        ("Changed my mind, I do not need it anymore", Scenario.CHANGED_MIND),
    ],
)
def test_free_text_reasons_reach_their_scenario(words, scenario):
    [delivery] = walmart.parse({}, changed("return_created", with_reason(words)), ITEMS)
    assert scenario_of(delivery.action.case) is scenario


def test_the_returns_apis_code_and_the_notifications_words_are_both_kept():
    body = changed("return_created", with_reason("Small scratch on the front but it works fine"))
    [delivery] = walmart.parse({}, body, ITEMS, reasons={"106152711271982880": ["DAMAGED"]})
    case = delivery.action.case
    assert (case.marketplace_reason, case.reason) == ("DAMAGED", Reason.DAMAGED)
    assert case.buyer_words == "Small scratch on the front but it works fine"
    assert scenario_of(case) is Scenario.MINOR_DEFECT


def test_a_code_walmart_adds_later_is_a_code_not_words():
    [delivery] = walmart.parse({}, changed("return_created", with_reason("ITEM_TOO_LOUD")), ITEMS)
    assert (delivery.action.case.reason, delivery.action.case.buyer_words) == (Reason.OTHER, "")


def test_walmarts_wrong_size_code_is_a_size_mismatch_without_an_agent():
    [delivery] = walmart.parse({}, sample("return_created"), ITEMS)
    classified = classify(delivery.action.case.reason, delivery.action.case.marketplace_reason, "")
    assert (classified.scenario, classified.needs_agent) == (Scenario.SIZE_STYLE_MISMATCH, False)


def test_every_line_of_a_return_order_keeps_its_reason_and_is_classified_on_its_own():
    event = json.loads(sample("return_created_several_orders"))
    lines = event["payload"]["returnOrders"]
    lines[2]["returnOrderId"] = lines[0]["returnOrderId"]  # three lines, one return order
    lines[2]["purchaseOrderId"] = lines[0]["purchaseOrderId"]
    body = json.dumps(event).encode()
    items = {"106152711271982881": [SPEAKER, CABLE, CURTAIN]}
    reasons = {
        "106152711271982881": [
            "DEFECTIVE",
            "The charging cable was missing from the box",
            "Changed my mind, I do not need it anymore",
        ]
    }
    numbers = {"106152711271982881": [1, 2, 3]}
    deliveries = walmart.parse({}, body, items, reasons=reasons, line_numbers=numbers)
    event_id = "5b0e9f20-ed1b-11ee-a951-0242ac120002"
    assert [delivery.delivery_id for delivery in deliveries] == [
        f"{event_id}:106152711271982881",
        f"{event_id}:106152711271982881/2",
        f"{event_id}:106152711271982881/3",
    ]
    cases = [delivery.action.case for delivery in deliveries]
    assert [case.items for case in cases] == [[SPEAKER], [CABLE], [CURTAIN]]
    assert [scenario_of(case) for case in cases] == [
        Scenario.QUALITY_DEFECT,
        Scenario.FUNCTIONAL_FAULT,
        Scenario.CHANGED_MIND,
    ]
    # The notification's words for the first line ("DEFECTIVE") say nothing more.
    assert cases[0].buyer_words == ""
    assert {case.ids.return_id for case in cases} == {"106152711271982881"}


def test_lines_of_one_reason_stay_one_case():
    event = json.loads(sample("return_created_several_orders"))
    event["payload"]["returnOrders"][1]["returnReason"] = "DEFECTIVE"
    deliveries = walmart.parse({}, json.dumps(event).encode(), ITEMS)
    assert deliveries[0].action.case.items == [SPEAKER, CABLE]
    assert len(deliveries) == 2


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


# ---------------------------------------------------------------- the Returns API (returns_api.py)
TOKEN = "eyJraWQiOiIzZjVhYTFmNS1hYWE5LTQzM.wm-access-token"
RETURNS_PATH = "/v3/returns"
CLIENT_TIMEOUT = 1.0

LISTED_CURTAIN = Item(
    sku="CUR-BLK-5284-NVY",
    title="Blackout Curtain Panel 52 x 84 in, Navy",
    unit_price=Decimal("24.99"),
)
LISTED_SPEAKER = Item(
    sku="BT-SPK-200-BLK", title="Bluetooth Speaker 20W, Black", unit_price=Decimal("49.99")
)
LISTED_CABLE = Item(
    sku="USB-C-1M", title="USB-C Charging Cable 1 m", quantity=2, unit_price=Decimal("6.50")
)
JANE = BuyerContact(name="Jane Doe", email="3A31739D8B0A45A1B23F7F8C5A0B1F6E@relay.walmart.com")
MARCUS = BuyerContact(
    name="Marcus Reyes", email="9F2C04B7D1E34A8C8B5D6E7F01A2B3C4@relay.walmart.com"
)


def returns_sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_bytes())


def answer(httpserver: HTTPServer, return_order_id: str, body: dict, status: int = 200) -> None:
    httpserver.expect_request(
        RETURNS_PATH, method="GET", query_string={"returnOrderId": return_order_id}
    ).respond_with_json(body, status=status)


def answer_sample(httpserver: HTTPServer, return_order_id: str) -> None:
    answer(httpserver, return_order_id, returns_sample(f"returns_{return_order_id}"))


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
        yield client


async def read(client: httpx.AsyncClient, httpserver: HTTPServer, *return_order_ids: str):
    base_url = httpserver.url_for("/")
    return (await returns_api.read_return_orders(client, base_url, TOKEN, return_order_ids)).items


async def read_orders(client: httpx.AsyncClient, httpserver: HTTPServer, *return_order_ids: str):
    base_url = httpserver.url_for("/")
    return await returns_api.read_return_orders(client, base_url, TOKEN, return_order_ids)


def sent(httpserver: HTTPServer) -> list[Request]:
    return [request for request, _ in httpserver.log]


# A successful read


async def test_a_return_order_is_read_as_its_items(client, httpserver):
    answer_sample(httpserver, "106152711271982880")
    assert await read(client, httpserver, "106152711271982880") == {
        "106152711271982880": [LISTED_CURTAIN]
    }


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
    assert found.items == {"106152711271982880": [LISTED_CURTAIN]}
    assert found.buyers == {"106152711271982880": JANE}


async def test_a_return_order_that_names_no_customer_has_no_buyer(client, httpserver):
    found = returns_sample("returns_106152711271982880")
    del found["returnOrders"][0]["customerName"]
    found["returnOrders"][0]["customerEmailId"] = " "
    answer(httpserver, "106152711271982880", found)
    read_back = await read_orders(client, httpserver, "106152711271982880")
    assert read_back.items == {"106152711271982880": [LISTED_CURTAIN]}
    assert read_back.buyers == {}


async def test_a_customer_named_in_part_is_kept_in_part(client, httpserver):
    found = returns_sample("returns_106152711271982880")
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
    assert case.items == [LISTED_CURTAIN]
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
    deliveries = walmart.parse({}, body, found.items, found.buyers, found.reasons)
    first, cable, second = (delivery.action.case for delivery in deliveries)
    # ...881's lines were returned for different reasons: a case each.
    assert (first.items, first.buyer) == ([LISTED_SPEAKER], JANE)
    assert (cable.items, cable.buyer) == ([LISTED_CABLE], JANE)
    assert (second.items, second.buyer) == ([LISTED_CURTAIN], MARCUS)


async def test_the_items_alone_still_open_a_case_without_a_buyer(client, httpserver):
    answer_sample(httpserver, "106152711271982880")
    body = (SAMPLES / "return_created.json").read_bytes()
    items = await read(client, httpserver, *walmart.return_orders_to_read(body))
    [delivery] = walmart.parse({}, body, items)
    assert delivery.action.case.items == [LISTED_CURTAIN]
    assert delivery.action.case.buyer is None


async def test_without_a_unit_price_the_product_charge_per_unit_is_the_price(client, httpserver):
    found = returns_sample("returns_106152711271982880")
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
    found = returns_sample("returns_106152711271982880")
    line = found["returnOrders"][0]["returnOrderLines"][0]
    del line["unitPrice"]
    line["charges"] = []
    answer(httpserver, "106152711271982880", found)
    with pytest.raises(Refused, match="line 1 of return order .* has no unit price"):
        await read(client, httpserver, "106152711271982880")


async def test_a_price_in_another_currency_is_refused(client, httpserver):
    found = returns_sample("returns_106152711271982880")
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
            json.dumps(returns_sample("returns_106152711271982880")),
            content_type="application/json",
        )

    httpserver.expect_request(RETURNS_PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await read(client, httpserver, "106152711271982880")
    answered.set()


async def test_an_unreachable_walmart_is_transient(client):
    with pytest.raises(Unavailable, match="unreachable"):
        await returns_api.read_return_orders(
            client, "http://127.0.0.1:9", TOKEN, ["106152711271982880"]
        )


# Issuing a refund (returns_api.issue_refund)


async def test_a_refund_answered_with_something_else_than_walmarts_answer_is_transient(
    client, httpserver
):
    # The refund may have been made: a retry must read the return order back first.
    order = returns_api.ReturnOrder.model_validate(
        returns_sample("returns_106152711271982881")["returnOrders"][0]
    )
    httpserver.expect_request(
        "/v3/returns/106152711271982881/refund", method="POST"
    ).respond_with_data("<html>OK</html>", content_type="text/html")
    with pytest.raises(Unavailable):
        await returns_api.issue_refund(
            client, httpserver.url_for("/"), TOKEN, order, order.return_order_lines
        )


async def test_a_refund_names_the_customer_order_and_each_line(client, httpserver):
    order = returns_api.ReturnOrder.model_validate(
        returns_sample("returns_106152711271982881")["returnOrders"][0]
    )
    httpserver.expect_request(
        "/v3/returns/106152711271982881/refund",
        method="POST",
        json={
            "customerOrderId": "200011888200325",
            "refundLines": [{"returnOrderLineNumber": 1}, {"returnOrderLineNumber": 2}],
        },
    ).respond_with_json(
        {"returnOrderId": "106152711271982881", "customerOrderId": "200011888200325"}
    )
    issued = await returns_api.issue_refund(
        client, httpserver.url_for("/"), TOKEN, order, order.return_order_lines
    )
    assert issued.return_order_id == "106152711271982881"
