"""Nothing a marketplace delivers is lost, through the running stack: a delivery whose
marketplace API stays down fails once its time budget is spent, is listed with its cause,
and completes into a case when an operator retries it after the API is back; and sellers
onboarded through the API each get their own case for the same event id."""

import json
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import text

from services.intake.channels.generic.webhook import signed_headers
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.domain.opening import case_id_of
from tests.conftest import eventually
from tests.factories import AGENT, webhook
from tests.integration.conftest import scalar
from tests.integration.test_channels import (
    SHOP,
    new_return_request,
    shop_has_return,
    shopify_headers,
    stored_case,
)


async def fault(emulators: str, method: str, body: dict | None = None) -> None:
    """Shopify's emulated Admin API answering 503 until the fault is cleared."""
    async with httpx.AsyncClient(base_url=emulators) as http:
        kwargs = {"json": body} if body is not None else {}
        answer = await http.request(method.upper(), "/_emulator/faults/shopify", **kwargs)
        answer.raise_for_status()


async def test_a_delivery_failed_while_its_marketplace_was_down_completes_when_retried(
    clients, emulators, database
):
    body = new_return_request()
    await shop_has_return(emulators, body)
    await fault(emulators, "put", {"status": 503, "times": 1_000_000})
    headers = shopify_headers("returns/request", body, str(uuid.uuid4()))
    answer = await clients["intake"].post("/webhooks/shopify", content=body, headers=headers)
    assert answer.status_code == 202
    delivery_id = request_key_of(body)
    key = {"a": SHOP, "d": delivery_id}

    async def state() -> str:
        return await scalar(
            database,
            "SELECT state FROM intake.deliveries"
            " WHERE channel = 'shopify' AND account = :a AND delivery_id = :d",
            **key,
        )

    async def three_days_later() -> bool:
        """Time moves on (the delivery was received 73 hours ago) while it waits for its next
        try, so that the next failed try is its last."""
        async with database.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE intake.deliveries SET received_at = now() - interval '73 hours',"
                    " next_attempt_at = now()"
                    " WHERE channel = 'shopify' AND account = :a AND delivery_id = :d"
                    " AND state = 'accepted' AND attempts > 0"
                    " AND next_attempt_at < now() + interval '30 seconds'"  # not being tried
                ),
                key,
            )
        return await state() == "failed"

    await eventually(three_days_later, timeout=60)
    failed = await clients["intake"].get(
        "/deliveries",
        params={"state": "failed", "channel": "shopify", "cause": "503"},
        headers=AGENT,
    )
    assert delivery_id in {each["delivery_id"] for each in failed.json()}

    await fault(emulators, "delete")  # the marketplace is back
    retried = await clients["intake"].post(
        f"/deliveries/shopify/{SHOP}/{delivery_id}/retry", headers=AGENT
    )
    assert retried.json()["revived"] is True
    case_id = case_id_of("shopify", delivery_id, account=SHOP)
    case = await eventually(lambda: stored_case(clients, case_id), timeout=30)
    assert case["seller_account"] == SHOP and case["items"]
    assert await state() == "applied"


async def test_two_sellers_with_the_same_event_id_each_get_their_case(clients, database):
    body = webhook()
    raw = json.dumps(body).encode()
    case_ids = []
    for _ in range(2):
        account, secret = f"seller-{uuid.uuid4().hex[:8]}", f"secret-{uuid.uuid4().hex}"
        onboarding = {
            "channel": "generic",
            "account": account,
            "seller": account,
            "secrets": [secret],
        }
        created = await clients["intake"].post("/channel-accounts", json=onboarding, headers=AGENT)
        assert created.status_code == 201, created.text
        headers = signed_headers(account, secret, raw, datetime.now(UTC))
        answer = await clients["intake"].post("/webhooks/generic", content=raw, headers=headers)
        assert (answer.status_code, answer.json()["duplicate"]) == (202, False)
        case_ids.append((account, answer.json()["case_id"]))

    for account, case_id in case_ids:
        case = await eventually(lambda case_id=case_id: stored_case(clients, case_id))
        assert case["seller_account"] == account
    assert len({case_id for _, case_id in case_ids}) == 2
    opened = await scalar(
        database,
        "SELECT count(*) FROM intake.cases WHERE channel = 'generic' AND case_key = :k",
        k=f"{body['marketplace']}:{body['event_id']}",
    )
    assert opened == 2
