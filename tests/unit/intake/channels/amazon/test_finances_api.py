"""The Finances API client (`services/intake/channels/amazon/finances_api.py`) against the
emulated Amazon: every refund posted in a window, page after page; a throttled call is
Unavailable with Amazon's pause."""

from datetime import timedelta
from decimal import Decimal

import pytest

from deploy.emulators import amazon as emulated
from services.intake.channels.amazon import finances_api
from services.intake.channels.amazon.finances_api import ShipmentEvent, refunds_of
from services.intake.channels.amazon.sp_api import selling_partner
from shared.outbound import Unavailable


async def test_every_refund_of_a_window_page_after_page(account, apis, emulator, clock):
    end = clock.now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=30)  # 120 FBA returns' refunds + 30 never returned
    refunds = await finances_api.refunds_posted(apis, selling_partner(account), start, end)
    assert len(refunds) == 150  # more than one page of 100
    assert all(start <= refund.refunded_at < end for refund in refunds)
    assert len({(r.order_id, r.sku, r.refunded_at) for r in refunds}) == 150
    assert all(refund.order_id[4] == "5" for refund in refunds)  # FBA orders
    first = refunds[0]
    item = emulated.order_items(first.order_id)[0]
    assert (first.sku, first.quantity, first.amount, first.currency) == (
        item["sku"],
        1,
        Decimal(str(item["price"])),
        item["currency"],
    )
    # The same window read again says the same.
    again = await finances_api.refunds_posted(apis, selling_partner(account), start, end)
    assert again == refunds


async def test_a_throttled_call_is_unavailable_with_amazons_pause(account, apis, emulator, clock):
    await emulator.put("/_emulator/faults/amazon", json={"status": 429, "retry_after": 9})
    partner = selling_partner(account)
    end = clock.now
    with pytest.raises(Unavailable) as error:
        await finances_api.refunds_posted(apis, partner, end - timedelta(days=1), end)
    assert (error.value.status, error.value.retry_after) == (429, 9)


async def test_a_throttled_second_page_is_unavailable_too(account, apis, emulator, clock):
    partner = selling_partner(account)
    end = clock.now
    await emulator.put("/_emulator/faults/amazon", json={"status": 429, "times": 1})
    with pytest.raises(Unavailable):
        await finances_api.refunds_posted(apis, partner, end - timedelta(days=30), end)
    refunds = await finances_api.refunds_posted(apis, partner, end - timedelta(days=30), end)
    assert len(refunds) == 150


def test_an_event_without_an_order_or_a_sku_says_nothing():
    assert refunds_of(ShipmentEvent(AmazonOrderId=None)) == []
    event = ShipmentEvent.model_validate(
        {
            "AmazonOrderId": "113-5000001-0000001",
            "PostedDate": "2026-03-01T12:00:00Z",
            "ShipmentItemAdjustmentList": [
                {"QuantityShipped": 1},
                {
                    "SellerSKU": "SKU-2",
                    "QuantityShipped": 2,
                    "ItemChargeAdjustmentList": [
                        {"ChargeType": "Principal",
                         "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -39.98}},
                        {"ChargeType": "Tax",
                         "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -3.2}},
                    ],
                },
            ],
        }
    )  # fmt: skip
    [refund] = refunds_of(event)
    assert (refund.sku, refund.quantity, refund.amount, refund.currency) == (
        "SKU-2",
        2,
        Decimal("39.98"),
        "USD",
    )
