"""Every marketplace channel end to end: a signed delivery in, a classified case decided.

Shopify's Admin API, Walmart's Returns API and eBay's Post-Order API are the emulators
(`emulators`, `deploy/emulators/`); the broker and PostgreSQL are the real ones.
"""

import asyncio
import base64
import hashlib
import json
import re
import time
import uuid
from datetime import UTC, datetime

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from services.intake.channels.common import hmac_sha256_base64, hmac_sha256_hex
from services.intake.channels.ebay.notifications import EbayKeys, signature_of
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.domain.opening import case_id_of
from tests.conftest import eventually
from tests.factories import AGENT, SAMPLES, post_case, webhook
from tests.integration.conftest import scalar

SHOP = "linen-home.myshopify.com"
SHOPIFY_SECRET = "shpss_new_0b6c1e"
WALMART_ACCOUNT = "10900015773"
EBAY_ACCOUNT = "lumahome-us"
WALMART_SECRET = "wm-webhook-secret-2026b"
EBAY_KEYS = EbayKeys(
    dev_id="a1b2c3d4-dev0-4e5f-8a9b-0c1d2e3f4a5b",
    app_id="LumaHome-AfterSal-PRD-7f3e2d1c0-9a8b7c6d",
    cert_id="PRD-7f3e2d1c09a8-b7c6-4d5e-a6f7-8091",
)


def sample(path: str) -> bytes:
    return (SAMPLES / path).read_bytes()


