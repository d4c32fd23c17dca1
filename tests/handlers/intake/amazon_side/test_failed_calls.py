"""Intake's failed Amazon removal orders over the real PostgreSQL and the emulated SP-API:
those that could not be sent (no local warehouse for the market), listed with their cause on
`/failed-calls` (kind `removal_order`), retried (owed again, the removal order worker woken,
then made at Amazon once) or discarded with the reason (never sent again), one by one or
by kind, cause and time; each change in the audit trail; an operator of one seller never
sees, retries or discards another seller's; what waits counted by the gauge an alert
watches."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from services.intake.tables import AmazonRemovalOrder
from services.intake.workflows.failed_calls import WAITING_QUEUES
from services.intake.workflows.removal_orders import REMOVAL_ORDERS_CHANNEL
from shared.recovery import WaitingCounts
from shared.telemetry import setup_telemetry
from tests.factories import AGENT, bearer, token_of
from tests.handlers.intake.conftest import owed_removal, running_intake, worked_until
from tests.integration.conftest import counter_total

NO_ADDRESS = "AMAZON_REMOVAL_ADDRESSES"


def agent_of(*accounts: str, roles=("agent",)) -> dict[str, str]:
    return bearer(token_of(list(roles), sellers=list(accounts), name=f"agent of {accounts[0]}"))


async def failed_removal(intake, onboarded: list[str]) -> tuple[str, str]:
    """A new account's removal order, failed: its market has no local warehouse."""
    account, removal_order_id = await owed_removal(intake, onboarded)
    order = await worked_until(intake, removal_order_id, "done", "failed")
    assert order.state == "failed" and NO_ADDRESS in order.error
    return account, removal_order_id


async def removal_of(intake, removal_order_id: str) -> AmazonRemovalOrder:
    async with intake.service.sessions() as session:
        order = await session.get(AmazonRemovalOrder, removal_order_id)
    assert order is not None
    return order


async def trail(intake, subject: str) -> list[tuple[str, int]]:
    answer = await intake.get("/audit", params={"subject": subject}, headers=AGENT)
    return [(e["route"], e["status"]) for e in answer.json()]


