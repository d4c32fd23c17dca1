"""Walmart end to end: real-format RETURN_CREATED notifications, signed as Walmart signs them,
through the running stack, completed from the emulated Returns API (`deploy/emulators/
walmart.py`) with the test account's client credentials."""

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from rich.progress import Progress

from deploy.emulators import walmart as emulated
from deploy.replay import replay_walmart_returns
from tests.conftest import eventually
from tests.factories import AGENT
from tests.integration.conftest import scalar

PARTNER_ID = "10900015773"  # tests/samples/channel_accounts.json
SECRET = "wm-webhook-secret-2026b"
PATH = "/webhooks/walmart"


def return_order_with(reasons: list[str], start: int) -> str:
    """The first return order id from `start` on whose lines the emulator gives `reasons`."""
    for number in range(start, start + 5000):
        return_order_id = f"5{number:017d}"
        if [line.reason for line in emulated.return_order(return_order_id).lines] == reasons:
            return return_order_id
    raise LookupError(f"no return order with {reasons}")


def notification(*return_order_ids: str, partner_id: str = PARTNER_ID) -> bytes:
    event = emulated.return_created(
        return_order_ids, partner_id, str(uuid.uuid4()), datetime.now(UTC)
    )
    return json.dumps(event).encode()


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    """Walmart's signature, built here apart from the code under test."""
    timestamp = str(int(datetime.now(UTC).timestamp()))
    string_to_sign = f"POST\n{PATH}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "WM_SEC.TIMESTAMP": timestamp,
        "WM_SEC.SIGNATURE": base64.b64encode(digest).decode(),
    }


async def cases_of(clients, return_order_id: str) -> list[dict]:
    """The cases intake opened for a Walmart return order, first line's first."""
    response = await clients["intake"].get("/cases", params={"limit": 500}, headers=AGENT)
    found = [
        case
        for case in response.json()
        if case.get("marketplace") == "walmart" and case.get("return_id") == return_order_id
    ]
    return sorted(found, key=lambda case: case["items"][0]["sku"])


async def full_case(clients, case_id: str) -> dict:
    return (await clients["intake"].get(f"/cases/{case_id}", headers=AGENT)).json()