def shopify_headers(topic: str, body: bytes, event_id: str, secret: str = SHOPIFY_SECRET):
    return {
        "content-type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": hmac_sha256_base64(secret, body),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


async def shop_has_return(emulators: str, body: bytes | dict, shop: str = SHOP) -> None:
    """The emulated shop has the return this returns/* body describes (and so its order has
    the lines it names), as Shopify has a return before it sends its webhook."""
    returned = json.loads(body) if isinstance(body, bytes) else body
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        answer = await http.post(f"/_emulator/shopify/{shop}/returns", json=returned)
    assert answer.status_code == 201, answer.text


def new_return_request() -> bytes:
    """The sample returns/request for a return of its own (a return request is keyed by
    its return: the sample's every time would be one return sent again)."""
    request = json.loads(sample("shopify/returns_request.json"))
    request["admin_graphql_api_id"] = f"gid://shopify/Return/{uuid.uuid4().int % 10**12}"
    return json.dumps(request).encode()


async def decided_remedy(database, case_id: str):
    """The remedy resolution offered first (or decided at once) for the case."""
    return await scalar(
        database,
        "SELECT plan->0->>'remedy' FROM resolution.decisions WHERE case_id = :c AND step > 0",
        c=case_id,
    )


async def stored_case(clients, case_id: str):
    response = await clients["intake"].get(f"/cases/{case_id}", headers=AGENT)
    return response.json() if response.status_code == 200 else None


async def test_a_shopify_return_request_opens_one_case_with_the_orders_items(
    clients, emulators, database
):
    body = new_return_request()
    await shop_has_return(emulators, body)
    headers = shopify_headers("returns/request", body, str(uuid.uuid4()))

    answers = [
        await clients["intake"].post("/webhooks/shopify", content=body, headers=headers)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [202, 200, 200]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]

    case_id = case_id_of("shopify", request_key_of(body), account=SHOP)
    case = await eventually(lambda: stored_case(clients, case_id))
    assert case["marketplace"] == "shopify"
    assert case["seller_account"] == SHOP
    assert case["items"] and all(item["sku"] for item in case["items"])
    assert case["reason_code"] and case["classification_signals"]
    assert await eventually(lambda: decided_remedy(database, case_id), timeout=60)
    opened = await scalar(
        database,
        "SELECT count(*) FROM intake.outbox WHERE key = :c AND envelope->>'type' = 'case.opened'",
        c=case_id,
    )
    assert opened == 1


async def test_a_forged_shopify_webhook_is_refused_and_stores_nothing(clients, database):
    body = sample("shopify/returns_request.json")
    before = await scalar(database, "SELECT count(*) FROM intake.deliveries")
    headers = shopify_headers("returns/request", body, str(uuid.uuid4()), secret="guessed")
    answer = await clients["intake"].post("/webhooks/shopify", content=body, headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (401, "bad_signature")
    unknown = {**shopify_headers("returns/request", body, "x"), "X-Shopify-Shop-Domain": "no.shop"}
    refused = await clients["intake"].post("/webhooks/shopify", content=body, headers=unknown)
    # An unknown shop is answered as a forged delivery is: no answer tells which shops exist.
    assert (refused.status_code, refused.json()) == (401, answer.json())
    assert await scalar(database, "SELECT count(*) FROM intake.deliveries") == before


async def test_a_return_update_before_its_request_waits_then_applies(clients, emulators, database):
    """Shopify does not promise order: an approve may arrive before the request it approves."""
    request = json.loads(sample("shopify/returns_request.json"))
    approve = json.loads(sample("shopify/returns_approve.json"))
    return_gid = f"gid://shopify/Return/{uuid.uuid4().int % 10**12}"
    request["admin_graphql_api_id"] = approve["admin_graphql_api_id"] = return_gid
    request["order"]["id"] = approve.get("order", {}).get("id", request["order"]["id"])
    approve_body, request_body = json.dumps(approve).encode(), json.dumps(request).encode()
    await shop_has_return(emulators, {**request, "status": "open"})  # approved in Shopify

    approved = await clients["intake"].post(
        "/webhooks/shopify",
        content=approve_body,
        headers=shopify_headers("returns/approve", approve_body, str(uuid.uuid4())),
    )
    assert approved.status_code == 202
    requested = await clients["intake"].post(
        "/webhooks/shopify",
        content=request_body,
        headers=shopify_headers("returns/request", request_body, str(uuid.uuid4())),
    )
    assert requested.status_code == 202
    case_id = case_id_of("shopify", request_key_of(request_body), account=SHOP)

    async def approved_case():
        case = await stored_case(clients, case_id)
        return case and case["marketplace_status"] == "approved"

    await eventually(approved_case, timeout=30)


def walmart_headers(body: bytes, path: str = "/webhooks/walmart"):
    timestamp = str(int(datetime.now(UTC).timestamp()))
    signed = "\n".join(("POST", path, timestamp, hashlib.sha256(body).hexdigest()))
    return {
        "content-type": "application/json",
        "WM_SEC.TIMESTAMP": timestamp,
        "WM_SEC.SIGNATURE": hmac_sha256_base64(WALMART_SECRET, signed.encode()),
    }


async def test_a_walmart_return_with_two_return_orders_opens_two_cases(clients, database):
    # Walmart's Returns API is the emulator's (deploy/emulators/walmart.py).
    body = sample("walmart/return_created_several_orders.json")
    answer = await clients["intake"].post(
        "/webhooks/walmart", content=body, headers=walmart_headers(body)
    )
    assert answer.status_code == 202, answer.text
    event_id = json.loads(body)["source"]["eventId"]
    case_ids = [
        case_id_of("walmart", f"{event_id}:{order}", account=WALMART_ACCOUNT)
        for order in ("106152711271982881", "106152711271982882")
    ]
    for case_id in case_ids:
        case = await eventually(lambda case_id=case_id: stored_case(clients, case_id))
        assert case["market"] == "US" and case["currency"] == "USD"
        assert case["items"][0]["unit_price_minor"] > 0

    stale = walmart_headers(body)
    stale["WM_SEC.TIMESTAMP"] = str(int(datetime.now(UTC).timestamp()) - 3600)
    answer = await clients["intake"].post("/webhooks/walmart", content=body, headers=stale)
    assert answer.status_code == 401


async def emulated_ebay_return(emulators: str, return_id: str, **change) -> dict:
    """The eBay emulator's return `return_id`, moved first when `change` says (its state)."""
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        if change:
            await http.put(f"/_emulator/ebay/returns/{return_id}", json=change)
        return (await http.get(f"/_emulator/ebay/returns/{return_id}")).json()


async def emulated_return_of_reason(emulators: str, reason: str) -> str:
    """A new return id whose buyer gave `reason` at the eBay emulator for the US curtain rod
    (in stock at the US warehouse, too dear for a returnless refund), only requested there:
    a case decided at once is refunded, and closed at eBay, while a test moves it on."""
    prefix = str(uuid.uuid4().int % 10**6).zfill(6)
    for number in range(5000):
        return_id = f"{prefix}{number:04d}"
        summary = (await emulated_ebay_return(emulators, return_id))["summary"]
        estimated = summary["sellerTotalRefund"]["estimatedRefundAmount"]
        if (
            summary["creationInfo"]["reason"] == reason
            and summary["state"] == "RETURN_REQUESTED"
            and (estimated["currency"], estimated["value"]) == ("USD", 89.99)
        ):
            return return_id
    raise AssertionError(f"no emulated return of reason {reason}")


def fresh_ebay(name: str, return_id: str) -> bytes:
    """An eBay sample as eBay would send it now: a fresh Timestamp, signed for it."""
    body = sample(f"ebay/{name}.xml").decode()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body = re.sub(r"<Timestamp>[^<]+</Timestamp>", f"<Timestamp>{now}</Timestamp>", body)
    body = re.sub(r"<ReturnId>[^<]+</ReturnId>", f"<ReturnId>{return_id}</ReturnId>", body)
    signature = signature_of(now, EBAY_KEYS)
    body = re.sub(
        r"(<ebl:NotificationSignature[^>]*>)[^<]*(</ebl:NotificationSignature>)",
        rf"\g<1>{signature}\g<2>",
        body,
    )
    return body.encode()


async def test_an_ebay_return_is_read_from_the_post_order_api_then_updated(
    clients, emulators, database
):
    # A return whose case waits for the buyer (an exchange offered for a wrong size): one
    # decided at once would be refunded and closed at eBay while the test moves it on.
    return_id = await emulated_return_of_reason(emulators, "WRONG_SIZE")
    created = fresh_ebay("return_created", return_id)
    xml = {"content-type": "text/xml"}
    answer = await clients["intake"].post("/webhooks/ebay", content=created, headers=xml)
    assert answer.status_code == 202, answer.text
    case_id = case_id_of("ebay", f"ebay:{return_id}:ReturnCreated", account=EBAY_ACCOUNT)
    case = await eventually(lambda: stored_case(clients, case_id))
    assert case["return_id"] == return_id
    assert case["deadlines"] and case["deadlines"][0]["name"] == "seller_response"

    await emulated_ebay_return(emulators, return_id, state="ITEM_SHIPPED")
    shipped = fresh_ebay("return_shipped", return_id)
    answer = await clients["intake"].post("/webhooks/ebay", content=shipped, headers=xml)
    assert answer.status_code == 202, answer.text

    async def shipped_status():
        case = await stored_case(clients, case_id)
        return case["marketplace_status"] == "shipped"

    await eventually(shipped_status)

    forged = created.replace(
        b"ReturnCreated</NotificationEventName>", b"ReturnClosed</NotificationEventName>"
    )
    forged = re.sub(
        rb"<Timestamp>[^<]+</Timestamp>", b"<Timestamp>2020-01-01T00:00:00.000Z</Timestamp>", forged
    )
    answer = await clients["intake"].post("/webhooks/ebay", content=forged, headers=xml)
    assert answer.status_code == 401


async def test_an_amazon_report_keeps_good_rows_reports_bad_ones_and_reuploads_harmlessly(
    clients, database
):
    report = sample("amazon/returns_seller_fulfilled_malformed.tsv")
    url = "/reports/amazon/A3TH9S8BH6GOGM?market=US"
    first = await clients["intake"].post(url, content=report, headers=AGENT)
    assert first.status_code == 200, first.text
    outcome = first.json()
    assert outcome["cases"] >= 1 and outcome["new"] == outcome["cases"]
    assert outcome["rejected_rows"]
    assert all(row["line"] > 1 and row["field"] for row in outcome["rejected_rows"])

    again = (await clients["intake"].post(url, content=report, headers=AGENT)).json()
    assert (again["new"], again["duplicates"]) == (0, outcome["cases"])
    assert (await clients["intake"].post(url, content=report)).status_code in (401, 403)

    async def all_opened():
        return (
            await scalar(
                database,
                "SELECT count(*) FROM intake.cases WHERE channel = 'amazon' AND account = :a",
                a="A3TH9S8BH6GOGM",
            )
            >= outcome["cases"]
        )

    await eventually(all_opened)


async def test_amazon_notifications_are_verified_deduplicated_and_applied(clients, database):
    body = sample("amazon/notification_any_offer_changed.json")
    digest = hmac_sha256_hex("forwarder-secret-2024", body)
    headers = {"content-type": "application/json", "X-Forwarder-Signature": f"sha256={digest}"}
    first = await clients["intake"].post("/webhooks/amazon", content=body, headers=headers)
    again = await clients["intake"].post("/webhooks/amazon", content=body, headers=headers)
    assert (first.status_code, again.status_code) == (202, 200)
    delivery_id = first.json()["delivery_id"]

    async def applied():
        return (
            await scalar(
                database,
                "SELECT state FROM intake.deliveries WHERE channel = 'amazon' AND delivery_id = :d",
                d=delivery_id,
            )
            == "applied"
        )

    await eventually(applied)
    forged = {**headers, "X-Forwarder-Signature": "sha256=" + "0" * 64}
    answer = await clients["intake"].post("/webhooks/amazon", content=body, headers=forged)
    assert answer.status_code == 401


async def test_an_ebay_account_deletion_erases_the_user_from_the_sellers_cases(
    clients, emulators, database
):
    return_id = str(uuid.uuid4().int % 10**10)
    resource = await emulated_ebay_return(emulators, return_id)
    username = resource["summary"]["buyerLoginName"]
    created = fresh_ebay("return_created", return_id)
    xml = {"content-type": "text/xml"}
    assert (await clients["intake"].post("/webhooks/ebay", content=created, headers=xml)).is_success
    case_id = case_id_of("ebay", f"ebay:{return_id}:ReturnCreated", account=EBAY_ACCOUNT)
    case = await eventually(lambda: stored_case(clients, case_id))
    assert case["buyer_ref"] == username

    # eBay's key `kid` is the emulator's (getPublicKey); it signs the notification it makes.
    kid = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        made = await http.post(
            "/_emulator/ebay/account-deletion", json={"username": username, "kid": kid}
        )
    body, genuine = made.json()["body"].encode(), made.json()["headers"]

    def signed_by(private_key) -> dict[str, str]:
        signature = base64.b64encode(private_key.sign(body, ec.ECDSA(hashes.SHA1()))).decode()
        claims = {"alg": "ecdsa", "kid": kid, "signature": signature, "digest": "SHA1"}
        header = base64.b64encode(json.dumps(claims).encode()).decode()
        return {"X-EBAY-SIGNATURE": header, "content-type": "application/json"}

    url = "/webhooks/ebay/account-deletion"
    forged = await clients["intake"].post(
        url, content=body, headers=signed_by(ec.generate_private_key(ec.SECP256R1()))
    )
    assert forged.status_code == 401
    answer = await clients["intake"].post(url, content=body, headers=genuine)
    assert answer.status_code == 202, answer.text

    async def erased():
        case = await stored_case(clients, case_id)
        return case["buyer_ref"] == "[erased]"

    await eventually(erased)

    challenge = await clients["intake"].get(f"{url}?challenge_code=abc123")
    expected = hashlib.sha256(
        b"abc123ebay-test-verification-token-0123456789abcdef"
        b"https://intake.example.com/webhooks/ebay/account-deletion"
    ).hexdigest()
    assert challenge.json() == {"challengeResponse": expected}


async def test_a_marketplace_that_hangs_delays_only_its_own_deliveries(clients, emulators):
    bodies = [new_return_request() for _ in range(5)]
    for body in bodies:
        await shop_has_return(emulators, body)
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as emulated:
        # Past the 2 s the tests give a marketplace API.
        await emulated.put("/_emulator/faults/shopify", json={"delay_seconds": 3, "times": 5})
        try:
            for body in bodies:
                headers = shopify_headers("returns/request", body, str(uuid.uuid4()))
                answer = await clients["intake"].post(
                    "/webhooks/shopify", content=body, headers=headers
                )
                assert answer.status_code == 202
            await asyncio.sleep(0.3)  # the Shopify lane is now waiting on its reads

            started = time.monotonic()
            answer = await post_case(clients["intake"], webhook())
            await eventually(lambda: stored_case(clients, answer.json()["case_id"]), interval=0.05)
            assert time.monotonic() - started < 1.5
        finally:
            await emulated.delete("/_emulator/faults/shopify")
