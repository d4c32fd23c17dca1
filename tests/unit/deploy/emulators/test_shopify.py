"""Shopify's Admin GraphQL API, emulated (`/shopify/{shop}/admin/api/{version}/graphql.json`),
through the ASGI transport: orders for any id, returns it is told of and their moves,
refunds once per idempotency key, the token, the cost bucket, and the ledger."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from deploy.emulators.app import create_app, emulated_settings
from deploy.emulators.shopify.catalogue import (
    TRANSLATED_TITLES,
    listed_products,
    translated_description_html,
)
from deploy.emulators.shopify.orders import (
    CURRENCY_OF_COUNTRY,
    catalogue,
    emulated_order,
    recent_order_ids,
    return_request,
)
from deploy.emulators.shopify.webhooks import signed_headers
from services.intake.channels.shopify import webhook as shopify
from services.intake.domain.case import Item
from shared.markets import MARKET_ALIASES, Currency, Market

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SHOP = "linen-home.myshopify.com"
TOKEN = "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"
GRAPHQL = f"/shopify/{SHOP}/admin/api/2026-10/graphql.json"

ORDER_QUERY = """
query ($id: ID!) {
  order(id: $id) {
    id
    name
    presentmentCurrencyCode
    customer { id }
    shippingAddress { countryCodeV2 city zip }
    lineItems(first: 10) {
      nodes {
        id
        sku
        quantity
        discountedUnitPriceAfterAllDiscountsSet { presentmentMoney { amount currencyCode } }
      }
    }
    transactions(first: 5) { id kind status gateway amountSet { presentmentMoney { amount } } }
  }
}
"""

RETURN_QUERY = """
query ($id: ID!) {
  return(id: $id) {
    id
    status
    requestApprovedAt
    decline { reason note }
    order { id }
    returnLineItems(first: 10) {
      nodes {
        id
        quantity
        ... on ReturnLineItem {
          returnReason
          returnReasonNote
          fulfillmentLineItem { lineItem { id sku } }
        }
      }
    }
  }
}
"""

APPROVE = """
mutation ($id: ID!) {
  returnApproveRequest(input: {id: $id}) {
    return { id status }
    userErrors { code field message }
  }
}
"""

DECLINE = """
mutation ($id: ID!) {
  returnDeclineRequest(input: {id: $id, declineReason: FINAL_SALE, declineNote: "Sale item"}) {
    return { id status }
    userErrors { code field message }
  }
}
"""

REFUND = """
mutation ($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id note totalRefundedSet { presentmentMoney { amount currencyCode } } }
    userErrors { field message }
  }
}
"""


@pytest.fixture
async def http():
    transport = httpx.ASGITransport(app=create_app(now=lambda: NOW))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators") as client:
        yield client


async def ask(http: httpx.AsyncClient, query: str, token: str = TOKEN, **variables) -> dict:
    response = await http.post(
        GRAPHQL,
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": token},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def order(http: httpx.AsyncClient, order_id: int) -> dict:
    return (await ask(http, ORDER_QUERY, id=f"gid://shopify/Order/{order_id}"))["data"]["order"]


async def adopt(http: httpx.AsyncClient, body: dict, shop: str = SHOP) -> httpx.Response:
    return await http.post(f"/_emulator/shopify/{shop}/returns", json=body)


def test_make_run_and_the_tests_point_intake_at_one_emulator_for_every_shop():
    settings = emulated_settings("http://127.0.0.1:8099")
    assert settings["SHOPIFY_ADMIN_BASE_URL"] == "http://127.0.0.1:8099/shopify/{shop}"


# Orders


async def test_any_order_is_answered_and_always_the_same(http):
    first, again = await order(http, 820982911), await order(http, 820982911)
    assert first == again
    assert first["id"] == "gid://shopify/Order/820982911"
    country = first["shippingAddress"]["countryCodeV2"]
    assert first["presentmentCurrencyCode"] == CURRENCY_OF_COUNTRY[country]
    skus = {product.sku for product in catalogue()[0]}
    lines = first["lineItems"]["nodes"]
    assert 1 <= len(lines) <= 3 and all(line["sku"] in skus for line in lines)
    for line in lines:
        money = line["discountedUnitPriceAfterAllDiscountsSet"]["presentmentMoney"]
        assert Decimal(money["amount"]) > 0 and money["currencyCode"] == country_currency(first)
    [sale] = first["transactions"]
    total = sum(
        Decimal(line["discountedUnitPriceAfterAllDiscountsSet"]["presentmentMoney"]["amount"])
        * line["quantity"]
        for line in lines
    )
    assert (sale["kind"], sale["status"]) == ("SALE", "SUCCESS")
    assert Decimal(sale["amountSet"]["presentmentMoney"]["amount"]) == total


def country_currency(order: dict) -> str:
    return CURRENCY_OF_COUNTRY[order["shippingAddress"]["countryCodeV2"]]


async def test_orders_differ_by_id(http):
    answers = [await order(http, order_id) for order_id in range(1001, 1011)]
    assert len({a["customer"]["id"] for a in answers}) == 10
    assert len({a["shippingAddress"]["countryCodeV2"] for a in answers}) > 1


async def test_every_answer_says_what_it_cost_and_what_is_left(http):
    answer = await ask(http, ORDER_QUERY, id="gid://shopify/Order/1001")
    cost = answer["extensions"]["cost"]
    assert cost["requestedQueryCost"] > cost["actualQueryCost"] > 0
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0
    assert cost["throttleStatus"]["restoreRate"] == 100.0


async def test_a_field_shopify_does_not_have_is_a_graphql_error(http):
    answer = await ask(http, '{ order(id: "gid://shopify/Order/1") { id favouriteColour } }')
    assert "data" not in answer
    assert "favouriteColour" in answer["errors"][0]["message"]


async def test_an_id_that_is_not_an_order_has_no_order(http):
    answer = await ask(http, '{ order(id: "gid://shopify/Product/1") { id } }')
    assert answer["data"] == {"order": None}


async def test_the_shop_is_named_after_its_domain(http):
    answer = await ask(http, "{ shop { name myshopifyDomain } }")
    assert answer["data"]["shop"] == {"name": "Linen Home", "myshopifyDomain": SHOP}


# The token, the body and the version


@pytest.mark.parametrize("token", [None, "", "not-a-shopify-token"])
async def test_a_missing_or_foreign_token_is_401_as_shopify_answers(http, token):
    headers = {"X-Shopify-Access-Token": token} if token is not None else {}
    response = await http.post(GRAPHQL, json={"query": "{ shop { name } }"}, headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


async def test_a_body_without_a_query_is_400(http):
    response = await http.post(GRAPHQL, json={}, headers={"X-Shopify-Access-Token": TOKEN})
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


async def test_an_unknown_api_version_is_404(http):
    response = await http.post(
        f"/shopify/{SHOP}/admin/api/latest/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert response.status_code == 404


# Returns


async def test_a_return_it_is_told_of_is_known_with_its_lines_in_its_order(http):
    body = return_request(5001, 945001, [("defective", "Arrived cracked"), ("color", "")])
    adopted = await adopt(http, body)
    assert adopted.status_code == 201
    assert adopted.json()["status"] == "REQUESTED"
    found = (await ask(http, RETURN_QUERY, id="gid://shopify/Return/945001"))["data"]["return"]
    assert (found["status"], found["requestApprovedAt"]) == ("REQUESTED", None)
    assert found["order"]["id"] == "gid://shopify/Order/5001"
    assert [
        (line["returnReason"], line["returnReasonNote"])
        for line in found["returnLineItems"]["nodes"]
    ] == [("DEFECTIVE", "Arrived cracked"), ("COLOR", "")]
    ordered = {line["id"] for line in (await order(http, 5001))["lineItems"]["nodes"]}
    returned = {
        line["fulfillmentLineItem"]["lineItem"]["id"] for line in found["returnLineItems"]["nodes"]
    }
    assert returned <= ordered


async def test_a_sample_returns_line_items_join_its_order(http):
    body = return_request(5002, 945002, [("unwanted", "")])
    body["return_line_items"][0]["fulfillment_line_item"]["line_item"]["id"] = 466157049
    await adopt(http, body)
    ordered = [line["id"] for line in (await order(http, 5002))["lineItems"]["nodes"]]
    assert "gid://shopify/LineItem/466157049" in ordered


async def test_a_return_it_was_not_told_of_is_null(http):
    answer = await ask(http, RETURN_QUERY, id="gid://shopify/Return/1")
    assert answer["data"] == {"return": None}


async def test_a_requested_return_is_approved_once_and_the_ledger_says_so(http):
    await adopt(http, return_request(5003, 945003, [("defective", "")]))
    approved = await ask(http, APPROVE, id="gid://shopify/Return/945003")
    assert approved["data"]["returnApproveRequest"] == {
        "return": {"id": "gid://shopify/Return/945003", "status": "OPEN"},
        "userErrors": [],
    }
    again = (await ask(http, APPROVE, id="gid://shopify/Return/945003"))["data"]
    assert again["returnApproveRequest"]["return"] is None
    [error] = again["returnApproveRequest"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_STATE", ["input", "id"])
    found = (await ask(http, RETURN_QUERY, id="gid://shopify/Return/945003"))["data"]["return"]
    assert found["requestApprovedAt"] == "2026-11-23T12:00:00Z"
    actions = (await http.get("/_emulator/shopify/return-actions")).json()["actions"]
    assert [(a["return_id"], a["action"]) for a in actions] == [
        ("gid://shopify/Return/945003", "approve")
    ]


async def test_a_declined_return_keeps_its_reason_and_note(http):
    await adopt(http, return_request(5004, 945004, [("unwanted", "")]))
    await ask(http, DECLINE, id="gid://shopify/Return/945004")
    found = (await ask(http, RETURN_QUERY, id="gid://shopify/Return/945004"))["data"]["return"]
    assert found["status"] == "DECLINED"
    assert found["decline"] == {"reason": "FINAL_SALE", "note": "Sale item"}


async def test_an_unknown_return_cannot_be_approved(http):
    answer = (await ask(http, APPROVE, id="gid://shopify/Return/404"))["data"]
    assert answer["returnApproveRequest"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_the_merchant_may_cancel_or_close_a_return(http):
    await adopt(http, return_request(5005, 945005, [("unwanted", "")]))
    await ask(http, APPROVE, id="gid://shopify/Return/945005")
    closed = await ask(
        http,
        "mutation ($id: ID!) { returnClose(id: $id) { return { status } userErrors { code } } }",
        id="gid://shopify/Return/945005",
    )
    assert closed["data"]["returnClose"] == {"return": {"status": "CLOSED"}, "userErrors": []}


async def test_a_return_told_as_open_was_approved(http):
    body = {**return_request(5006, 945006, [("unwanted", "")]), "status": "open"}
    await adopt(http, body)
    found = (await ask(http, RETURN_QUERY, id="gid://shopify/Return/945006"))["data"]["return"]
    assert found["status"] == "OPEN" and found["requestApprovedAt"] is not None


async def test_a_return_body_that_is_not_shopifys_names_the_field(http):
    response = await adopt(http, {"id": 1, "order": {}})
    assert response.status_code == 422
    assert "order.id" in response.json()["detail"]


# Refunds


async def refund_input(http: httpx.AsyncClient, order_id: int, amount: str) -> dict:
    paid = await order(http, order_id)
    [sale] = [t for t in paid["transactions"] if t["kind"] == "SALE"]
    return {
        "orderId": paid["id"],
        "currency": paid["presentmentCurrencyCode"],
        "note": "partial refund [after-sales refund ref-1]",
        "transactions": [
            {
                "orderId": paid["id"],
                "parentId": sale["id"],
                "gateway": sale["gateway"],
                "kind": "REFUND",
                "amount": amount,
            }
        ],
    }


async def test_a_refund_is_made_once_per_idempotency_key_and_kept_in_the_ledger(http):
    refund = await refund_input(http, 6001, "5.00")
    first = (await ask(http, REFUND, input=refund, key="ref-1"))["data"]["refundCreate"]
    again = (await ask(http, REFUND, input=refund, key="ref-1"))["data"]["refundCreate"]
    assert first["userErrors"] == [] and first == again
    assert first["refund"]["totalRefundedSet"]["presentmentMoney"]["amount"] == "5.00"
    [made] = (await http.get("/_emulator/shopify/refunds")).json()["refunds"]
    assert made["refund_id"] == first["refund"]["id"]
    assert (made["shop"], made["order_id"], made["amount"]) == (SHOP, 6001, "5.00")
    assert (made["idempotency_key"], made["note"]) == ("ref-1", refund["note"])
    listed = await order_refunds(http, 6001)
    assert [r["id"] for r in listed] == [first["refund"]["id"]]


async def order_refunds(http: httpx.AsyncClient, order_id: int) -> list[dict]:
    query = "query ($id: ID!) { order(id: $id) { refunds(first: 10) { id note } } }"
    return (await ask(http, query, id=f"gid://shopify/Order/{order_id}"))["data"]["order"][
        "refunds"
    ]


async def test_the_same_key_with_other_parameters_is_refused(http):
    await ask(http, REFUND, input=await refund_input(http, 6002, "5.00"), key="ref-2")
    other = await ask(http, REFUND, input=await refund_input(http, 6002, "6.00"), key="ref-2")
    [error] = other["data"]["refundCreate"]["userErrors"]
    assert "idempotency key" in error["message"]
    assert len((await http.get("/_emulator/shopify/refunds")).json()["refunds"]) == 1


async def test_a_refund_without_the_idempotent_directive_is_an_error(http):
    refund = await refund_input(http, 6003, "5.00")
    query = REFUND.replace(" @idempotent(key: $key)", "").replace(", $key: String!", "")
    answer = await ask(http, query, input=refund)
    assert answer["data"] == {"refundCreate": None}
    assert "@idempotent" in answer["errors"][0]["message"]


async def test_no_more_than_was_paid_is_refunded(http):
    too_much = await refund_input(http, 6004, "100000.00")
    answer = await ask(http, REFUND, input=too_much, key="k")
    [error] = answer["data"]["refundCreate"]["userErrors"]
    assert error["field"] == ["transactions", "0", "amount"]
    again = await ask(http, REFUND, input=too_much, key="k")  # a refusal replays as one
    assert again["data"]["refundCreate"]["userErrors"] == [error]
    assert (await http.get("/_emulator/shopify/refunds")).json()["refunds"] == []


async def test_a_refund_goes_back_to_a_payment_of_the_order(http):
    refund = await refund_input(http, 6005, "1.00")
    refund["transactions"][0]["parentId"] = "gid://shopify/OrderTransaction/1"
    answer = await ask(http, REFUND, input=refund, key="k")
    assert answer["data"]["refundCreate"]["userErrors"][0]["field"] == [
        "transactions",
        "0",
        "parentId",
    ]


# The cost bucket and faults


async def test_a_drained_bucket_throttles_costly_queries(http):
    response = await http.put(
        f"/_emulator/shopify/{SHOP}/bucket", json={"currently_available": 0, "restore_rate": 1}
    )
    assert response.status_code == 204
    answer = await ask(http, ORDER_QUERY, id="gid://shopify/Order/1001")
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == "THROTTLED"
    cost = answer["extensions"]["cost"]
    assert cost["actualQueryCost"] is None and cost["requestedQueryCost"] > 0
    assert cost["throttleStatus"]["restoreRate"] == 1
    other_shop = "/shopify/other.myshopify.com/admin/api/2026-10/graphql.json"
    response = await http.post(
        other_shop,
        json={"query": ORDER_QUERY, "variables": {"id": "gid://shopify/Order/1001"}},
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert "data" in response.json()  # each shop has its own bucket


async def test_an_outage_of_shopify_is_a_503_with_retry_after(http):
    await http.put("/_emulator/faults/shopify", json={"outage_seconds": 30})
    response = await http.post(GRAPHQL, json={"query": "{ shop { name } }"})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0


# Shopify's side of a webhook


def test_a_delivery_signed_as_shopify_signs_is_genuine_to_intake():
    body = json.dumps(return_request(5007, 945007, [("unwanted", "")])).encode()
    headers = signed_headers(SHOP, "shpss_new_0b6c1e", "returns/request", body, "evt-7", NOW)
    shopify.verify(headers, body, ["shpss_new_0b6c1e"], NOW)
    assert shopify.account_of(headers, body) == SHOP
    [delivery] = shopify.parse(headers, body, emulated_shopify_order(5007))
    assert delivery.delivery_id == "return-945007"  # the return, signed; not the event id
    assert headers["X-Shopify-Triggered-At"] == "2026-11-23T12:00:00+00:00"


def emulated_shopify_order(order_id: int) -> shopify.ShopifyOrder:
    """The emulated order as intake's order reader would make it (a unit-level shortcut)."""
    order = emulated_order(order_id)
    return shopify.ShopifyOrder(
        market=Market(MARKET_ALIASES.get(order.buyer.country, order.buyer.country)),
        currency=Currency(order.currency),
        buyer_ref=str(order.customer_id),
        items={
            line.line_item_id: Item(sku=line.product.sku, unit_price=line.product.price)
            for line in order.lines
        },
    )


