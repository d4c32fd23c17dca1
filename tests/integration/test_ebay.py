"""eBay end to end, through the running stack against the eBay emulator: Platform
Notifications made and signed by the emulator as eBay makes them, posted to intake, completed
from the Post-Order API with the seller's OAuth user token. eBay signs only a notification's
Timestamp: a state change is applied only when the return, read back, confirms it."""

import asyncio
import json
import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from rich.progress import Progress

from deploy.replay import EBAY_SAMPLE_FILE, post_ebay_notifications
from services.intake.domain.opening import case_id_of
from tests.conftest import eventually
from tests.factories import AGENT, CHANNEL_ACCOUNTS, INTERNAL_TOKEN
from tests.integration.conftest import rows, scalar
from tests.integration.test_case_flow import answer_offer

ACCOUNT = next(a for a in json.loads(CHANNEL_ACCOUNTS.read_text()) if a["channel"] == "ebay")
SELLER = ACCOUNT["account"]
XML = {"content-type": "text/xml"}
MARKET_OF_SITE = {
    "EBAY_US": "US",
    "EBAY_GB": "UK",
    "EBAY_DE": "DE",
    "EBAY_CA": "CA",
    "EBAY_FR": "FR",
    "EBAY_IT": "IT",
}
# What the buyer's reason (and the emulator's words for it) makes of the case.
SCENARIO_OF_REASON = {
    "ARRIVED_DAMAGED": "minor_defect",
    "WRONG_SIZE": "size_style_mismatch",
    "NO_LONGER_NEED_ITEM": "changed_mind",
    "ORDERED_DIFFERENT_ITEM": "wrong_item",
}


@pytest.fixture
async def ebay(emulators):
    async with httpx.AsyncClient(base_url=emulators, timeout=10) as http:
        yield http
        await http.delete("/_emulator/faults/ebay")
        await http.put("/_emulator/ebay/oauth", json={"access_token_seconds": 7200})


async def notification(ebay: httpx.AsyncClient, event: str, return_id: str) -> bytes:
    order = {
        "event": event,
        "return_id": return_id,
        "recipient": SELLER,
        "keyset": ACCOUNT["keysets"][0],
    }
    made = await ebay.post("/_emulator/ebay/notifications", json=order)
    assert made.status_code == 200, made.text
    return made.json()["body"].encode()


async def held(ebay: httpx.AsyncClient, return_id: str, **change) -> dict:
    if change:
        await ebay.put(f"/_emulator/ebay/returns/{return_id}", json=change)
    return (await ebay.get(f"/_emulator/ebay/returns/{return_id}")).json()


async def a_return_of_reason(ebay: httpx.AsyncClient, reasons) -> tuple[str, dict]:
    """A new return id whose buyer gave one of `reasons`, and the return eBay holds."""
    prefix = str(uuid.uuid4().int % 10**6).zfill(6)
    for number in range(500):
        return_id = f"{prefix}{number:04d}"
        found = await held(ebay, return_id)
        if found["summary"]["creationInfo"]["reason"] in reasons:
            return return_id, found
    raise AssertionError(f"no emulated return of reason {reasons}")


async def stored_case(clients, case_id: str):
    response = await clients["intake"].get(f"/cases/{case_id}", headers=AGENT)
    return response.json() if response.status_code == 200 else None


def opened_by(return_id: str) -> str:
    return case_id_of("ebay", f"ebay:{return_id}:ReturnCreated", account=SELLER)


async def post(clients, body: bytes) -> httpx.Response:
    return await clients["intake"].post("/webhooks/ebay", content=body, headers=XML)


def later_timestamp(body: bytes) -> bytes:
    """The notification with its Timestamp a second later, its signature left as it was."""
    sent = re.search(rb"<Timestamp>([^<]+)</Timestamp>", body).group(1).decode()
    later = datetime.fromisoformat(sent) + timedelta(seconds=1)
    stamp = later.strftime("%Y-%m-%dT%H:%M:%S.") + f"{later.microsecond // 1000:03d}Z"
    return body.replace(sent.encode(), stamp.encode())


async def minted(ebay: httpx.AsyncClient) -> int:
    return (await ebay.get("/_emulator/ebay/tokens")).json()["minted"].get("refresh_token", 0)


