"""Shopify's channel hooks against the emulated Admin API (deploy/emulators/shopify, served
in process through the ASGI transport): completing a delivery (the order; the read-back
that confirms a state change), paying a refund once, acting on a return, checking an
account; and how a throttled, down or refusing Shopify is reported."""

import json

import httpx
import pytest

from deploy.emulators.app import create_app
from deploy.emulators.shopify.orders import emulated_order, return_request, variants_of
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.shopify.channel import SHOPIFY, admin_of
from services.intake.channels.shopify.graphql import graphql_url
from services.intake.domain.account import Account
from services.intake.domain.case import Channel, ChannelError, OpenCase, Reason
from services.intake.domain.marketplace_side import RefundOrder, ReturnAction, ReturnOrder
from services.intake.settings import IntakeSettings
from shared.markets import Currency
from shared.outbound import Refused, Unavailable

SHOP = "linen-home.myshopify.com"
TOKEN = "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"
BASE_URL = "http://emulators"
ORDER_ID = 7001
RETURN_ID = 947001
RETURN_GID = f"gid://shopify/Return/{RETURN_ID}"


@pytest.fixture
async def http():
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def apis(http) -> MarketplaceApis:
    settings = IntakeSettings(shopify_admin_base_url=f"{BASE_URL}/shopify/{{shop}}")
    return MarketplaceApis(http=http, settings=settings)


def account(token: str = TOKEN) -> Account:
    credentials = {"secrets": ["shpss_new_0b6c1e"], "access_token": token}
    return Account(Channel.SHOPIFY, SHOP, "linen-home", None, credentials)


def headers(topic: str, event_id: str = "evt-1") -> dict[str, str]:
    return {
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": SHOP,
        "x-shopify-event-id": event_id,
        "x-shopify-triggered-at": "2026-03-02T14:05:09Z",
    }


async def shop_has(http: httpx.AsyncClient, body: dict) -> bytes:
    """The emulated shop has the return; its webhook body, as Shopify would sign it."""
    response = await http.post(f"/_emulator/shopify/{SHOP}/returns", json=body)
    assert response.status_code == 201, response.text
    return json.dumps(body).encode()


async def merchant(http: httpx.AsyncClient, mutation: str, return_gid: str = RETURN_GID) -> None:
    query = {
        "approve": "returnApproveRequest(input: {id: $id})",
        "decline": "returnDeclineRequest(input: {id: $id, declineReason: OTHER})",
        "cancel": "returnCancel(id: $id)",
        "close": "returnClose(id: $id)",
    }[mutation]
    response = await http.post(
        f"/shopify/{SHOP}/admin/api/2026-10/graphql.json",
        json={
            "query": f"mutation ($id: ID!) {{ {query} {{ userErrors {{ message }} }} }}",
            "variables": {"id": return_gid},
        },
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert "errors" not in response.json(), response.text


async def ledger(http: httpx.AsyncClient, what: str) -> list[dict]:
    answer = (await http.get(f"/_emulator/shopify/{what}")).json()
    return answer["refunds" if what == "refunds" else "actions"]


def test_the_base_url_may_name_the_shop():
    assert graphql_url(None, "2026-10", SHOP) == (f"https://{SHOP}/admin/api/2026-10/graphql.json")
    assert graphql_url("http://127.0.0.1:8099/shopify/{shop}", "2026-10", SHOP) == (
        f"http://127.0.0.1:8099/shopify/{SHOP}/admin/api/2026-10/graphql.json"
    )
    assert graphql_url("http://fake:1/", "2026-10", SHOP) == (
        "http://fake:1/admin/api/2026-10/graphql.json"
    )


# Completing a return request


async def test_a_return_request_is_completed_with_its_order_and_opens_a_case_per_reason(http, apis):
    body = await shop_has(
        http,
        return_request(ORDER_ID, RETURN_ID, [("defective", "Cracked"), ("size_too_large", "")]),
    )
    order = await SHOPIFY.read_missing(headers("returns/request"), body, account(), apis)
    emulated = emulated_order(ORDER_ID)
    assert order.currency.value == emulated.currency
    assert order.buyer_ref == str(emulated.customer_id)
    assert order.buyer.email == emulated.buyer.email
    defect, size = SHOPIFY.parse(headers("returns/request"), body, order)
    assert isinstance(defect.action, OpenCase)
    first, second = defect.action.case, size.action.case
    assert (first.reason, first.buyer_words) == (Reason.DEFECTIVE, "Cracked")
    assert second.reason is Reason.SIZE_TOO_LARGE
    [line_one, line_two] = emulated.lines[:2]
    assert [(i.sku, i.unit_price) for i in first.items] == [
        (line_one.product.sku, line_one.product.price)
    ]
    assert [i.sku for i in second.items] == [line_two.product.sku]
    assert first.market == second.market


# Confirming a state change


async def test_a_decline_is_applied_once_shopify_has_declined_the_return(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("unwanted", "")]))
    body = json.dumps({"id": RETURN_ID, "admin_graphql_api_id": RETURN_GID}).encode()
    with pytest.raises(ChannelError) as error:
        await SHOPIFY.read_missing(headers("returns/decline"), body, account(), apis)
    assert error.value.reason == "unconfirmed"
    assert "REQUESTED" in error.value.detail
    await merchant(http, "decline")
    assert await SHOPIFY.read_missing(headers("returns/decline"), body, account(), apis) is None


