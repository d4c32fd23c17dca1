"""The removal order worker (`workers/removal_orders.py`) against the emulated SP-API over
HTTP: a removal order owed for an unsellable FBA unit reaches Amazon exactly once (the
emulator's ledger counts what Amazon made), even when Amazon's answer is lost; a refusal or
a missing warehouse address fails it with the cause, listed, and an agent's retry sends it
once the cause is fixed; an Amazon that stays down fails it after its tries."""

import httpx
import pytest

from shared.markets import Market
from tests.factories import AGENT
from tests.handlers.intake.conftest import owed_removal, running_intake, worked_until


@pytest.fixture
async def emulator(emulators):
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as client:
        yield client
        await client.delete("/_emulator/faults/amazon")


async def made_at_amazon(emulator: httpx.AsyncClient, removal_order_id: str) -> list[dict]:
    made = (await emulator.get("/_emulator/amazon/removal-orders")).json()["removal_orders"]
    return [order for order in made if order["order_id"] == removal_order_id]


async def test_a_removal_order_reaches_amazon_once_addressed_to_the_local_warehouse(
    intake, emulator, amazon_accounts
):
    _, removal_order_id = await owed_removal(intake, amazon_accounts)
    order = await worked_until(intake, removal_order_id, "done", "failed")
    assert (order.state, order.error) == ("done", None)
    assert order.address["city"] == "Boston" and order.feed_id
    [made] = await made_at_amazon(emulator, removal_order_id)
    assert (made["order_type"], made["sku"], made["unsellable_quantity"]) == (
        "Return",
        "TWS-EB-A3-WHT",
        1,
    )
    assert made["address"]["AddressName"] == "Boston Fulfillment Center"
    assert made["marketplace_id"] == "ATVPDKIKX0DER"


async def test_an_order_whose_answer_was_lost_is_read_back_and_made_once(
    intake, emulator, amazon_accounts
):
    account, removal_order_id = await owed_removal(intake, amazon_accounts)
    lost = {"seller": account, "operation": "createFeed", "times": 1}
    assert (await emulator.put("/_emulator/amazon/lost-answers", json=lost)).is_success
    order = await worked_until(intake, removal_order_id, "done", "failed")
    assert order.state == "done", order.error
    assert order.feed_id is None  # never learnt: found in the detail report instead
    assert order.amazon_status == "Pending"  # as the detail report says it
    assert order.attempts >= 4  # sent, read-back asked for, looked at, found
    assert len(await made_at_amazon(emulator, removal_order_id)) == 1


async def test_a_record_amazon_refuses_fails_the_order_and_a_retry_sends_it_once_fixed(
    settings, emulator, amazon_accounts
):
    boston = settings.amazon_removal_addresses[Market.US]
    abroad = {**settings.amazon_removal_addresses, Market.US: boston.model_copy(
        update={"country_code": "DE"})}  # fmt: skip
    async with running_intake(settings, amazon_removal_addresses=abroad) as intake:
        _, removal_order_id = await owed_removal(intake, amazon_accounts)
        order = await worked_until(intake, removal_order_id, "done", "failed")
        assert order.state == "failed"
        assert "outside the marketplace's region" in order.error
        assert (order.submitted_at, order.feed_id) == (None, None)  # nothing was made
        [listed] = (
            await intake.get(
                "/amazon/removal-orders",
                params={"state": "failed", "account": order.account},
                headers=AGENT,
            )
        ).json()
        assert listed["removal_order_id"] == removal_order_id and listed["error"]
        retried = await intake.post(
            f"/amazon/removal-orders/{removal_order_id}/retry", headers=AGENT
        )
        assert retried.json() == {"removal_order_id": removal_order_id, "state": "owed"}
    async with running_intake(settings) as intake:  # the address set right
        order = await worked_until(intake, removal_order_id, "done", "failed")
        assert order.state == "done"
        again = await intake.post(f"/amazon/removal-orders/{removal_order_id}/retry", headers=AGENT)
        assert again.status_code == 409  # only a failed order is retried
    assert len(await made_at_amazon(emulator, removal_order_id)) == 1


async def test_a_market_without_a_local_warehouse_fails_the_order_with_the_cause(
    settings, amazon_accounts
):
    async with running_intake(settings, amazon_removal_addresses={}) as intake:
        _, removal_order_id = await owed_removal(intake, amazon_accounts)
        order = await worked_until(intake, removal_order_id, "done", "failed")
    assert order.state == "failed" and "AMAZON_REMOVAL_ADDRESSES" in order.error
    assert order.submitted_at is None


async def test_an_amazon_that_stays_down_fails_the_order_after_its_tries(
    settings, emulator, amazon_accounts
):
    async with running_intake(settings, amazon_removal_max_failures=2) as intake:
        _, removal_order_id = await owed_removal(intake, amazon_accounts)
        down = {"status": 503, "times": 1000}
        assert (await emulator.put("/_emulator/faults/amazon", json=down)).is_success
        order = await worked_until(intake, removal_order_id, "done", "failed")
    assert (order.state, order.failures) == ("failed", 2)
    assert "503" in order.error