async def test_a_return_created_becomes_a_case_with_its_scenario_market_currency_and_price(
    clients, ebay, database
):
    return_id, found = await a_return_of_reason(ebay, SCENARIO_OF_REASON)
    answer = await post(clients, await notification(ebay, "ReturnCreated", return_id))
    assert answer.status_code == 202, answer.text
    case = await eventually(lambda: stored_case(clients, opened_by(return_id)))
    item = found["detail"]["itemDetail"]
    assert case["marketplace"] == "ebay" and case["seller_account"] == SELLER
    assert case["scenario"] == SCENARIO_OF_REASON[found["summary"]["creationInfo"]["reason"]]
    assert case["market"] == MARKET_OF_SITE[found["detail"]["marketplaceId"]]
    assert case["currency"] == item["itemPrice"]["currency"]
    [line] = case["items"]
    price = Decimal(str(item["itemPrice"]["value"]))
    assert line["unit_price_minor"] == int(price * 100)
    assert (line["sku"], line["quantity"]) == (item["itemId"], item["returnQuantity"])
    assert case["order_id"] == found["summary"]["orderId"]
    # The buyer's address, read from the return, is where a replacement or a part goes.
    ship_to = await clients["intake"].get(
        f"/cases/{case['case_id']}/ship-to", headers={"authorization": f"Bearer {INTERNAL_TOKEN}"}
    )
    assert ship_to.status_code == 200, ship_to.text
    given = found["detail"]["buyerAddress"]
    assert ship_to.json()["name"] == given["name"]
    assert ship_to.json()["address"]["postal_code"] == given["address"]["postalCode"]


async def test_a_redelivery_signed_afresh_opens_no_second_case(clients, ebay, database):
    return_id = str(uuid.uuid4().int % 10**10)
    first = await post(clients, await notification(ebay, "ReturnCreated", return_id))
    await eventually(lambda: stored_case(clients, opened_by(return_id)))
    again = await post(clients, await notification(ebay, "ReturnCreated", return_id))
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["duplicate"] is True
    await asyncio.sleep(0.5)
    cases = await scalar(
        database,
        "SELECT count(*) FROM intake.cases WHERE channel = 'ebay' AND return_id = :r",
        r=return_id,
    )
    assert cases == 1


async def test_a_message_the_buyer_writes_on_the_return_becomes_a_reply_on_its_case(
    clients, ebay, database
):
    return_id = str(uuid.uuid4().int % 10**10)
    await post(clients, await notification(ebay, "ReturnCreated", return_id))
    case_id = opened_by(return_id)
    await eventually(lambda: stored_case(clients, case_id))
    words = "Quand est-ce que le remboursement arrive ?"
    written = await ebay.post(f"/_emulator/ebay/returns/{return_id}/messages", json={"text": words})
    assert written.status_code == 200
    # eBay notifies no message of its own: the next notification about the return reads it.
    answer = await post(clients, await notification(ebay, "ReturnShipped", return_id))
    assert answer.status_code == 202, answer.text

    async def replies():
        found = await rows(
            database,
            "SELECT message_id, answer, text FROM intake.buyer_messages WHERE case_id = :c",
            c=case_id,
        )
        return found or None

    [(key, answer, text)] = await eventually(replies, timeout=30)
    assert key.startswith(f"ebay:{return_id}:")
    assert (answer, text) == ("message", words)  # a question: the agents' queue
    again = await post(clients, await notification(ebay, "ReturnDelivered", return_id))
    assert again.status_code == 202
    await eventually(
        lambda: scalar(
            database,
            "SELECT count(*) FROM intake.deliveries WHERE account = :a AND delivery_id = :d"
            " AND state = 'applied'",
            a=SELLER,
            d=f"ebay:{return_id}:ReturnDelivered",
        ),
        timeout=30,
    )
    assert len(await replies()) == 1  # read again, recorded once


async def test_a_tampered_or_forged_notification_is_refused_and_stores_nothing(
    clients, ebay, database
):
    before = await scalar(database, "SELECT count(*) FROM intake.deliveries")
    genuine = await notification(ebay, "ReturnCreated", str(uuid.uuid4().int % 10**10))
    tampered = later_timestamp(genuine)
    other_app = {**ACCOUNT["keysets"][0], "cert_id": "PRD-guessed-cert"}
    made = await ebay.post(
        "/_emulator/ebay/notifications",
        json={
            "event": "ReturnCreated",
            "return_id": "1234567890",
            "recipient": SELLER,
            "keyset": other_app,
        },
    )
    forged = made.json()["body"].encode()
    unsigned = re.sub(
        rb"<ebl:NotificationSignature[^>]*>[^<]*<", b"<ebl:NotificationSignature><", genuine
    )
    for body in (tampered, forged, unsigned):
        answer = await post(clients, body)
        assert (answer.status_code, answer.json()["error"]) == (401, "bad_signature")
    assert await scalar(database, "SELECT count(*) FROM intake.deliveries") == before