CLOSE = """
mutation ($id: ID!) {
  returnClose(id: $id) { return { status } userErrors { code field message } }
}
"""
DECLINE_WITH = """
mutation ($id: ID!, $reason: ReturnDeclineReason!, $note: String) {
  returnDeclineRequest(input: {id: $id, declineReason: $reason, declineNote: $note}) {
    return { status }
    userErrors { code field message }
  }
}
"""


async def test_only_a_requested_return_not_refunded_is_declined_as_shopify_says(http):
    await adopt(http, {**return_request(5007, 945007, [("unwanted", "")]), "status": "open"})
    refused = (await ask(http, DECLINE, id="gid://shopify/Return/945007"))["data"]
    assert refused["returnDeclineRequest"]["userErrors"] == [
        {
            "code": "INVALID_STATE",
            "field": ["input", "id"],
            "message": "Return is not declinable. Only non-refunded returns with status "
            "REQUESTED can be declined.",
        }
    ]
    await adopt(http, return_request(5008, 945008, [("unwanted", "")]))
    await ask(http, DECLINE, id="gid://shopify/Return/945008")
    again = (await ask(http, DECLINE, id="gid://shopify/Return/945008"))["data"]
    assert again["returnDeclineRequest"]["userErrors"][0]["message"] == (
        "The return is already declined."
    )