async def post(clients, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await clients["intake"].post(PATH, content=body, headers=headers)


@pytest.fixture
async def walmart_emulator(emulators):
    """The session's emulated Walmart, as a test steers it; faults and lifetimes undone after."""
    async with httpx.AsyncClient(base_url=emulators, timeout=10) as http:
        yield http
        await http.delete("/_emulator/faults/walmart")
        await http.put("/_emulator/walmart/token-lifetime", json={"seconds": 900})


async def test_a_return_created_becomes_a_case_with_walmarts_data(clients):
    return_order_id = return_order_with(["DEFECTIVE"], start=0)
    body = notification(return_order_id)
    answer = await post(clients, body, signed(body))
    assert answer.status_code == 202, answer.text
    [case] = await eventually(lambda: cases_of(clients, return_order_id))
    [line] = emulated.return_order(return_order_id).lines
    assert (case["market"], case["currency"]) == ("US", "USD")
    assert case["order_id"] == emulated.purchase_order_id_of(return_order_id)
    [item] = case["items"]
    assert (item["sku"], item["quantity"]) == (line.ordered.sku, line.ordered.quantity)
    assert item["unit_price_minor"] == int(line.ordered.unit_price * 100)
    assert (case["reason_code"], case["reason"]) == ("DEFECTIVE", "defective")
    stored = await full_case(clients, case["case_id"])
    assert (stored["scenario"], stored["needs_agent"]) == ("quality_defect", False)


async def test_a_free_text_reason_is_classified_like_the_buyers_words(clients):
    words = "I can't figure out how to pair it with my phone"
    return_order_id = return_order_with([words], start=0)
    body = notification(return_order_id)
    assert (await post(clients, body, signed(body))).status_code == 202
    [case] = await eventually(lambda: cases_of(clients, return_order_id))
    stored = await full_case(clients, case["case_id"])
    assert stored["buyer_comment"] == words
    assert (stored["scenario"], stored["needs_agent"]) == ("functional_fault", False)


async def test_every_line_of_a_return_keeps_its_reason_and_scenario(clients):
    reasons = [
        "Item arrived damaged, the box was crushed and there is a dent on the side",
        "Too small, I need a larger size",
        "NO_LONGER_WANTED",
    ]
    return_order_id = "300000000000000009"
    assert [line.reason for line in emulated.return_order(return_order_id).lines] == reasons
    body = notification(return_order_id)
    assert (await post(clients, body, signed(body))).status_code == 202
    cases = await eventually(lambda: _three(cases_of(clients, return_order_id)), timeout=30)
    scenarios = {
        case["items"][0]["sku"]: (await full_case(clients, case["case_id"]))["scenario"]
        for case in cases
    }
    lines = emulated.return_order(return_order_id).lines
    assert scenarios == {
        lines[0].ordered.sku: "minor_defect",
        lines[1].ordered.sku: "size_style_mismatch",
        lines[2].ordered.sku: "changed_mind",
    }


async def _three(cases):
    found = await cases
    return found if len(found) == 3 else None


async def test_a_replayed_notification_opens_no_new_case(clients):
    return_order_id = return_order_with(["MISSING_PARTS"], start=0)
    body = notification(return_order_id)
    assert (await post(clients, body, signed(body))).status_code == 202
    await eventually(lambda: cases_of(clients, return_order_id))
    again = await post(clients, body, signed(body))  # Walmart's redelivery, signed anew
    assert again.status_code in (200, 202)
    assert again.json()["duplicate"] is True
    await asyncio.sleep(1)
    assert len(await cases_of(clients, return_order_id)) == 1


async def test_a_tampered_or_forged_notification_is_refused(clients):
    return_order_id = return_order_with(["INCORRECT_ITEM"], start=0)
    body = notification(return_order_id)
    headers = signed(body)
    tampered = body.replace(b'"quantity": "1"', b'"quantity": "9"')
    assert tampered != body
    assert (await post(clients, tampered, headers)).status_code == 401
    assert (
        await post(clients, body, signed(body, secret="not-walmarts-secret"))
    ).status_code == 401
    await asyncio.sleep(1)
    assert await cases_of(clients, return_order_id) == []


async def test_a_walmart_outage_delays_the_delivery_which_completes_after_it(
    clients, database, walmart_emulator
):
    return_order_id = return_order_with(["DAMAGED"], start=0)
    body = notification(return_order_id)
    event_id = json.loads(body)["source"]["eventId"]
    await walmart_emulator.put("/_emulator/faults/walmart", json={"outage_seconds": 6})
    assert (await post(clients, body, signed(body))).status_code == 202
    await asyncio.sleep(3)
    assert await cases_of(clients, return_order_id) == []  # waiting for Walmart
    [case] = await eventually(lambda: cases_of(clients, return_order_id), timeout=90)
    assert case["items"][0]["unit_price_minor"] > 0
    attempts = await scalar(
        database,
        "SELECT attempts FROM intake.deliveries"
        " WHERE channel = 'walmart' AND position(:event in delivery_id) > 0",
        event=event_id,
    )
    assert attempts > 1  # tried during the outage, completed after it


async def test_the_token_is_refreshed_before_it_runs_out(clients, walmart_emulator):
    async def issued() -> list[dict]:
        tokens = (await walmart_emulator.get("/_emulator/walmart/tokens")).json()["tokens"]
        return [token for token in tokens if token["client_id"] == "wm-test-client"]

    # Tokens that live 125 s: intake refreshes a token with less than two minutes left.
    await walmart_emulator.put("/_emulator/walmart/token-lifetime", json={"seconds": 125})
    await walmart_emulator.delete("/_emulator/walmart/tokens")  # intake's token is refused
    before = len(await issued())
    first = return_order_with(["NOT_AS_DESCRIBED"], start=0)
    body = notification(first)
    assert (await post(clients, body, signed(body))).status_code == 202
    await eventually(lambda: cases_of(clients, first))
    after_first = await issued()
    assert len(after_first) == before + 1  # a new token, after Walmart refused the old one
    await asyncio.sleep(6)  # the new token has under two minutes left now, but is still good
    second = return_order_with(["INADEQUATE_QUALITY"], start=0)
    body = notification(second)
    assert (await post(clients, body, signed(body))).status_code == 202
    await eventually(lambda: cases_of(clients, second))
    tokens = await issued()
    assert len(tokens) == before + 2
    previous, refreshed = tokens[-2:]
    assert not previous["revoked"] and refreshed["issued_at"] < previous["expires_at"]


async def test_the_samples_make_run_replays_become_classified_cases(clients):
    # The demo seller's notifications (deploy/walmart_return_created.json), addressed to the
    # test account: every return order's cases, each line's reason its own case's.
    account = {"account": PARTNER_ID, "secrets": [SECRET]}
    case_ids = await replay_walmart_returns(
        clients["intake"], AGENT, Progress(disable=True), account, timeout=60
    )
    cases = [await full_case(clients, case_id) for case_id in case_ids]
    assert len({case["return_id"] for case in cases}) == 7
    assert len(cases) == 9  # two return orders have lines of two reasons each
    assert all((case["market"], case["currency"]) == ("US", "USD") for case in cases)
    assert not [case for case in cases if case["needs_agent"]]
