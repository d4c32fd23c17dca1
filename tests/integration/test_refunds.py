"""Refunds through the running stack: resolution decides, intake pays through the case's
marketplace (the generic channel's refund API, served by the emulators), and the emulator's
ledger, read over HTTP, says how many refunds were paid. A process killed between the
marketplace's answer and the commit pays nothing more when the refund is asked again."""

import asyncio
import json
import os
import signal
import sys
import uuid
from pathlib import Path

import httpx

from tests.conftest import eventually
from tests.factories import AGENT, INTERNAL_TOKEN, post_case, webhook
from tests.integration.conftest import rows
from tests.integration.test_case_flow import answer_offer

ROOT = Path(__file__).resolve().parents[2]
INTERNAL = {"authorization": f"Bearer {INTERNAL_TOKEN}"}


async def ledger(emulators: str, **params) -> list[dict]:
    """The refunds the emulated refund API paid (under one key, with `idempotency_key`)."""
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        answer = await http.get("/refund-api/v1/refunds", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()["refunds"]


async def opened(clients, **changes) -> str:
    answer = await post_case(clients["intake"], webhook(**changes))
    assert answer.status_code == 202, answer.text
    case_id = answer.json()["case_id"]

    async def stored():
        found = await clients["intake"].get(f"/cases/{case_id}", headers=AGENT)
        return found.json() if found.status_code == 200 else None

    await eventually(stored)
    return case_id


async def resolution_refund(database, case_id: str):
    async def issued():
        found = await rows(
            database,
            "SELECT refund_id, state, marketplace_refund_id, attempts FROM resolution.refunds"
            " WHERE case_id = :c",
            c=case_id,
        )
        return found and found[0].state == "issued" and found[0]

    return await eventually(issued, timeout=60)


async def intake_refund(database, refund_id: str):
    (found,) = await rows(
        database,
        "SELECT state, marketplace_refund_id, attempts FROM intake.refunds WHERE refund_id = :k",
        k=refund_id,
    )
    return found


async def test_a_refund_resolution_decides_is_paid_once_through_intake(
    clients, database, emulators
):
    case_id = await opened(clients, reason_code="DAMAGED_PACKAGING")
    await answer_offer(clients, case_id, "accept", "partial_refund")

    refund = await resolution_refund(database, case_id)
    (paid,) = [each for each in await ledger(emulators) if each["case_id"] == case_id]
    assert paid["idempotency_key"] == refund.refund_id
    assert paid["refund_id"] == refund.marketplace_refund_id
    assert (paid["marketplace"], paid["seller_account"]) == ("generic", "test-seller")
    assert paid["amount"] == {"minor": 499, "currency": "USD"}
    paid_by_intake = await intake_refund(database, refund.refund_id)
    assert (paid_by_intake.state, paid_by_intake.marketplace_refund_id) == (
        "paid",
        refund.marketplace_refund_id,
    )

    # Resolved without the unit: a close is owed, but a generic case names no return.
    async def closed():
        found = await rows(
            database,
            "SELECT action, state, error FROM intake.return_actions WHERE case_id = :c",
            c=case_id,
        )
        return found

    (close,) = await eventually(closed)
    assert (close.action, close.state, close.error) == (
        "close",
        "not_needed",
        "the marketplace holds no return for this case",
    )


async def test_a_refund_api_that_is_down_delays_the_refund_and_it_is_paid_once_after(
    clients, database, emulators
):
    # Its next two answers are 503s, whenever they come: the payment, then the read-back.
    fault = {"status": 503, "times": 2, "retry_after": 1}
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        assert (await http.put("/_emulator/faults/refund-api", json=fault)).status_code == 204
    case_id = await opened(clients, reason_code="DAMAGED_PACKAGING")
    await answer_offer(clients, case_id, "accept", "partial_refund")

    refund = await resolution_refund(database, case_id)
    assert refund.attempts == 3  # intake answered 503 with Retry-After twice
    assert len([each for each in await ledger(emulators) if each["case_id"] == case_id]) == 1


async def test_a_process_killed_between_the_answer_and_the_commit_pays_once(
    clients, database, emulators, settings
):
    # A case that waits for an agent: resolution owes no refund of its own for it.
    case_id = await opened(clients, reason_code="OTHER", buyer_comment="")
    case = (await clients["intake"].get(f"/cases/{case_id}", headers=AGENT)).json()
    key = str(uuid.uuid4())
    body = {
        "case_id": case_id,
        "marketplace": "generic",
        "seller_account": case["seller_account"],
        "order_id": case["order_id"],
        "return_id": None,
        "amount": {"minor": 1250, "currency": "USD"},
        "reason": "refund_without_return",
    }

    killed = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.killed_refund",
        key,
        json.dumps(body),
        cwd=ROOT,
        env={**os.environ, **intake_environment(settings)},
    )
    assert await asyncio.wait_for(killed.wait(), timeout=60) == -signal.SIGKILL
    (paid,) = await ledger(emulators, idempotency_key=key)  # the marketplace paid...
    assert (await intake_refund(database, key)).state == "paying"  # ...nobody recorded it

    # Asked again (resolution retries with the same key), by intake's running process: told
    # to come back while the dead try's lease runs (503), then the refund is read back.
    async def asked_again():
        answer = await clients["intake"].post(
            "/v1/refunds", json=body, headers={**INTERNAL, "Idempotency-Key": key}
        )
        if answer.status_code == 503:
            assert "being paid by another try" in answer.text
            return None
        return answer

    again = await eventually(asked_again, timeout=30, interval=0.5)
    assert again.status_code == 200, again.text
    assert again.json()["refund_id"] == paid["refund_id"]
    assert [
        each["refund_id"] for each in await ledger(emulators) if each["case_id"] == case_id
    ] == [paid["refund_id"]]
    recorded = await intake_refund(database, key)
    assert (recorded.state, recorded.marketplace_refund_id, recorded.attempts) == (
        "paid",
        paid["refund_id"],
        2,
    )


