"""eBay, emulated (`/ebay`), through the ASGI transport: OAuth tokens minted and checked as
eBay does, the Post-Order returns of any id with their state moved by the seller's calls,
getPublicKey, the ledger, and notifications signed the way intake verifies them."""

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from deploy.emulators.app import create_app
from deploy.emulators.ebay import EMULATED_APP_TOKEN
from deploy.replay import EBAY_SAMPLE_FILE as EBAY_SAMPLES
from services.intake.channels.ebay import account_deletion
from services.intake.channels.ebay import notifications as ebay_notifications
from tests.emulated import Clock, emulators_on

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TOKEN = "/ebay/identity/v1/oauth2/token"
RETURNS = "/ebay/post-order/v2/return"
KEYSET = {"dev_id": "dev-1", "app_id": "LumaHome-App-PRD-1", "cert_id": "PRD-cert-1"}
US = {"X-EBAY-C-MARKETPLACE-ID": "EBAY_US"}


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def ebay(clock):
    async with emulators_on(clock) as http:
        yield http


def basic(client_id: str = "LumaHome-App-PRD-1", secret: str = "PRD-cert-1") -> dict:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


async def mint(http, refresh_token: str = "v^1.1#refresh-1", **auth) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": "a b"}
    return await http.post(TOKEN, data=form, headers=basic(**auth))


async def user_headers(http) -> dict:
    token = (await mint(http)).json()["access_token"]
    return {"Authorization": f"IAF {token}", **US}


# ------------------------------------------------------------------------------ OAuth


async def test_a_refresh_token_mints_a_user_access_token_for_two_hours(ebay):
    answer = await mint(ebay)
    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "User Access Token" and token["expires_in"] == 7200
    assert token["access_token"].startswith("v^1.1#")
    assert (await ebay.get("/_emulator/ebay/tokens")).json() == {"minted": {"refresh_token": 1}}


async def test_client_credentials_mint_an_application_token(ebay):
    form = {"grant_type": "client_credentials", "scope": "https://api.ebay.com/oauth/api_scope"}
    answer = await ebay.post(TOKEN, data=form, headers=basic())
    assert answer.json()["token_type"] == "Application Access Token"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer x"}, {"Authorization": "Basic bm8tc2VjcmV0"}],
)
async def test_a_request_without_the_apps_basic_credentials_is_invalid_client(ebay, headers):
    form = {"grant_type": "refresh_token", "refresh_token": "r"}
    answer = await ebay.post(TOKEN, data=form, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "client authentication failed",
    }


async def test_a_revoked_refresh_token_or_one_of_another_app_is_invalid_grant(ebay):
    assert (await mint(ebay, "refresh-a")).status_code == 200
    other_app = await mint(ebay, "refresh-a", client_id="Another-App", secret="s")
    assert (other_app.status_code, other_app.json()["error"]) == (400, "invalid_grant")
    await ebay.post("/_emulator/ebay/oauth/revoke", json={"refresh_token": "refresh-a"})
    revoked = await mint(ebay, "refresh-a")
    assert (revoked.status_code, revoked.json()["error"]) == (400, "invalid_grant")


async def test_an_unknown_grant_or_a_missing_refresh_token_is_refused(ebay):
    unknown = await ebay.post(TOKEN, data={"grant_type": "password"}, headers=basic())
    assert (unknown.status_code, unknown.json()["error"]) == (400, "unsupported_grant_type")
    missing = await ebay.post(TOKEN, data={"grant_type": "refresh_token"}, headers=basic())
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    as_json = await ebay.post(
        TOKEN, json={"grant_type": "refresh_token", "refresh_token": "r"}, headers=basic()
    )
    assert as_json.status_code == 400  # eBay takes the form encoding only