async def made_at_amazon(emulators: str, removal_order_id: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as emulator:
        made = (await emulator.get("/_emulator/amazon/removal-orders")).json()["removal_orders"]
    return [order for order in made if order["order_id"] == removal_order_id]


async def test_failed_removal_orders_are_listed_retried_and_discarded_within_the_callers_sellers(
    settings, emulators, amazon_accounts
):
    async with running_intake(settings, amazon_removal_addresses={}) as intake:
        first_account, first = await failed_removal(intake, amazon_accounts)
        second_account, second = await failed_removal(intake, amazon_accounts)
        their_account, theirs = await failed_removal(intake, amazon_accounts)
        mine = agent_of(first_account, second_account)
        me = f"agent of {first_account}"

        listed = await intake.get("/failed-calls", params={"kind": "removal_order"}, headers=mine)
        assert listed.status_code == 200, listed.text
        shown = {call["id"]: call for call in listed.json()}
        assert set(shown) == {first, second}  # never another seller's
        call = shown[first]
        assert (call["kind"], call["account"], call["state"]) == (
            "removal_order",
            first_account,
            "failed",
        )
        assert NO_ADDRESS in call["error"] and call["what"].startswith("removal order of 1 ×")

        # Another seller's is not found, neither to retry nor to discard.
        reason = {"reason": "removed by hand in Seller Central"}
        for verb, body in (("retry", None), ("discard", reason)):
            url = f"/failed-calls/removal_order/{theirs}/{verb}"
            assert (await intake.post(url, json=body, headers=mine)).status_code == 404
        assert (await removal_of(intake, theirs)).state == "failed"

        # Discarded with the reason: never sent again, the reason kept as its cause.
        url = f"/failed-calls/removal_order/{second}/discard"
        assert (await intake.post(url, json={"reason": ""}, headers=mine)).status_code == 422
        answer = await intake.post(url, json=reason, headers=mine)
        assert answer.json() == {"kind": "removal_order", "id": second, "state": "discarded"}
        discarded = await removal_of(intake, second)
        assert discarded.error == f"discarded by {me}: {reason['reason']}"
        assert (await intake.post(url, json=reason, headers=mine)).status_code == 409
        again = f"/failed-calls/removal_order/{second}/retry"
        assert (await intake.post(again, headers=mine)).status_code == 409

    async with running_intake(settings) as intake:  # the local warehouses set
        # One retried once its cause is fixed: owed again, now, the removal order worker woken.
        listener = await asyncpg.connect(intake.service.settings.plain_database_url)
        try:
            heard: asyncio.Queue[str] = asyncio.Queue()
            await listener.add_listener(
                REMOVAL_ORDERS_CHANNEL, lambda *args: heard.put_nowait(args[2])
            )
            url = f"/failed-calls/removal_order/{first}/retry"
            answer = await intake.post(url, headers=mine)
            assert answer.json() == {"kind": "removal_order", "id": first, "state": "owed"}
            assert await asyncio.wait_for(heard.get(), timeout=5) == REMOVAL_ORDERS_CHANNEL
        finally:
            await listener.close()
        order = await worked_until(intake, first, "done", "failed")  # made at its next turn
        assert order.state == "done", order.error
        assert len(await made_at_amazon(emulators, first)) == 1
        done = await intake.post(url, headers=mine)
        assert done.status_code == 409  # done: nothing to retry

        # In bulk by kind, cause and time owed: the other seller's own agent, its own only.
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        chosen = {"kind": "removal_order", "cause": NO_ADDRESS.lower(), "owed_since": since}
        retried_none = await intake.post("/failed-calls/retry", json=chosen, headers=mine)
        assert retried_none.json() == {"retried": 0}
        answer = await intake.post(
            "/failed-calls/retry", json=chosen, headers=agent_of(their_account)
        )
        assert answer.json() == {"retried": 1}
        assert (await worked_until(intake, theirs, "done", "failed")).state == "done"

        assert (await removal_of(intake, second)).state == "discarded"  # never sent again
        assert await made_at_amazon(emulators, second) == []

        kept = await trail(intake, me)
        assert ("/failed-calls/{kind}/{call_id}/retry", 200) in kept
        assert ("/failed-calls/{kind}/{call_id}/retry", 409) in kept
        assert ("/failed-calls/{kind}/{call_id}/retry", 404) in kept
        assert ("/failed-calls/{kind}/{call_id}/discard", 200) in kept
        assert ("/failed-calls/{kind}/{call_id}/discard", 404) in kept


async def test_failed_removal_orders_are_counted_for_their_alert(settings, amazon_accounts):
    async with running_intake(settings, amazon_removal_addresses={}) as intake:
        _, removal_order_id = await failed_removal(intake, amazon_accounts)
        metrics = InMemoryMetricReader()
        telemetry = setup_telemetry("intake", settings, metric_reader=metrics)
        counts = WaitingCounts("intake", intake.service.sessions, telemetry.meter, WAITING_QUEUES)
        await counts.count_once()
        assert counter_total(metrics, "recovery.failed_calls.waiting", kind="removal_order") >= 1
        url = f"/failed-calls/removal_order/{removal_order_id}/discard"
        answer = await intake.post(url, json={"reason": "sent by hand"}, headers=AGENT)
        assert answer.status_code == 200


@pytest.mark.parametrize("roles", [("warehouse_staff",), ("technician",), ("operations",)])
async def test_people_who_do_not_work_the_sellers_cases_may_not_retry_or_discard(
    settings, amazon_accounts, roles
):
    async with running_intake(settings, amazon_removal_addresses={}) as intake:
        account, removal_order_id = await failed_removal(intake, amazon_accounts)
        headers = agent_of(account, roles=roles)
        chosen = {"kind": "removal_order"}
        retry = await intake.post("/failed-calls/retry", json=chosen, headers=headers)
        assert retry.status_code == 403
        url = f"/failed-calls/removal_order/{removal_order_id}/discard"
        discard = await intake.post(url, json={"reason": "not mine"}, headers=headers)
        assert discard.status_code == 403
        assert (await removal_of(intake, removal_order_id)).state == "failed"
