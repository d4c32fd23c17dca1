"""Shopify end to end: real-format deliveries (as Shopify sends them, signed with the shop's
app secret) through the running stack, completed and confirmed against the Shopify emulator
(`emulators`), the way `make run` runs them."""

import asyncio
import json
import uuid

import httpx

from deploy.emulators.shopify.orders import emulated_order, return_request
from deploy.replay import send_shopify_returns
from deploy.samples import shopify_returns
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.domain.opening import case_id_of
from tests.conftest import eventually
from tests.factories import AGENT
from tests.integration.conftest import rows, scalar
from tests.integration.test_channels import (
    SHOP,
    SHOPIFY_SECRET,
    shop_has_return,
    shopify_headers,
    stored_case,
)

MARKET_OF_COUNTRY = {"GB": "UK"}


async def deliver(clients, topic: str, body: bytes, event_id: str, **signed) -> httpx.Response:
    headers = shopify_headers(topic, body, event_id, **signed)
    return await clients["intake"].post("/webhooks/shopify", content=body, headers=headers)


async def requested_return(emulators: str, reasons: list[tuple[str, str]]) -> tuple[dict, bytes]:
    """A return of a new emulated order, as the shop has it and as its webhook says it."""
    order_id, return_id = uuid.uuid4().int % 10**12, uuid.uuid4().int % 10**12
    body = return_request(order_id, return_id, reasons)
    await shop_has_return(emulators, body)
    return body, json.dumps(body).encode()


async def emulated(emulators: str, method: str, path: str, **json_body) -> httpx.Response:
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        return await http.request(method, path, json=json_body or None)


async def merchant_declines(emulators: str, return_gid: str) -> None:
    """The seller declines the return in Shopify's admin."""
    mutation = (
        "mutation ($id: ID!) { returnDeclineRequest(input: {id: $id, declineReason: OTHER}) "
        "{ userErrors { message } } }"
    )
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        answer = await http.post(
            f"/shopify/{SHOP}/admin/api/2026-10/graphql.json",
            json={"query": mutation, "variables": {"id": return_gid}},
            headers={"X-Shopify-Access-Token": "shpat_test_token"},
        )
    assert answer.json()["data"]["returnDeclineRequest"]["userErrors"] == []


async def delivery_state(database, key: str) -> tuple[str, int, str | None] | None:
    found = await rows(
        database,
        "SELECT state, attempts, error FROM intake.deliveries"
        " WHERE channel = 'shopify' AND delivery_id = :d",
        d=key,
    )
    return tuple(found[0]) if found else None


async def test_a_real_format_return_request_opens_a_case_per_reason_with_market_and_prices(
    clients, emulators, database
):
    body, raw = await requested_return(
        emulators,
        [("defective", "It does not turn on at all, even after charging it"), ("unwanted", "")],
    )
    event_id = str(uuid.uuid4())
    answer = await deliver(clients, "returns/request", raw, event_id)
    assert answer.status_code == 202, answer.text

    lines = [line["fulfillment_line_item"]["line_item"]["id"] for line in body["return_line_items"]]
    order = emulated_order(body["order"]["id"], tuple(lines))
    second_line = body["return_line_items"][1]["id"]
    key = request_key_of(raw)
    defect = await eventually(
        lambda: stored_case(clients, case_id_of("shopify", key, account=SHOP))
    )
    unwanted = await eventually(
        lambda: stored_case(clients, case_id_of("shopify", f"{key}/{second_line}", account=SHOP))
    )
    assert (defect["scenario"], unwanted["scenario"]) == ("quality_defect", "changed_mind")
    assert (defect["reason_code"], unwanted["reason_code"]) == ("defective", "unwanted")
    country = order.buyer.country
    by_id = {line.line_item_id: line for line in order.lines}
    for case, line_id in ((defect, lines[0]), (unwanted, lines[1])):
        line = by_id[line_id]
        assert case["marketplace"] == "shopify" and case["seller_account"] == SHOP
        assert case["market"] == MARKET_OF_COUNTRY.get(country, country)
        assert case["currency"] == order.currency
        assert case["return_id"] == body["admin_graphql_api_id"]
        assert case["buyer_ref"] == str(order.customer_id)
        [item] = case["items"]
        assert (item["sku"], item["quantity"]) == (line.product.sku, 1)
        assert item["unit_price_minor"] == int(line.product.price * 100)

    replayed = await deliver(clients, "returns/request", raw, event_id)
    assert (replayed.status_code, replayed.json()["duplicate"]) == (200, True)
    # The event id is not signed: the same signed body under a made-up one is the same return.
    forged_event = await deliver(clients, "returns/request", raw, str(uuid.uuid4()))
    assert (forged_event.status_code, forged_event.json()["duplicate"]) == (200, True)
    await asyncio.sleep(0.5)
    cases = await scalar(
        database,
        "SELECT count(*) FROM intake.cases WHERE return_id = :r",
        r=body["admin_graphql_api_id"],
    )
    assert cases == 2