async def test_a_decline_takes_one_of_shopifys_reasons_and_a_note_of_500_characters(http):
    await adopt(http, return_request(5009, 945009, [("unwanted", "")]))
    gid = "gid://shopify/Return/945009"
    unknown = await ask(http, DECLINE_WITH, id=gid, reason="KEPT_BY_BUYER", note="x")
    assert unknown.get("data") is None and unknown["errors"]  # not a ReturnDeclineReason
    long = (await ask(http, DECLINE_WITH, id=gid, reason="OTHER", note="x" * 501))["data"]
    [error] = long["returnDeclineRequest"]["userErrors"]
    assert (error["code"], error["field"]) == ("TOO_LONG", ["input", "declineNote"])
    fine = (await ask(http, DECLINE_WITH, id=gid, reason="OTHER", note="x" * 500))["data"]
    assert fine["returnDeclineRequest"] == {"return": {"status": "DECLINED"}, "userErrors": []}


async def test_only_an_open_return_is_closed_and_a_closed_one_is_left_as_it_is(http):
    await adopt(http, return_request(5010, 945010, [("unwanted", "")]))
    gid = "gid://shopify/Return/945010"
    requested = (await ask(http, CLOSE, id=gid))["data"]["returnClose"]
    assert requested == {
        "return": None,
        "userErrors": [
            {"code": "INVALID_STATE", "field": ["id"], "message": "Return status is invalid."}
        ],
    }
    await ask(http, APPROVE, id=gid)
    for _ in range(2):
        closed = (await ask(http, CLOSE, id=gid))["data"]["returnClose"]
        assert closed == {"return": {"status": "CLOSED"}, "userErrors": []}
    actions = (await http.get("/_emulator/shopify/return-actions")).json()["actions"]
    assert [a["action"] for a in actions if a["return_id"] == gid] == ["approve", "close"]