async def test_a_return_requests_body_sent_as_an_approval_is_refused(http, apis):
    body = await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("unwanted", "")]))
    with pytest.raises(ChannelError, match="returns/approve not confirmed"):
        await SHOPIFY.read_missing(headers("returns/approve"), body, account(), apis)


async def test_an_approval_is_still_confirmed_after_a_cancel(http, apis):
    body = await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("unwanted", "")]))
    await merchant(http, "approve")
    await merchant(http, "cancel")
    await SHOPIFY.read_missing(headers("returns/approve"), body, account(), apis)
    await SHOPIFY.read_missing(headers("returns/cancel"), body, account(), apis)
    with pytest.raises(ChannelError, match="is CANCELED"):
        await SHOPIFY.read_missing(headers("returns/close"), body, account(), apis)


async def test_a_refund_is_confirmed_by_shopify_having_it(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("unwanted", "")]))
    made = await SHOPIFY.pay_refund(refund_order(500), account(), apis)
    refund = {"id": int(made.marketplace_refund_id.rsplit("/", 1)[1]), "order_id": ORDER_ID}
    body = json.dumps(refund).encode()
    assert await SHOPIFY.read_missing(headers("refunds/create"), body, account(), apis) is None
    forged = json.dumps({**refund, "order_id": 1}).encode()
    with pytest.raises(ChannelError, match="is of order 7001"):
        await SHOPIFY.read_missing(headers("refunds/create"), forged, account(), apis)


async def test_a_customer_redact_needs_no_read(http, apis):
    body = b'{"customer": {"id": 1}, "orders_to_redact": []}'
    assert await SHOPIFY.read_missing(headers("customers/redact"), body, account(), apis) is None


# Paying a refund


def refund_order(amount_minor: int, refund_id: str = "ref-1", **changes) -> RefundOrder:
    order = RefundOrder(
        refund_id=refund_id,
        case_id="case-1",
        order_id=str(ORDER_ID),
        return_id=RETURN_GID,
        amount_minor=amount_minor,
        currency=Currency(emulated_order(ORDER_ID).currency),
        reason="partial_refund",
    )
    return RefundOrder(**{**order.__dict__, **changes})


