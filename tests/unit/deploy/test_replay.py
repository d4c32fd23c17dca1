"""`make run`'s replay of eBay's notifications (`deploy/replay.py`): made by the eBay emulator
for the sample returns, signed with the demo account's keyset, every return created first."""

import json
from datetime import UTC, datetime

import httpx

from deploy.emulators.app import create_app
from deploy.replay import EBAY_SAMPLE_FILE, ebay_notifications, emulated_ebay_root
from deploy.secrets import demo_account
from deploy.settings import StackSettings
from services.intake.channels.ebay import notifications
from services.intake.channels.ebay.notifications import EbayKeys

SAMPLES = [
    {"return_id": "5301000001", "events": ["ReturnCreated"]},
    {"return_id": "5301000002", "events": ["ReturnCreated", "ReturnShipped"]},
]


async def test_the_samples_notifications_are_signed_with_the_demo_accounts_keys():
    account = demo_account("ebay")
    keys = [EbayKeys.model_validate(keys) for keys in account["keysets"]]
    transport = httpx.ASGITransport(app=create_app())
    made = []
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators") as emulator:
        async for event, body in ebay_notifications(emulator, SAMPLES, account):
            notifications.verify({}, body, keys, datetime.now(UTC))
            read = notifications.read(body)
            assert (read.event, read.recipient) == (event, account["account"])
            made.append((event, read.return_id))
    assert made == [
        ("ReturnCreated", "5301000001"),
        ("ReturnCreated", "5301000002"),
        ("ReturnShipped", "5301000002"),
    ]


def test_the_sample_file_names_returns_that_start_with_their_creation():
    samples = json.loads(EBAY_SAMPLE_FILE.read_text())
    assert len(samples) >= 3
    assert all(sample["events"][0] == "ReturnCreated" for sample in samples)


def test_only_an_emulated_ebay_is_replayed():
    emulated = StackSettings(ebay_api_base_url="http://127.0.0.1:8099/ebay")
    assert emulated_ebay_root(emulated) == "http://127.0.0.1:8099"
    assert emulated_ebay_root(StackSettings(ebay_api_base_url="https://api.ebay.com")) is None