ORDERS_NAMED = """
query ($search: String!) {
  orders(first: 2, query: $search) { nodes { id name email } }
}
"""


async def test_orders_are_searched_by_name_among_the_shops_recent_orders(http):
    order = emulated_order(recent_order_ids(SHOP)[3])
    found = (await ask(http, ORDERS_NAMED, search=f'name:"{order.name}"'))["data"]["orders"]
    assert found["nodes"][0] == {
        "id": f"gid://shopify/Order/{order.order_id}",
        "name": order.name,
        "email": order.buyer.email,
    }
    taken = {emulated_order(i).name for i in recent_order_ids(SHOP)}
    unknown = next(f"#{n}" for n in range(1000, 10000) if f"#{n}" not in taken)
    for search in (f"name:{unknown}", f"email:{order.buyer.email}", ""):
        assert (await ask(http, ORDERS_NAMED, search=search))["data"]["orders"]["nodes"] == []


GIFT_CARD_CREATE = """
mutation Credit($input: GiftCardCreateInput!) {
  giftCardCreate(input: $input) {
    giftCard { id maskedCode lastCharacters note balance { amount currencyCode } }
    giftCardCode
    userErrors { field message code }
  }
}
"""

GIFT_CARDS = """
query Cards($search: String) { giftCards(first: 5, query: $search) { nodes { id lastCharacters } } }
"""


