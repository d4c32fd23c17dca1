"""What accepting stores of a delivery, read back as completing reads it; when the store is
saturated, a delivery is refused (503 with Retry-After) rather than left waiting."""

import asyncio

import pytest

from services.intake.adapters.vault import Vault, new_key
from services.intake.domain.case import Channel, Delivery, Ignore
from services.intake.workflows.accepting import (
    WEBHOOK,
    Acceptance,
    StoreSaturated,
    parsed_content,
    parsed_delivery,
    webhook_content,
    webhook_of,
)


def test_a_webhook_keeps_its_body_and_the_channels_own_headers_only():
    headers = {
        "X-Shopify-Topic": "returns/request",
        "WM_SEC.SIGNATURE": "c2lnbmVk",
        "content-type": "application/json",
        "cookie": "session=abc",
        "authorization": "Bearer t",
    }
    body = b'{"id": 1}\n'
    kept, read_back = webhook_of(webhook_content(headers, body))
    assert read_back == body
    assert kept == {
        "X-Shopify-Topic": "returns/request",
        "WM_SEC.SIGNATURE": "c2lnbmVk",
        "content-type": "application/json",
    }


def test_a_delivery_parsed_on_arrival_reads_back_the_same():
    delivery = Delivery(
        channel=Channel.AGENT,
        delivery_id="acme:1",
        seller_account="acme",
        action=Ignore(why="nothing to do"),
    )
    assert parsed_delivery(parsed_content(delivery)) == delivery


async def test_with_as_many_deliveries_waiting_as_the_store_takes_the_next_is_refused_at_once():
    acceptance = Acceptance(pool=None, vault=Vault([new_key()]), queue=2)
    acceptance._writer = asyncio.get_running_loop().create_future()  # a write under way
    waiting = [
        asyncio.create_task(
            acceptance.accept(Channel.GENERIC, f"amazon:{n}", "acme", WEBHOOK, {"n": n})
        )
        for n in range(2)
    ]
    await asyncio.sleep(0)
    with pytest.raises(StoreSaturated, match="2 deliveries wait"):
        await acceptance.accept(Channel.GENERIC, "amazon:3", "acme", WEBHOOK, {})
    for task in waiting:
        task.cancel()


async def test_a_delivery_whose_write_does_not_come_in_time_is_refused():
    acceptance = Acceptance(pool=None, vault=Vault([new_key()]), wait_seconds=0.05)
    acceptance._writer = asyncio.get_running_loop().create_future()  # a write stuck
    with pytest.raises(StoreSaturated, match="no write within 0.05 s"):
        await acceptance.accept(Channel.GENERIC, "amazon:1", "acme", WEBHOOK, {})