async def test_post_order_refuses_a_missing_a_foreign_or_an_unknown_token(ebay):
    missing = await ebay.get(f"{RETURNS}/5100000001", headers=US)
    assert (missing.status_code, missing.json()["errors"][0]["errorId"]) == (401, 1002)
    foreign = await ebay.get(f"{RETURNS}/5100000001", headers={"Authorization": "Basic x", **US})
    assert foreign.json()["errors"][0]["errorId"] == 1003
    unknown = await ebay.get(f"{RETURNS}/5100000001", headers={"Authorization": "IAF nope", **US})
    assert unknown.status_code == 401
    assert unknown.json()["errors"][0]["message"] == "Invalid access token"


async def test_a_token_past_its_life_is_refused_like_an_unknown_one(ebay, clock):
    headers = await user_headers(ebay)
    assert (await ebay.get(f"{RETURNS}/5100000001", headers=headers)).status_code == 200
    clock.now = NOW + timedelta(seconds=7200)
    expired = await ebay.get(f"{RETURNS}/5100000001", headers=headers)
    assert (expired.status_code, expired.json()["errors"][0]["errorId"]) == (401, 1001)


async def test_tests_may_shorten_token_lives_and_expire_every_token(ebay, clock):
    await ebay.put("/_emulator/ebay/oauth", json={"access_token_seconds": 130})
    assert (await mint(ebay)).json()["expires_in"] == 130
    headers = await user_headers(ebay)
    await ebay.post("/_emulator/ebay/oauth/expire")
    assert (await ebay.get(f"{RETURNS}/5100000001", headers=headers)).status_code == 401


async def test_a_standing_user_token_is_taken_once_registered(ebay):
    headers = {"Authorization": "IAF seller-pasted-token", **US}
    assert (await ebay.get(f"{RETURNS}/5100000001", headers=headers)).status_code == 401
    await ebay.post("/_emulator/ebay/oauth/user-tokens", json={"token": "seller-pasted-token"})
    assert (await ebay.get(f"{RETURNS}/5100000001", headers=headers)).status_code == 200


# -------------------------------------------------------------------------- the returns


async def test_any_return_id_is_the_same_plausible_return_every_time(ebay):
    headers = await user_headers(ebay)
    summary = (await ebay.get(f"{RETURNS}/5200000007?fieldgroups=SUMMARY", headers=headers)).json()
    detail = (await ebay.get(f"{RETURNS}/5200000007", headers=headers)).json()
    assert set(summary) == {"summary"} and set(detail) == {"detail"}  # FULL leaves summary out
    item = detail["detail"]["itemDetail"]
    assert item["itemPrice"]["value"] > 0 and item["itemPrice"]["currency"] in (
        "USD",
        "GBP",
        "EUR",
        "CAD",
    )
    assert item["itemId"] == summary["summary"]["creationInfo"]["item"]["itemId"]
    assert summary["summary"]["creationInfo"]["reasonType"] in ("SNAD", "REMORSE")
    assert summary["summary"]["orderId"].count("-") == 2
    transport = httpx.ASGITransport(app=create_app(now=lambda: NOW))
    async with httpx.AsyncClient(transport=transport, base_url="http://other") as http:
        again = (await http.get(f"{RETURNS}/5200000007", headers=await user_headers(http))).json()
    assert again == detail


async def test_returns_of_many_ids_cover_several_sites_reasons_and_states(ebay):
    headers = await user_headers(ebay)
    sites, reasons, states = set(), set(), set()
    for number in range(60):
        found = (await ebay.get(f"/_emulator/ebay/returns/53{number:08d}")).json()
        sites.add(found["detail"]["marketplaceId"])
        reasons.add(found["summary"]["creationInfo"]["reason"])
        states.add(found["summary"]["state"])
    assert {"EBAY_US", "EBAY_GB", "EBAY_DE"} <= sites
    assert len(reasons) >= 5
    assert "RETURN_REQUESTED" in states and "CLOSED" not in states
    assert (await ebay.get(f"{RETURNS}/search?limit=5", headers=headers)).json()["total"] == 60