async def test_a_gift_card_is_made_once_per_code_and_found_by_it(http):
    card_input = {"initialValue": "55.00", "code": "K7MPQ2XRW9TB4HND", "note": "case-1"}
    made = (await ask(http, GIFT_CARD_CREATE, input=card_input))["data"]["giftCardCreate"]
    assert made["userErrors"] == [] and made["giftCardCode"] == "K7MPQ2XRW9TB4HND"
    card = made["giftCard"]
    assert card["maskedCode"].endswith("4hnd") and card["lastCharacters"] == "4hnd"
    assert card["balance"] == {"amount": "55.00", "currencyCode": "USD"}
    again = await ask(http, GIFT_CARD_CREATE, input=card_input | {"code": "k7mpq2xrw9tb4hnd"})
    taken = again["data"]["giftCardCreate"]
    assert taken["giftCard"] is None
    assert [(e["code"], e["field"]) for e in taken["userErrors"]] == [("TAKEN", ["input", "code"])]
    found = (await ask(http, GIFT_CARDS, search="K7MPQ2XRW9TB4HND"))["data"]["giftCards"]["nodes"]
    assert [c["id"] for c in found] == [card["id"]]
    ledger = (await http.get("/_emulator/shopify/gift-cards")).json()["gift_cards"]
    assert [c["code"] for c in ledger] == ["K7MPQ2XRW9TB4HND"]