async def test_a_forged_state_change_is_refused_by_the_confirmation_read(clients, ebay, database):
    # A damaged item: a partial refund is offered and nobody answers it here, so no remedy is
    # decided and intake itself asks nothing of eBay about this return meanwhile.
    return_id, _ = await a_return_of_reason(ebay, {"ARRIVED_DAMAGED"})
    await held(ebay, return_id, state="RETURN_REQUESTED")
    created = await notification(ebay, "ReturnCreated", return_id)
    assert (await post(clients, created)).status_code == 202
    case_id = opened_by(return_id)
    await eventually(lambda: stored_case(clients, case_id))
    # eBay signs the Timestamp only: the same signature carries any other event.
    forged = created.replace(b">ReturnCreated<", b">ReturnClosed<")
    answer = await post(clients, forged)
    assert answer.status_code == 202, answer.text
    delivery_id = answer.json()["delivery_id"]

    async def settled():
        found = await rows(
            database,
            "SELECT state, error FROM intake.deliveries WHERE channel = 'ebay' "
            "AND delivery_id = :d",
            d=delivery_id,
        )
        return found and found[0].state != "accepted" and found[0]

    failed = await eventually(settled)
    assert failed.state == "failed"
    assert "not confirmed" in failed.error and "RETURN_REQUESTED" in failed.error
    assert (await stored_case(clients, case_id))["marketplace_status"] == "requested"

    listed = await clients["intake"].get("/deliveries?state=failed", headers=AGENT)
    assert any(d["delivery_id"] == delivery_id for d in listed.json())


async def test_a_partial_refund_the_buyer_took_closes_a_snad_return_never_declined(
    clients, ebay, database
):
    """A damaged item (eBay: SNAD) settled by the partial refund the buyer accepted: the
    refund issued on the return closes it, and intake's action on the return is that close,
    confirmed; no DECLINE, which eBay refuses for a return not as described, is sent."""
    return_id, _ = await a_return_of_reason(ebay, {"ARRIVED_DAMAGED"})
    await held(ebay, return_id, state="RETURN_REQUESTED")
    assert (await post(clients, await notification(ebay, "ReturnCreated", return_id))).is_success
    case_id = opened_by(return_id)
    await eventually(lambda: stored_case(clients, case_id))
    await answer_offer(clients, case_id, "accept", "partial_refund")

    async def acted():
        found = await rows(
            database,
            "SELECT action, state, error FROM intake.return_actions WHERE case_id = :c",
            c=case_id,
        )
        return found and all(a.state not in ("owed",) for a in found) and found

    actions = await eventually(acted, timeout=90)
    assert [(a.action, a.state, a.error) for a in actions] == [("close", "done", None)]
    decisions = (await ebay.get("/_emulator/ebay/decisions")).json()["decisions"]
    assert [d for d in decisions if d["return_id"] == return_id] == []
    [refund] = [
        r
        for r in (await ebay.get("/_emulator/ebay/refunds")).json()["refunds"]
        if r["return_id"] == return_id
    ]
    state = (await held(ebay, return_id))["summary"]["state"]
    assert state == "LESS_THAN_A_FULL_REFUND_ISSUED" and refund["amount"]["value"] > 0


async def test_an_ebay_outage_delays_the_delivery_which_completes_after_it(clients, ebay, database):
    return_id = str(uuid.uuid4().int % 10**10)
    body = await notification(ebay, "ReturnCreated", return_id)
    await ebay.put("/_emulator/faults/ebay", json={"outage_seconds": 4})
    answer = await post(clients, body)
    assert answer.status_code == 202
    await asyncio.sleep(2)
    assert await stored_case(clients, opened_by(return_id)) is None
    case = await eventually(lambda: stored_case(clients, opened_by(return_id)), timeout=40)
    assert case["return_id"] == return_id
    attempts = await scalar(
        database,
        "SELECT attempts FROM intake.deliveries WHERE channel = 'ebay' AND delivery_id = :d",
        d=answer.json()["delivery_id"],
    )
    assert attempts > 1


