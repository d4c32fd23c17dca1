"""What `make run` replays beside the generic webhooks: Walmart's RETURN_CREATED notifications
and Shopify's returns for the demo seller, as each marketplace sends and signs them."""

import json
from datetime import UTC, datetime, timedelta

from deploy.emulators import walmart as emulated
from deploy.replay import (
    WALMART_NOTIFICATIONS,
    WALMART_PATH,
    shopify_emulator_of,
    signed_walmart_notification,
)
from deploy.samples import shopify_returns
from deploy.secrets import demo_account
from deploy.settings import StackSettings
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