def intake_environment(settings) -> dict[str, str]:
    """What the killed process needs of intake's settings, as its environment."""
    return {
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "INTAKE_PII_KEYS": settings.intake_pii_keys.get_secret_value(),
        "GENERIC_REFUND_API_BASE_URL": settings.generic_refund_api_base_url,
        "MARKETPLACE_TIMEOUT_SECONDS": str(settings.marketplace_timeout_seconds),
    }


async def test_a_store_credit_accepted_is_one_gift_card_of_the_sellers_api_and_its_code_told(
    clients, database, emulators
):
    """A seller of its own (its policy enables store credit; the shared test seller's is
    left alone): the buyer declines the partial refund, accepts the store credit."""
    from datetime import UTC, datetime

    from services.intake.channels.generic.webhook import signed_headers

    account, secret = f"credit-{uuid.uuid4().hex[:8]}", f"secret-{uuid.uuid4().hex}"
    onboarded = await clients["intake"].post(
        "/channel-accounts",
        json={"channel": "generic", "account": account, "seller": account, "secrets": [secret]},
        headers=AGENT,
    )
    assert onboarded.status_code == 201, onboarded.text
    policy = {"store_credit_enabled": True, "store_credit_bonus_percent": 10}
    put = await clients["resolution"].put(f"/policies/{account}", json=policy, headers=AGENT)
    assert put.status_code == 201, put.text
    raw = json.dumps(webhook(reason_code="DAMAGED_PACKAGING")).encode()
    headers = signed_headers(account, secret, raw, datetime.now(UTC))
    posted = await clients["intake"].post("/webhooks/generic", content=raw, headers=headers)
    assert posted.status_code == 202, posted.text
    case_id = posted.json()["case_id"]

    await answer_offer(clients, case_id, "decline", "partial_refund")
    await answer_offer(clients, case_id, "accept", "store_credit")

    credit = await resolution_refund(database, case_id)
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as http:
        cards = await http.get(
            "/refund-api/v1/gift-cards", params={"idempotency_key": credit.refund_id}
        )
    (card,) = cards.json()["gift_cards"]
    assert card["amount"] == {"minor": 5498, "currency": "USD"}  # 49.99 and 10%
    assert card["gift_card_id"] == credit.marketplace_refund_id
    (code,) = await rows(
        database, "SELECT credit_code FROM intake.refunds WHERE refund_id = :k", k=credit.refund_id
    )
    assert code.credit_code == card["code"]

    async def told():
        found = await rows(
            database,
            "SELECT facts FROM intake.outgoing_messages WHERE case_id = :c AND kind = :k",
            c=case_id,
            k="refund_issued",
        )
        return found

    (message,) = await eventually(told)
    assert message.facts["credit_code"] == card["code"]
    assert message.facts["remedy"] == "store_credit"