async def test_the_user_token_is_minted_again_when_it_runs_out(clients, ebay, database):
    first = str(uuid.uuid4().int % 10**10)
    assert (await post(clients, await notification(ebay, "ReturnCreated", first))).is_success
    await eventually(lambda: stored_case(clients, opened_by(first)))
    before = await minted(ebay)

    # eBay says the token is no longer good (it ran out early, or was revoked): a new one.
    await ebay.put("/_emulator/ebay/oauth", json={"access_token_seconds": 125})
    await ebay.post("/_emulator/ebay/oauth/expire")
    second = str(uuid.uuid4().int % 10**10)
    assert (await post(clients, await notification(ebay, "ReturnCreated", second))).is_success
    await eventually(lambda: stored_case(clients, opened_by(second)))
    assert await minted(ebay) == before + 1

    # That one lives 125 s: within two minutes of its end it is refreshed before it is used.
    await asyncio.sleep(6)
    third = str(uuid.uuid4().int % 10**10)
    assert (await post(clients, await notification(ebay, "ReturnCreated", third))).is_success
    await eventually(lambda: stored_case(clients, opened_by(third)))
    assert await minted(ebay) == before + 2


async def test_make_runs_ebay_samples_become_cases_each_as_far_as_ebay_says(clients, ebay):
    samples = json.loads(EBAY_SAMPLE_FILE.read_text())
    with Progress(disable=True) as progress:
        case_ids = await post_ebay_notifications(
            ebay, clients["intake"], samples, ACCOUNT, progress
        )
    assert len(case_ids) == len(samples) >= 5
    cases = [await eventually(lambda c=c: stored_case(clients, c)) for c in case_ids]
    assert {case["marketplace"] for case in cases} == {"ebay"}
    assert len({case["market"] for case in cases}) >= 3
    last_event = {s["return_id"]: s["events"][-1] for s in samples}
    expected = {"ReturnCreated": "requested", "ReturnShipped": "shipped"}
    expected["ReturnDelivered"] = "delivered"

    async def as_far_as_ebay_says():
        found = [await stored_case(clients, c) for c in case_ids]
        return all(
            case["marketplace_status"] == expected[last_event[case["return_id"]]] for case in found
        )

    await eventually(as_far_as_ebay_says)


async def test_an_escalated_return_opens_its_money_back_guarantee_claim_in_analytics(
    clients, ebay, database
):
    # A damaged item: a partial refund is offered and nobody answers it, so the return is
    # still open at eBay when the buyer asks eBay to step in.
    return_id, _ = await a_return_of_reason(ebay, {"ARRIVED_DAMAGED"})
    assert (await post(clients, await notification(ebay, "ReturnCreated", return_id))).status_code
    case_id = opened_by(return_id)
    await eventually(lambda: stored_case(clients, case_id))
    escalated = await notification(ebay, "ReturnEscalated", return_id)
    noticed_at = datetime.fromisoformat(
        re.search(rb"<Timestamp>([^<]+)</Timestamp>", escalated).group(1).decode()
    )
    assert (await post(clients, escalated)).status_code == 202
    ebay_case = (await held(ebay, return_id))["summary"]["escalationInfo"]["caseId"]

    async def claim():
        listed = await clients["analytics"].get(
            "/claims", params={"seller": SELLER, "kind": "ebay_money_back"}, headers=AGENT
        )
        assert listed.status_code == 200, listed.text
        return next((c for c in listed.json()["claims"] if c["case_id"] == case_id), None)

    opened = await eventually(claim)
    assert opened["marketplace_claim_id"] == ebay_case
    assert opened["opened_by"] == "ebay notice" and opened["outcome"] == "open"
    # Its clock started at eBay's notice, not when someone got round to it.
    assert datetime.fromisoformat(opened["starts"]) == noticed_at
    assert opened["clock"]["state"] == "running"
    assert (await stored_case(clients, case_id))["marketplace_status"] == "escalated"
    # eBay sending it again opens no second claim.
    again = await post(clients, await notification(ebay, "ReturnEscalated", return_id))
    assert again.status_code in (200, 202)
    await asyncio.sleep(1)
    listed = await clients["analytics"].get(
        "/claims", params={"seller": SELLER, "kind": "ebay_money_back"}, headers=AGENT
    )
    assert [c["case_id"] for c in listed.json()["claims"]].count(case_id) == 1