async def test_post_order_needs_the_marketplace_header(ebay):
    headers = await user_headers(ebay)
    del headers["X-EBAY-C-MARKETPLACE-ID"]
    answer = await ebay.get(f"{RETURNS}/5100000001", headers=headers)
    assert answer.status_code == 400 and answer.json()["error"][0]["message"]


def refund(value: float, currency: str, fee: str = "PURCHASE_PRICE") -> dict:
    amount = {"value": value, "currency": currency}
    return {
        "comments": {"content": "Refund for your return."},
        "refundDetail": {
            "itemizedRefundDetail": [{"refundAmount": amount, "refundFeeType": fee}],
            "totalAmount": amount,
        },
    }


async def requested_return(http, return_id: str) -> dict:
    await http.put(f"/_emulator/ebay/returns/{return_id}", json={"state": "RETURN_REQUESTED"})
    return (await http.get(f"/_emulator/ebay/returns/{return_id}")).json()


async def test_a_refund_is_issued_once_shown_on_the_return_and_kept_in_the_ledger(ebay):
    headers = await user_headers(ebay)
    held = await requested_return(ebay, "5400000001")
    price = held["detail"]["itemDetail"]["itemPrice"]
    quantity = held["detail"]["itemDetail"]["returnQuantity"]
    total = round(price["value"] * quantity, 2)
    url = f"{RETURNS}/5400000001/issue_refund"
    answer = await ebay.post(url, json=refund(total, price["currency"]), headers=headers)
    assert answer.json() == {"refundStatus": "SUCCESS"}
    again = await ebay.post(url, json=refund(total, price["currency"]), headers=headers)
    assert again.status_code == 400 and "already issued" in again.json()["error"][0]["message"]
    [paid] = (await ebay.get("/_emulator/ebay/refunds")).json()["refunds"]
    assert paid["return_id"] == "5400000001"
    assert paid["amount"] == {"value": total, "currency": price["currency"]}
    detail = (await ebay.get(f"{RETURNS}/5400000001", headers=headers)).json()["detail"]
    actual = detail["refundInfo"]["actualRefundDetail"]
    assert actual["refundStatus"] == "SUCCESS"
    assert actual["actualRefund"]["totalAmount"] == {"value": total, "currency": price["currency"]}
    [step] = [s for s in detail["responseHistory"] if s["activity"] == "SELLER_ISSUE_REFUND"]
    assert step["attributes"]["moneyMovementRef"]["idref"] == paid["refund_ref"]
    summary = (await ebay.get(f"{RETURNS}/5400000001?fieldgroups=SUMMARY", headers=headers)).json()
    assert summary["summary"]["state"] == "CLOSED"


async def test_a_refund_too_large_in_another_currency_or_not_adding_up_is_refused(ebay):
    headers = await user_headers(ebay)
    held = await requested_return(ebay, "5400000002")
    price = held["detail"]["itemDetail"]["itemPrice"]
    url = f"{RETURNS}/5400000002/issue_refund"
    too_much = await ebay.post(
        url, json=refund(price["value"] * 3, price["currency"]), headers=headers
    )
    other = "JPY" if price["currency"] != "JPY" else "USD"
    wrong_currency = await ebay.post(url, json=refund(1.0, other), headers=headers)
    uneven = refund(2.0, price["currency"])
    uneven["refundDetail"]["totalAmount"] = {"value": 3.0, "currency": price["currency"]}
    not_adding_up = await ebay.post(url, json=uneven, headers=headers)
    malformed = await ebay.post(url, json={"refundDetail": {}}, headers=headers)
    for answer in (too_much, wrong_currency, not_adding_up, malformed):
        assert answer.status_code == 400, answer.text
    assert "refundDetail" in malformed.json()["error"][0]["message"]
    assert (await ebay.get("/_emulator/ebay/refunds")).json() == {"refunds": []}