async def test_a_refund_is_paid_once_and_found_again_by_its_note(http, apis):
    order = refund_order(1250)
    assert await SHOPIFY.find_refund(order, account(), apis) is None
    paid = await SHOPIFY.pay_refund(order, account(), apis)
    assert (paid.amount_minor, paid.currency) == (1250, order.currency)
    assert await SHOPIFY.pay_refund(order, account(), apis) == paid  # the same key
    assert await SHOPIFY.find_refund(order, account(), apis) == paid
    [made] = await ledger(http, "refunds")
    assert (made["amount"], made["idempotency_key"]) == ("12.5", "ref-1")
    assert "[after-sales refund ref-1]" in made["note"]
    other = refund_order(1250, refund_id="ref-10")
    assert await SHOPIFY.find_refund(other, account(), apis) is None  # ref-1 is not ref-10


async def test_a_refund_in_another_currency_than_the_buyer_paid_is_refused(http, apis):
    paid_in = emulated_order(ORDER_ID).currency
    other = next(c for c in Currency if c.value != paid_in)
    with pytest.raises(Refused, match=f"paid in {paid_in}"):
        await SHOPIFY.pay_refund(refund_order(100, currency=other), account(), apis)
    assert await ledger(http, "refunds") == []


async def test_a_refund_beyond_what_was_paid_is_refused_in_shopifys_words(http, apis):
    total = emulated_order(ORDER_ID).total
    too_much = int(total * 100) + 1
    with pytest.raises(Refused, match="left to refund"):
        await SHOPIFY.pay_refund(refund_order(too_much), account(), apis)


# Acting on a return


async def test_a_return_is_approved_once_even_when_asked_twice(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("defective", "")]))
    approve = ReturnOrder("act-1", "case-1", str(ORDER_ID), RETURN_GID, ReturnAction.APPROVE)
    await SHOPIFY.act_on_return(approve, account(), apis)
    await SHOPIFY.act_on_return(approve, account(), apis)  # its first answer was lost
    assert [a["action"] for a in await ledger(http, "return-actions")] == ["approve"]


async def test_a_return_is_declined_with_the_note_for_the_buyer(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("unwanted", "")]))
    decline = ReturnOrder(
        "act-2", "case-1", str(ORDER_ID), RETURN_GID, ReturnAction.DECLINE, "Keep it, refunded"
    )
    await SHOPIFY.act_on_return(decline, account(), apis)
    [action] = await ledger(http, "return-actions")
    assert (action["action"], action["status"]) == ("decline", "DECLINED")


async def test_declining_an_approved_return_is_refused_with_shopifys_reason(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("unwanted", "")]))
    await merchant(http, "approve")
    decline = ReturnOrder("act-3", "case-1", str(ORDER_ID), RETURN_GID, ReturnAction.DECLINE)
    with pytest.raises(Refused) as error:
        await SHOPIFY.act_on_return(decline, account(), apis)
    assert error.value.code == "INVALID_STATE"
    assert "REQUESTED" in error.value.reason


async def test_a_kept_units_requested_return_is_declined_for_another_reason_with_a_note(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("defective", "")]))
    note = "resolved by partial refund"
    close = ReturnOrder("act-6", "case-1", str(ORDER_ID), RETURN_GID, ReturnAction.CLOSE, note)
    await SHOPIFY.act_on_return(close, account(), apis)
    await SHOPIFY.act_on_return(close, account(), apis)  # its first answer was lost
    [action] = await ledger(http, "return-actions")
    assert (action["action"], action["status"]) == ("decline", "DECLINED")
    found = await http.post(
        f"/shopify/{SHOP}/admin/api/2026-10/graphql.json",
        json={
            "query": "query ($id: ID!) { return(id: $id) { decline { reason note } } }",
            "variables": {"id": RETURN_GID},
        },
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert found.json()["data"]["return"]["decline"] == {
        "reason": "OTHER",
        "note": "resolved by partial refund",
    }


async def test_a_kept_units_return_approved_before_is_closed_not_declined(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("defective", "")]))
    await merchant(http, "approve")
    close = ReturnOrder("act-7", "case-1", str(ORDER_ID), RETURN_GID, ReturnAction.CLOSE)
    await SHOPIFY.act_on_return(close, account(), apis)
    await SHOPIFY.act_on_return(close, account(), apis)  # a retry: closed already
    actions = [(a["action"], a["status"]) for a in await ledger(http, "return-actions")]
    assert actions == [("approve", "OPEN"), ("close", "CLOSED")]


