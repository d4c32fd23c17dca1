"""Walmart Marketplace, emulated (`/walmart`), through the ASGI transport: the Token API, the
Returns and Orders calls, Walmart's refusals, and the ledger a test counts refunds in."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deploy.emulators import walmart
from deploy.emulators.app import emulated_settings
from deploy.emulators.listings import walmart_gtin, walmart_spec_item
from deploy.emulators.shopify.catalogue import all_listed
from tests.emulated import Clock, emulators_on

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CLIENT = ("wm-test-client", "wm-test-client-secret")
# Return orders whose lines the emulator derives from their ids (see the tests below).
ONE_LINE = "300000000000000004"  # a curtain, SHIPPING_BOX_DAMAGED
TWO_LINES = "300000000000000001"  # a charger ("I can't figure out how to pair it..."), a speaker
THREE_LINES = "300000000000000009"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def http(clock):
    async with emulators_on(clock) as http:
        yield http


async def new_token(http: httpx.AsyncClient, auth=CLIENT, grant="client_credentials"):
    return await http.post(
        "/walmart/v3/token",
        data={"grant_type": grant},
        auth=auth,
        headers={"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "c-1"},
    )


async def headers_for(http: httpx.AsyncClient) -> dict[str, str]:
    token = (await new_token(http)).json()["access_token"]
    return {
        "WM_SEC.ACCESS_TOKEN": token,
        "WM_SVC.NAME": "Walmart Marketplace",
        "WM_QOS.CORRELATION_ID": "c-2",
    }


async def read_return(http: httpx.AsyncClient, return_order_id: str, headers) -> dict:
    response = await http.get(
        "/walmart/v3/returns", params={"returnOrderId": return_order_id}, headers=headers
    )
    assert response.status_code == 200, response.text
    [found] = response.json()["returnOrders"]
    return found


def test_the_services_are_pointed_at_it():
    assert emulated_settings("http://127.0.0.1:8099")["WALMART_API_BASE_URL"] == (
        "http://127.0.0.1:8099/walmart"
    )


# The Token API


async def test_a_known_client_gets_a_fifteen_minute_token(http):
    response = await new_token(http)
    assert response.status_code == 200
    issued = response.json()
    assert (issued["token_type"], issued["expires_in"]) == ("Bearer", 900)
    assert len(issued["access_token"]) > 20
    [listed] = (await http.get("/_emulator/walmart/tokens")).json()["tokens"]
    assert listed["client_id"] == "wm-test-client"
    assert listed["expires_at"] == "2026-12-04T12:15:00.000Z"
    assert issued["access_token"] not in str(listed)  # the ledger never shows a token


@pytest.mark.parametrize(
    "auth", [("wm-test-client", "wrong"), ("someone-else", "wm-test-client-secret"), None]
)
async def test_wrong_client_credentials_get_walmarts_401(http, auth):
    response = await new_token(http, auth=auth)
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["code"] == "UNAUTHORIZED.GMP_GATEWAY_API"
    assert (error["severity"], error["category"]) == ("ERROR", "DATA")


async def test_another_grant_is_a_bad_request(http):
    response = await new_token(http, grant="authorization_code")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "grant_type"


async def test_a_rotated_secret_takes_the_place_of_the_old_one(http):
    rotated = {"client_secret": "wm-test-client-secret-2"}
    assert (
        await http.put("/_emulator/walmart/clients/wm-test-client", json=rotated)
    ).status_code == 204
    assert (await new_token(http)).status_code == 401
    assert (await new_token(http, auth=("wm-test-client", "wm-test-client-secret-2"))).is_success


async def test_the_token_detail_names_the_scopes(http):
    headers = await headers_for(http)
    detail = (await http.get("/walmart/v3/token/detail", headers=headers)).json()
    assert detail["isValid"] is True
    assert detail["scopes"]["returns"] == "full_access"


# Every other call: headers and token


async def test_a_call_without_a_token_is_unauthorized(http):
    headers = {"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "c-3"}
    response = await http.get(
        "/walmart/v3/returns", params={"returnOrderId": ONE_LINE}, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED.GMP_GATEWAY_API"


async def test_a_token_is_refused_once_its_fifteen_minutes_are_over(http, clock):
    headers = await headers_for(http)
    clock.now = NOW + timedelta(minutes=14, seconds=59)
    assert (await http.get("/walmart/v3/token/detail", headers=headers)).status_code == 200
    clock.now = NOW + timedelta(minutes=15)
    assert (await http.get("/walmart/v3/token/detail", headers=headers)).status_code == 401


async def test_revoked_tokens_are_refused(http):
    headers = await headers_for(http)
    assert (await http.delete("/_emulator/walmart/tokens")).status_code == 204
    assert (await http.get("/walmart/v3/token/detail", headers=headers)).status_code == 401
    [listed] = (await http.get("/_emulator/walmart/tokens")).json()["tokens"]
    assert listed["revoked"] is True


async def test_a_shorter_token_lifetime_can_be_set(http):
    assert (
        await http.put("/_emulator/walmart/token-lifetime", json={"seconds": 125})
    ).status_code == 204
    assert (await new_token(http)).json()["expires_in"] == 125


@pytest.mark.parametrize("missing", ["WM_SVC.NAME", "WM_QOS.CORRELATION_ID"])
async def test_a_call_without_walmarts_headers_is_a_bad_request(http, missing):
    headers = await headers_for(http)
    del headers[missing]
    response = await http.get("/walmart/v3/token/detail", headers=headers)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["code"], error["field"]) == ("MISSING_REQUEST_HEADER", missing)


async def test_faults_apply_to_walmart(http):
    await http.put("/_emulator/faults/walmart", json={"status": 429, "times": 1, "retry_after": 7})
    response = await new_token(http)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
    assert (await new_token(http)).status_code == 200


# Return orders: any id, always the same


async def test_a_return_order_is_the_same_every_time_it_is_read(http):
    headers = await headers_for(http)
    first = await read_return(http, THREE_LINES, headers)
    again = await read_return(http, THREE_LINES, headers)
    assert first == again
    assert first["returnOrderId"] == THREE_LINES
    assert first["customerOrderId"].startswith("2")
    assert first["customerEmailId"].endswith("@relay.walmart.com")
    lines = first["returnOrderLines"]
    assert [line["returnOrderLineNumber"] for line in lines] == [1, 2, 3]
    assert len({line["item"]["sku"] for line in lines}) == 3
    assert len({line["returnReason"] for line in lines}) == 3  # each its own reason
    for line in lines:
        assert line["unitPrice"]["currencyUnit"] == "USD"
        assert line["unitPrice"]["currencyAmount"] > 0
        assert line["purchaseOrderId"] == walmart.purchase_order_id_of(THREE_LINES)
        assert (line["refundedQty"], line["status"]) == (0.0, "INITIATED")


async def test_some_lines_give_the_customers_own_words_as_reason(http):
    headers = await headers_for(http)
    found = await read_return(http, TWO_LINES, headers)
    reasons = [line["returnReason"] for line in found["returnOrderLines"]]
    assert reasons == ["I can't figure out how to pair it with my phone", "NO_LONGER_WANTED"]


async def test_many_ids_give_every_kind_of_return():
    shapes = {
        (len(returned.lines), any(" " in line.reason for line in returned.lines))
        for returned in (walmart.return_order(f"4{n:017d}") for n in range(200))
    }
    assert shapes == {(1, False), (1, True), (2, False), (2, True), (3, False), (3, True)}


async def test_an_id_walmart_would_not_give_names_no_return_order(http):
    headers = await headers_for(http)
    response = await http.get(
        "/walmart/v3/returns", params={"returnOrderId": "not-a-walmart-id"}, headers=headers
    )
    assert response.json() == {
        "meta": {"totalCount": 0, "limit": 10, "nextCursor": None},
        "returnOrders": [],
    }


async def test_the_purchase_order_has_the_returned_lines_and_a_us_address(http):
    headers = await headers_for(http)
    returned = await read_return(http, TWO_LINES, headers)
    purchase_order_id = walmart.purchase_order_id_of(TWO_LINES)
    order = (await http.get(f"/walmart/v3/orders/{purchase_order_id}", headers=headers)).json()
    order = order["order"]
    assert order["customerOrderId"] == returned["customerOrderId"]
    assert order["shippingInfo"]["postalAddress"]["country"] == "USA"
    ordered = {line["lineNumber"]: line for line in order["orderLines"]["orderLine"]}
    for line in returned["returnOrderLines"]:
        on_order = ordered[str(line["purchaseOrderLineNumber"])]
        assert on_order["item"]["sku"] == line["item"]["sku"]


# Issue refund: whole lines, once


async def refund_return(http, headers, return_order_id, *line_numbers, customer_order_id=None):
    returned = await read_return(http, return_order_id, headers)
    body = {
        "customerOrderId": customer_order_id or returned["customerOrderId"],
        "refundLines": [{"returnOrderLineNumber": number} for number in line_numbers],
    }
    return await http.post(
        f"/walmart/v3/returns/{return_order_id}/refund", json=body, headers=headers
    )


async def refunds(http) -> list[dict]:
    return (await http.get("/_emulator/walmart/refunds")).json()["refunds"]


async def test_a_return_order_is_refunded_once_and_reads_back_refunded(http):
    headers = await headers_for(http)
    response = await refund_return(http, headers, TWO_LINES, 1, 2)
    assert response.status_code == 200
    answer = response.json()
    assert answer["returnOrderId"] == TWO_LINES
    assert [line["returnOrderLineNumber"] for line in answer["refundLines"]] == [1, 2]
    [refund] = await refunds(http)
    assert (refund["kind"], refund["return_order_id"], refund["amount"]) == (
        "return",
        TWO_LINES,
        "85.98",  # 35.99 + 49.99
    )
    again = await refund_return(http, headers, TWO_LINES, 1)
    assert again.status_code == 400
    assert "Requested quantity is not available" in again.json()["errors"][0]["description"]
    assert len(await refunds(http)) == 1
    lines = (await read_return(http, TWO_LINES, headers))["returnOrderLines"]
    assert [(line["refundedQty"], line["currentRefundStatus"]) for line in lines] == [
        (1.0, "REFUND_COMPLETED"),
        (1.0, "REFUND_COMPLETED"),
    ]


async def test_a_refund_of_a_line_refunded_and_one_not_refunds_neither(http):
    headers = await headers_for(http)
    assert (await refund_return(http, headers, TWO_LINES, 1)).status_code == 200
    assert (await refund_return(http, headers, TWO_LINES, 2, 1)).status_code == 400
    lines = (await read_return(http, TWO_LINES, headers))["returnOrderLines"]
    assert [line["refundedQty"] for line in lines] == [1.0, 0.0]


async def test_several_lines_need_their_numbers(http):
    headers = await headers_for(http)
    returned = await read_return(http, TWO_LINES, headers)
    body = {"customerOrderId": returned["customerOrderId"], "refundLines": [{}]}
    response = await http.post(
        f"/walmart/v3/returns/{TWO_LINES}/refund", json=body, headers=headers
    )
    assert response.status_code == 400
    assert "more than one line" in response.json()["errors"][0]["description"]
    # A return order of one line refunds it without its number.
    one = await read_return(http, ONE_LINE, headers)
    body = {"customerOrderId": one["customerOrderId"], "refundLines": [{}]}
    response = await http.post(f"/walmart/v3/returns/{ONE_LINE}/refund", json=body, headers=headers)
    assert response.json()["refundLines"][0]["returnOrderLineNumber"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"refundLines": [{"returnOrderLineNumber": 1}]}, "customerOrderId"),
        ({"customerOrderId": "200000000000000", "refundLines": []}, "refundLines"),
        (
            {"customerOrderId": "999", "refundLines": [{"returnOrderLineNumber": 1}]},
            "customerOrderId",
        ),
        ("customerOrderId=1", "body"),
    ],
)
async def test_a_malformed_refund_names_the_field_and_refunds_nothing(http, body, field):
    headers = await headers_for(http)
    kwargs = {"json": body} if isinstance(body, dict) else {"content": body}
    response = await http.post(f"/walmart/v3/returns/{ONE_LINE}/refund", headers=headers, **kwargs)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert await refunds(http) == []


# Refund Order Lines: an amount, read back by its comment


def order_refund(line_number: str, amount: float, comments: str = "after-sales refund r-1"):
    charge = {
        "refundReason": "Finance -> Goodwill",
        "charge": {
            "chargeType": "PRODUCT",
            "chargeName": "ItemPrice",
            "chargeAmount": {"currency": "USD", "amount": amount},
        },
    }
    return {
        "lineNumber": line_number,
        "isFullRefund": False,
        "refunds": {
            "refund": [{"refundComments": comments, "refundCharges": {"refundCharge": [charge]}}]
        },
    }


async def refund_order(http, headers, purchase_order_id, *lines):
    body = {
        "orderRefund": {
            "purchaseOrderId": purchase_order_id,
            "orderLines": {"orderLine": list(lines)},
        }
    }
    return await http.post(
        f"/walmart/v3/orders/{purchase_order_id}/refund", json=body, headers=headers
    )


async def test_an_amount_is_refunded_and_the_order_shows_it(http):
    headers = await headers_for(http)
    purchase_order_id = walmart.purchase_order_id_of(ONE_LINE)
    response = await refund_order(http, headers, purchase_order_id, order_refund("1", -4.95))
    assert response.status_code == 200
    [line] = [
        line
        for line in response.json()["order"]["orderLines"]["orderLine"]
        if line["lineNumber"] == "1"
    ]
    assert line["refund"]["refundComments"] == "after-sales refund r-1"
    assert line["refund"]["refundId"] == "wm-rf-000001"
    [refund] = await refunds(http)
    assert (refund["kind"], refund["amount"]) == ("order", "4.95")
    read = (await http.get(f"/walmart/v3/orders/{purchase_order_id}", headers=headers)).json()
    assert read == response.json()


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([order_refund("1", 4.95)], "amount"),  # not negative
        ([order_refund("1", -1000.0)], "amount"),  # more than the line was charged
        ([order_refund("1", -1.0), order_refund("9", -1.0)], "lineNumber"),  # all or none
    ],
)
async def test_a_refund_walmart_would_refuse_refunds_nothing(http, lines, field):
    headers = await headers_for(http)
    purchase_order_id = walmart.purchase_order_id_of(ONE_LINE)
    response = await refund_order(http, headers, purchase_order_id, *lines)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert await refunds(http) == []


async def test_refunds_of_a_line_add_up_to_no_more_than_it_was_charged(http):
    headers = await headers_for(http)
    purchase_order_id = walmart.purchase_order_id_of(ONE_LINE)
    charged = float(walmart.purchase_order(purchase_order_id).lines[0].charged)
    all_but_a_dollar = order_refund("1", round(1 - charged, 2))
    assert (await refund_order(http, headers, purchase_order_id, all_but_a_dollar)).is_success
    assert (
        await refund_order(http, headers, purchase_order_id, order_refund("1", -1.01))
    ).status_code == 400
    assert (
        await refund_order(http, headers, purchase_order_id, order_refund("1", -1.0))
    ).is_success


# What Walmart sends


def test_a_return_created_names_each_returned_line_with_its_reason():
    event = walmart.return_created([TWO_LINES], "10900015773", "evt-1", NOW)
    assert event["source"] == {
        "eventType": "RETURN_CREATED",
        "eventTime": "2026-12-04T12:00:00.000Z",
        "eventId": "evt-1",
    }
    assert event["payload"]["partnerId"] == "10900015773"
    lines = event["payload"]["returnOrders"]
    assert [line["returnOrderId"] for line in lines] == [TWO_LINES, TWO_LINES]
    assert [line["returnReason"] for line in lines] == [
        "I can't figure out how to pair it with my phone",
        "NO_LONGER_WANTED",
    ]
    assert all(line["quantity"].isdigit() for line in lines)
    assert lines[0]["purchaseOrderId"] == walmart.purchase_order_id_of(TWO_LINES)


async def test_item_search_answers_an_item_s_listing_in_the_spec_format(http):
    """By GTIN (or UPC) and `responseFormat=SPEC`: the one item, its listing as the item
    setup spec shapes it; an identifier of none is `{}`; a keyword or the default format
    is refused; no token, 401."""
    headers = await headers_for(http)
    speaker = next(one for one in all_listed() if one.variant.sku == "BT-SPK-200-BLK")
    gtin = walmart_gtin(speaker)
    search = "/walmart/v3/items/walmart/search"
    found = await http.get(search, params={"gtin": gtin, "responseFormat": "SPEC"}, headers=headers)
    assert found.status_code == 200, found.text
    [item] = found.json()["MPItem"]
    assert item == walmart_spec_item(speaker)
    assert item["Orderable"]["productIdentifiers"]["productId"] == gtin
    by_upc = await http.get(
        search, params={"upc": gtin[2:], "responseFormat": "SPEC"}, headers=headers
    )
    assert by_upc.json()["MPItem"] == [item]
    none = await http.get(
        search, params={"gtin": "00000000000000", "responseFormat": "SPEC"}, headers=headers
    )
    assert (none.status_code, none.json()) == (200, {})
    for refused in ({"query": "speaker"}, {"gtin": gtin}, {"responseFormat": "SPEC"}):
        answer = await http.get(search, params=refused, headers=headers)
        assert answer.status_code == 400, refused
        assert answer.json()["errors"][0]["code"]
    unsigned = {k: v for k, v in headers.items() if k != "WM_SEC.ACCESS_TOKEN"}
    assert (await http.get(search, params={"gtin": gtin}, headers=unsigned)).status_code == 401