async def test_a_partial_refund_leaves_the_return_less_than_fully_refunded(ebay):
    headers = await user_headers(ebay)
    held = await requested_return(ebay, "5400000003")
    currency = held["detail"]["itemDetail"]["itemPrice"]["currency"]
    url = f"{RETURNS}/5400000003/issue_refund"
    assert (await ebay.post(url, json=refund(5.0, currency), headers=headers)).status_code == 200
    state = (await ebay.get("/_emulator/ebay/returns/5400000003")).json()["summary"]["state"]
    assert state == "LESS_THAN_A_FULL_REFUND_ISSUED"


async def test_a_requested_return_is_approved_or_a_remorse_one_declined_once(ebay):
    headers = await user_headers(ebay)
    await requested_return(ebay, "5500000001")
    await requested_return(ebay, "5500000003")
    approve = {"decision": "APPROVE", "comments": {"content": "Approved."}}
    decline = {"decision": "DECLINE", "comments": {"content": "Keep it."}}
    assert (
        await ebay.post(f"{RETURNS}/5500000001/decide", json=approve, headers=headers)
    ).is_success
    assert (
        await ebay.post(f"{RETURNS}/5500000003/decide", json=decline, headers=headers)
    ).is_success
    twice = await ebay.post(f"{RETURNS}/5500000001/decide", json=approve, headers=headers)
    assert twice.status_code == 400
    held = (await ebay.get("/_emulator/ebay/returns/5500000001")).json()
    assert held["summary"]["state"] == "ITEM_READY_TO_SHIP"
    declined = (await ebay.get("/_emulator/ebay/returns/5500000003")).json()
    assert declined["summary"]["state"] == "RETURN_REJECTED"
    decisions = (await ebay.get("/_emulator/ebay/decisions")).json()["decisions"]
    assert [(d["return_id"], d["decision"]) for d in decisions] == [
        ("5500000001", "APPROVE"),
        ("5500000003", "DECLINE"),
    ]
    # 5500000002 was opened as ARRIVED_DAMAGED (SNAD): eBay lets no seller decline it.
    await requested_return(ebay, "5500000002")
    snad = await ebay.post(f"{RETURNS}/5500000002/decide", json=decline, headers=headers)
    assert snad.status_code == 400
    assert "opened as not as described (ARRIVED_DAMAGED)" in snad.json()["error"][0]["message"]
    still = (await ebay.get("/_emulator/ebay/returns/5500000002")).json()
    assert still["summary"]["state"] == "RETURN_REQUESTED"
    unknown = await ebay.post(
        f"{RETURNS}/5500000001/decide", json={"decision": "SHRUG"}, headers=headers
    )
    assert unknown.status_code == 400


async def test_a_return_is_marked_received_once(ebay):
    headers = await user_headers(ebay)
    await ebay.put("/_emulator/ebay/returns/5600000001", json={"state": "ITEM_SHIPPED"})
    url = f"{RETURNS}/5600000001/mark_as_received"
    assert (
        await ebay.post(url, json={"comments": {"content": "Arrived."}}, headers=headers)
    ).is_success
    assert (await ebay.post(url, json={}, headers=headers)).status_code == 400
    held = (await ebay.get("/_emulator/ebay/returns/5600000001")).json()
    assert held["summary"]["state"] == "ITEM_DELIVERED"
    assert held["detail"]["responseHistory"][-1]["activity"] == "SELLER_MARK_AS_RECEIVED"


async def test_faults_on_demand_reach_ebays_api_not_the_ledger(ebay):
    headers = await user_headers(ebay)
    await ebay.put("/_emulator/faults/ebay", json={"status": 429, "times": 1, "retry_after": 7})
    throttled = await ebay.get(f"{RETURNS}/5100000001", headers=headers)
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "7")
    await ebay.put("/_emulator/faults/ebay", json={"outage_seconds": 60})
    assert (await mint(ebay)).status_code == 503
    assert (await ebay.get("/_emulator/ebay/refunds")).status_code == 200
    await ebay.delete("/_emulator/faults/ebay")
    assert (await ebay.get(f"{RETURNS}/5100000001", headers=headers)).status_code == 200