async def test_a_return_over_already_is_not_closed_again(http, apis):
    await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("defective", "")]))
    await merchant(http, "cancel")
    close = ReturnOrder("act-8", "case-1", str(ORDER_ID), RETURN_GID, ReturnAction.CLOSE)
    await SHOPIFY.act_on_return(close, account(), apis)
    assert [a["action"] for a in await ledger(http, "return-actions")] == ["cancel"]


async def test_marking_received_asks_nothing_of_shopify(http, apis):
    received = ReturnOrder("act-4", "case-1", str(ORDER_ID), RETURN_GID, ReturnAction.MARK_RECEIVED)
    await SHOPIFY.act_on_return(received, account(), apis)
    assert await ledger(http, "return-actions") == []


async def test_a_case_without_a_return_cannot_be_acted_on(apis):
    approve = ReturnOrder("act-5", "case-1", str(ORDER_ID), None, ReturnAction.APPROVE)
    with pytest.raises(Refused, match="names no Shopify return"):
        await SHOPIFY.act_on_return(approve, account(), apis)


# Checking an account, and Shopify failing


async def test_an_account_whose_token_shopify_accepts_passes_the_check(apis):
    await SHOPIFY.check_account(account(), apis)


async def test_a_wrong_token_is_refused_and_never_shown(apis):
    with pytest.raises(Refused) as error:
        await SHOPIFY.check_account(account("wrong-token-1234"), apis)
    assert error.value.status == 401
    assert "wrong-token-1234" not in str(error.value)


async def test_a_throttled_read_waits_for_the_bucket_to_refill(http, apis):
    body = await shop_has(http, return_request(ORDER_ID, RETURN_ID, [("unwanted", "")]))
    await http.put(
        f"/_emulator/shopify/{SHOP}/bucket", json={"currently_available": 0, "restore_rate": 50}
    )
    with pytest.raises(Unavailable) as error:
        await SHOPIFY.read_missing(headers("returns/request"), body, account(), apis)
    assert "Throttled" in error.value.reason
    assert 5 < error.value.retry_after < 10  # about 400 points at 50 a second


async def test_shopify_down_is_transient(http, apis):
    await http.put("/_emulator/faults/shopify", json={"outage_seconds": 60})
    with pytest.raises(Unavailable) as error:
        await SHOPIFY.check_account(account(), apis)
    assert error.value.status == 503 and error.value.retry_after > 0


async def test_the_admin_of_an_account_is_its_shop_with_its_token(apis):
    admin = admin_of(account(), apis)
    assert (admin.shop_domain, admin.access_token) == (SHOP, TOKEN)
    assert admin.url == f"{BASE_URL}/shopify/{SHOP}/admin/api/2026-10/graphql.json"


async def test_the_variants_of_a_returned_line_come_from_its_product_in_the_buyer_s_currency(
    apis,
):
    order = emulated_order(ORDER_ID)
    line = order.lines[0]
    variants = await SHOPIFY.exchange_variants(str(ORDER_ID), line.product.sku, account(), apis)
    emulated = variants_of(line.product)
    assert [v.sku for v in variants] == [v.sku for v in emulated]
    assert variants[0].sku == line.product.sku and variants[0].available
    minor = {v.sku: v.unit_price_minor for v in variants}
    assert minor == {v.sku: int(v.price * 100) for v in emulated}
    sold_out = [v.sku for v in variants if not v.available]
    assert sold_out == [v.sku for v in emulated if v.inventory == 0] and len(sold_out) == 1


async def test_a_line_the_order_does_not_have_has_no_variants_and_an_unknown_order_is_refused(
    apis,
):
    assert await SHOPIFY.exchange_variants(str(ORDER_ID), "NO-SUCH-SKU", account(), apis) == []
    with pytest.raises(Refused):
        await SHOPIFY.exchange_variants("not-an-order", "X", account(), apis)
