"""What `make run` replays beside the generic webhooks, as each marketplace sends and signs
them: Walmart's RETURN_CREATED notifications and Shopify's returns for the demo seller; eBay's
Platform Notifications, made by the eBay emulator for the sample returns, signed with the
demo account's keyset, every return created first."""

import json
from datetime import UTC, datetime, timedelta

import httpx

from deploy.emulators import walmart as emulated
from deploy.emulators.app import create_app
from deploy.replay import (
    EBAY_SAMPLE_FILE,
    WALMART_NOTIFICATIONS,
    WALMART_PATH,
    ebay_notifications,
    emulated_ebay_root,
    shopify_emulator_of,
    signed_walmart_notification,
)
from deploy.samples import shopify_returns
from deploy.secrets import demo_account
from deploy.settings import StackSettings
from services.intake.channels.ebay import notifications
from services.intake.channels.ebay.notifications import EbayKeys
from services.intake.channels.walmart import webhook

NOTIFICATIONS = json.loads(WALMART_NOTIFICATIONS.read_text(encoding="utf-8"))


def test_the_walmart_samples_are_what_walmart_sends_for_the_emulators_return_orders():
    assert len(NOTIFICATIONS) >= 5
    for sample in NOTIFICATIONS:
        ids = list(
            dict.fromkeys(line["returnOrderId"] for line in sample["payload"]["returnOrders"])
        )
        source = sample["source"]
        made = emulated.return_created(
            ids,
            sample["payload"]["partnerId"],
            source["eventId"],
            datetime.fromisoformat(source["eventTime"]),
            sample["payload"]["partnerName"],
        )
        assert sample == made
        assert sample["payload"]["partnerId"] == demo_account("walmart")["account"]


def test_the_samples_show_several_reasons_in_one_return_and_customers_words():
    lines = [line for sample in NOTIFICATIONS for line in sample["payload"]["returnOrders"]]
    by_return_order: dict[str, set[str]] = {}
    for line in lines:
        by_return_order.setdefault(line["returnOrderId"], set()).add(line["returnReason"])
    assert any(len(reasons) > 1 for reasons in by_return_order.values())
    assert any(not webhook.is_code(line["returnReason"]) for line in lines)


def test_a_replayed_notification_is_sent_now_and_signed_with_the_demo_secret():
    body, headers = signed_walmart_notification(NOTIFICATIONS[0])
    now = datetime.now(UTC)
    secrets = demo_account("walmart")["secrets"]
    webhook.verify(headers, body, secrets, now, path=WALMART_PATH)
    sent_at = datetime.fromisoformat(json.loads(body)["source"]["eventTime"])
    assert now - sent_at < timedelta(seconds=5)


def test_shopify_returns_are_replayed_only_against_the_emulator():
    emulated = StackSettings(shopify_admin_base_url="http://127.0.0.1:8099/shopify/{shop}")
    assert shopify_emulator_of(emulated) == "http://127.0.0.1:8099"
    assert shopify_emulator_of(StackSettings(shopify_admin_base_url=None)) is None
    real = StackSettings(shopify_admin_base_url="https://{shop}")
    assert shopify_emulator_of(real) is None


def test_the_demo_returns_name_an_order_a_return_and_a_reason_per_line():
    returns = shopify_returns()
    assert len({r["return_id"] for r in returns}) == len(returns) >= 3
    assert any(len({reason for reason, _ in r["lines"]}) > 1 for r in returns)


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