# --------------------------------------------------------- public keys and notifications


async def test_get_public_key_needs_an_application_token_and_verifies_a_deletion(ebay):
    url = "/ebay/commerce/notification/v1/public_key/kid-7"
    assert (await ebay.get(url)).status_code == 401
    assert (await ebay.get(url, headers=await user_headers(ebay))).status_code == 401
    answer = (await ebay.get(url, headers={"Authorization": f"Bearer {EMULATED_APP_TOKEN}"})).json()
    assert (answer["algorithm"], answer["digest"]) == ("ECDSA", "SHA1")
    assert answer["key"].startswith("-----BEGIN PUBLIC KEY-----MFkw")
    signed = (
        await ebay.post("/_emulator/ebay/account-deletion", json={"username": "jo", "kid": "kid-7"})
    ).json()
    body = signed["body"].encode()
    account_deletion.verify(signed["headers"], body, answer["key"])
    [delivery] = account_deletion.parse(signed["headers"], body, "lumahome-us")
    assert delivery.action.buyer_ref == "jo"
    other = (
        await ebay.get(
            "/ebay/commerce/notification/v1/public_key/kid-8",
            headers={"Authorization": f"Bearer {EMULATED_APP_TOKEN}"},
        )
    ).json()["key"]
    with pytest.raises(Exception, match="does not match"):
        account_deletion.verify(signed["headers"], body, other)


async def test_a_notification_is_signed_as_ebay_signs_and_moves_the_return(ebay, clock):
    order = {
        "event": "ReturnShipped",
        "return_id": "5700000001",
        "recipient": "lumahome-us",
        "keyset": KEYSET,
    }
    made = (await ebay.post("/_emulator/ebay/notifications", json=order)).json()
    body = made["body"].encode()
    keys = ebay_notifications.EbayKeys(**KEYSET)
    ebay_notifications.verify({}, body, [keys], clock.now)
    notification = ebay_notifications.read(body)
    assert (notification.event, notification.return_id, notification.recipient) == (
        "ReturnShipped",
        "5700000001",
        "lumahome-us",
    )
    held = (await ebay.get("/_emulator/ebay/returns/5700000001")).json()["summary"]
    assert (held["state"], held["sellerLoginName"]) == ("ITEM_SHIPPED", "lumahome-us")
    assert (
        notification.site
        == {
            "EBAY_US": "EBAY-US",
            "EBAY_GB": "EBAY-GB",
            "EBAY_DE": "EBAY-DE",
            "EBAY_CA": "EBAY-ENCA",
            "EBAY_FR": "EBAY-FR",
            "EBAY_IT": "EBAY-IT",
        }[(await ebay.get("/_emulator/ebay/returns/5700000001")).json()["detail"]["marketplaceId"]]
    )
    escalated = {**order, "event": "ReturnEscalated"}
    await ebay.post("/_emulator/ebay/notifications", json=escalated)
    held = (await ebay.get("/_emulator/ebay/returns/5700000001")).json()["summary"]
    assert held["status"] == "ESCALATED" and held["escalationInfo"]["caseId"]


async def test_a_notification_for_an_unknown_event_or_id_is_refused(ebay):
    order = {"event": "ItemSold", "return_id": "1", "recipient": "x", "keyset": KEYSET}
    assert (await ebay.post("/_emulator/ebay/notifications", json=order)).status_code == 422
    bad_id = {**order, "event": "ReturnCreated", "return_id": "<x>"}
    assert (await ebay.post("/_emulator/ebay/notifications", json=bad_id)).status_code == 422


async def test_the_emulator_never_shows_a_token_or_refresh_token(ebay):
    token = (await mint(ebay, "refresh-secret-9")).json()["access_token"]
    ledger = json.dumps((await ebay.get("/_emulator/ebay/tokens")).json())
    assert token not in ledger and "refresh-secret-9" not in ledger


