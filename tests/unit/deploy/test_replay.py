"""What `make run` replays (`deploy/replay.py`): Walmart's RETURN_CREATED notifications for the
demo seller, as Walmart sends and signs them."""

import json
from datetime import UTC, datetime, timedelta

from deploy.emulators import walmart as emulated
from deploy.replay import WALMART_NOTIFICATIONS, WALMART_PATH, signed_walmart_notification
from deploy.secrets import demo_account
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