@pytest.mark.parametrize(
    ("card_input", "code"),
    [
        ({"initialValue": "10", "code": "short"}, "INVALID"),
        ({"initialValue": "0", "code": "ABCDEFGH2345"}, "INVALID"),
        ({"initialValue": "2500", "code": "ABCDEFGH2345"}, "GREATER_THAN"),
    ],
)
async def test_a_gift_card_the_shop_cannot_make_is_refused_with_a_typed_error(
    http, card_input, code
):
    made = (await ask(http, GIFT_CARD_CREATE, input=card_input))["data"]["giftCardCreate"]
    assert made["giftCard"] is None and made["userErrors"][0]["code"] == code


TRANSLATIONS_QUERY = """
query ($ids: [ID!]!, $locale: String!) {
  shopLocales(published: true) { locale primary }
  translatableResourcesByIds(resourceIds: $ids, first: 5) {
    nodes { resourceId translations(locale: $locale) { key value } }
  }
}
"""


async def test_the_shop_publishes_its_locales_and_the_products_translations(http):
    """A translated product's title and description (`body_html`, in centimetres) where
    the seller translated them; an untranslated product's none."""
    speaker, untranslated = (
        next(p for p, _ in listed_products() if p.sku == "BT-SPK-200-BLK"),
        next(p for p, _ in listed_products() if p.sku not in TRANSLATED_TITLES),
    )
    ids = [f"gid://shopify/Product/{p.product_id}" for p in (speaker, untranslated)]
    answer = await ask(http, TRANSLATIONS_QUERY, ids=ids, locale="de")
    data = answer["data"]
    assert {"locale": "en", "primary": True} in data["shopLocales"]
    assert {"locale": "de", "primary": False} in data["shopLocales"]
    translated, bare = data["translatableResourcesByIds"]["nodes"]
    assert translated == {
        "resourceId": ids[0],
        "translations": [
            {"key": "title", "value": TRANSLATED_TITLES["BT-SPK-200-BLK"]["de"]},
            {"key": "body_html", "value": translated_description_html(speaker, "de")},
        ],
    }
    assert "in wenigen Minuten eingerichtet" in translated["translations"][1]["value"]
    assert " cm</li>" in translated["translations"][1]["value"]
    assert bare == {"resourceId": ids[1], "translations": []}
    # The lamp's title is in French, its description not: the title alone.
    lamp = next(p for p, _ in listed_products() if p.sku == "LMP-DSK-LED-WCH")
    lamp_id = f"gid://shopify/Product/{lamp.product_id}"
    answer = await ask(http, TRANSLATIONS_QUERY, ids=[lamp_id], locale="fr")
    [node] = answer["data"]["translatableResourcesByIds"]["nodes"]
    assert [t["key"] for t in node["translations"]] == ["title"]