# ------------------------------------------------------------------------- Inventory


async def test_get_offers_lists_one_fixed_price_offer_per_site_and_404_for_none(ebay):
    headers = await user_headers(ebay)
    offers = await ebay.get("/ebay/sell/inventory/v1/offer?sku=BT-SPK-200-BLK", headers=headers)
    assert offers.status_code == 200, offers.text
    body = offers.json()
    prices = {o["marketplaceId"]: o["pricingSummary"]["price"] for o in body["offers"]}
    assert prices == {
        "EBAY_US": {"value": "49.99", "currency": "USD"},
        "EBAY_GB": {"value": "39.49", "currency": "GBP"},
        "EBAY_DE": {"value": "45.99", "currency": "EUR"},
        "EBAY_CA": {"value": "67.99", "currency": "CAD"},
        "EBAY_FR": {"value": "45.99", "currency": "EUR"},
        "EBAY_IT": {"value": "45.99", "currency": "EUR"},
    }
    assert body["total"] == 6 and all(o["format"] == "FIXED_PRICE" for o in body["offers"])
    one_site = await ebay.get(
        "/ebay/sell/inventory/v1/offer?sku=BT-SPK-200-BLK&marketplace_id=EBAY_GB", headers=headers
    )
    assert [o["marketplaceId"] for o in one_site.json()["offers"]] == ["EBAY_GB"]
    none = await ebay.get("/ebay/sell/inventory/v1/offer?sku=NOT-LISTED", headers=headers)
    assert none.status_code == 404 and none.json()["errors"][0]["errorId"] == 25713
    anonymous = await ebay.get("/ebay/sell/inventory/v1/offer?sku=BT-SPK-200-BLK")
    assert anonymous.status_code == 401


async def inventory_listings(http, headers) -> dict[str, tuple[str, str]]:
    """Every listing id the emulated inventory's offers serve: (SKU, eBay site) by id."""
    listed: dict[str, tuple[str, str]] = {}
    url = "/ebay/sell/inventory/v1/inventory_item?limit=200"
    while url:
        page = (await http.get(url, headers=headers)).json()
        for item in page["inventoryItems"]:
            offers = await http.get(
                f"/ebay/sell/inventory/v1/offer?sku={item['sku']}", headers=headers
            )
            for offer in offers.json()["offers"]:
                listed[offer["listing"]["listingId"]] = (item["sku"], offer["marketplaceId"])
        url = page.get("next")
    return listed


async def test_every_sample_return_names_a_listing_the_emulated_inventory_serves(ebay):
    """What `make run` replays (deploy/ebay_sample_returns.json), and any other return id:
    each return's itemId is the listing of an inventory item offered on the return's site,
    at the offer's price, so that an imported catalog resolves every eBay case."""
    headers = await user_headers(ebay)
    listed = await inventory_listings(ebay, headers)
    samples = json.loads(EBAY_SAMPLES.read_text())
    return_ids = [sample["return_id"] for sample in samples] + [f"57{n:08d}" for n in range(40)]
    for return_id in return_ids:
        held = (await ebay.get(f"/_emulator/ebay/returns/{return_id}")).json()
        item = held["detail"]["itemDetail"]
        assert item["itemId"] in listed, f"return {return_id} names listing {item['itemId']}"
        sku, _ = listed[item["itemId"]]
        site = held["detail"]["marketplaceId"]
        offers = await ebay.get(
            f"/ebay/sell/inventory/v1/offer?sku={sku}&marketplace_id={site}", headers=headers
        )
        [offer] = offers.json()["offers"]
        assert offer["listing"]["listingId"] == item["itemId"]
        price = offer["pricingSummary"]["price"]
        assert Decimal(str(item["itemPrice"]["value"])) == Decimal(price["value"])
        assert item["itemPrice"]["currency"] == price["currency"]
        assert held["summary"]["creationInfo"]["item"]["itemId"] == item["itemId"]