async def test_a_tampered_body_or_a_forged_signature_is_refused_and_stores_nothing(
    clients, emulators, database
):
    _, raw = await requested_return(emulators, [("unwanted", "")])
    before = await scalar(database, "SELECT count(*) FROM intake.deliveries")
    event_id = str(uuid.uuid4())
    headers = shopify_headers("returns/request", raw, event_id)
    tampered = raw.replace(b'"quantity": 1', b'"quantity": 3')
    assert tampered != raw
    answer = await clients["intake"].post("/webhooks/shopify", content=tampered, headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (401, "bad_signature")
    forged = await deliver(clients, "returns/request", raw, event_id, secret="shpss_guessed")
    assert (forged.status_code, forged.json()["error"]) == (401, "bad_signature")
    assert await scalar(database, "SELECT count(*) FROM intake.deliveries") == before


async def test_a_forged_state_change_topic_is_refused_by_reading_the_return_back(
    clients, emulators, database
):
    """Shopify signs the body, not the topic: a return request's genuine body sent again as
    returns/decline must not decline the case while Shopify says the return is requested.
    The return says nothing of why (an agent classifies it), so no remedy is decided and
    intake itself asks nothing of Shopify meanwhile."""
    body, raw = await requested_return(emulators, [("other", "")])
    request_id = str(uuid.uuid4())
    assert (await deliver(clients, "returns/request", raw, request_id)).status_code == 202
    case_id = case_id_of("shopify", request_key_of(raw), account=SHOP)
    await eventually(lambda: stored_case(clients, case_id))

    forged_id = str(uuid.uuid4())
    assert (await deliver(clients, "returns/decline", raw, forged_id)).status_code == 202

    async def failed():
        state = await delivery_state(database, forged_id)
        return state if state and state[0] == "failed" else None

    state, attempts, error = await eventually(failed, timeout=30)
    assert "returns/decline not confirmed by Shopify's Admin API" in error
    assert "REQUESTED" in error
    listed = await clients["intake"].get("/deliveries?state=failed", headers=AGENT)
    assert forged_id in [d["delivery_id"] for d in listed.json()]
    assert (await stored_case(clients, case_id))["marketplace_status"] == "requested"

    await merchant_declines(emulators, body["admin_graphql_api_id"])
    declined = json.dumps(
        {
            "id": body["id"],
            "admin_graphql_api_id": body["admin_graphql_api_id"],
            "status": "declined",
            "decline": {"reason": "other", "note": None},
        }
    ).encode()
    assert (
        await deliver(clients, "returns/decline", declined, str(uuid.uuid4()))
    ).status_code == 202

    async def declined_case():
        case = await stored_case(clients, case_id)
        return case["marketplace_status"] == "declined"

    await eventually(declined_case, timeout=30)


async def test_a_shopify_outage_delays_the_delivery_which_completes_after_it(
    clients, emulators, database
):
    body, raw = await requested_return(emulators, [("unwanted", "")])
    outage = await emulated(emulators, "PUT", "/_emulator/faults/shopify", outage_seconds=3)
    assert outage.status_code == 204
    try:
        event_id = str(uuid.uuid4())
        assert (await deliver(clients, "returns/request", raw, event_id)).status_code == 202

        async def waiting():
            state = await delivery_state(database, request_key_of(raw))
            return state if state and state[1] >= 1 else None

        state, attempts, error = await eventually(waiting, timeout=10)
        assert state == "accepted" and "503" in error
        case = await eventually(
            lambda: stored_case(clients, case_id_of("shopify", request_key_of(raw), account=SHOP)),
            timeout=60,
        )
        assert case["return_id"] == body["admin_graphql_api_id"]
        assert (await delivery_state(database, request_key_of(raw)))[0] == "applied"
    finally:
        await emulated(emulators, "DELETE", "/_emulator/faults/shopify")


async def test_the_demo_shops_returns_become_cases_one_per_reason(clients, emulators, database):
    """What `make run` replays (deploy/shopify_returns.json), through the running stack."""
    account = {"account": SHOP, "secrets": [SHOPIFY_SECRET]}
    sent = await send_shopify_returns(clients["intake"], emulators, account, shopify_returns())
    return_ids = [return_id for _, return_id in sent]

    async def opened():
        found = await rows(
            database,
            "SELECT return_id, market, scenario FROM intake.cases WHERE return_id = ANY(:r)"
            " ORDER BY return_id, case_key",
            r=return_ids,
        )
        return found if len(found) == 6 else None

    cases = await eventually(opened, timeout=60)
    assert sorted((market, scenario) for _, market, scenario in cases) == [
        ("CA", "changed_mind"),
        ("CA", "quality_defect"),
        ("DE", "quality_defect"),
        ("FR", "size_style_mismatch"),
        ("UK", "size_style_mismatch"),
        ("US", "wrong_item"),
    ]

    async def in_the_summary():
        summary = (await clients["analytics"].get("/reports/summary", headers=AGENT)).json()
        return summary["by_marketplace"].get("shopify", 0) >= 6

    await eventually(in_the_summary, timeout=60)


async def test_a_dispute_on_a_returned_order_opens_its_chargeback_claim_in_analytics(
    clients, emulators, database
):
    body, raw = await requested_return(emulators, [("not_as_described", "Not what I ordered")])
    assert (await deliver(clients, "returns/request", raw, str(uuid.uuid4()))).status_code == 202
    case_id = case_id_of("shopify", request_key_of(raw), account=SHOP)
    await eventually(lambda: stored_case(clients, case_id))

    dispute_id = uuid.uuid4().int % 10**9
    dispute = {
        "id": dispute_id,
        "order_id": body["order"]["id"],
        "type": "chargeback",
        "amount": "25.00",
        "currency": "USD",
        "reason": "product_unacceptable",
        "status": "needs_response",
        "evidence_due_by": "2026-03-16T19:00:00-04:00",
        "initiated_at": "2026-03-02T09:00:00-05:00",
    }
    raw_dispute = json.dumps(dispute).encode()
    answer = await deliver(clients, "disputes/create", raw_dispute, str(uuid.uuid4()))
    assert answer.status_code == 202, answer.text

    async def claim():
        listed = await clients["analytics"].get(
            "/claims", params={"seller": SHOP, "kind": "chargeback"}, headers=AGENT
        )
        assert listed.status_code == 200, listed.text
        return next((c for c in listed.json()["claims"] if c["case_id"] == case_id), None)

    opened = await eventually(claim, timeout=30)
    assert opened["marketplace_claim_id"] == str(dispute_id)
    assert (opened["amount_minor"], opened["opened_by"]) == (2500, "shopify notice")
    # The clock runs from the bank's dispute to the evidence date Shopify states.
    assert opened["starts"] == "2026-03-02T14:00:00Z"
    assert opened["due_at"] == "2026-03-16T23:00:00Z"
    # The return itself is where it was: the dispute changes nothing of it.
    assert (await stored_case(clients, case_id))["marketplace_status"] == "requested"

    # A dispute on an order no return case knows is moot, not a failed delivery.
    stray = json.dumps({**dispute, "id": dispute_id + 1, "order_id": 1}).encode()
    stray_event = str(uuid.uuid4())
    moot = await deliver(clients, "disputes/create", stray, stray_event)
    assert moot.status_code == 202, moot.text

    async def settled():
        found = await delivery_state(database, stray_event)
        return found if found and found[0] != "accepted" else None

    state, _, error = await eventually(settled, timeout=30)
    assert state != "failed", error
