"""Paying a Walmart case's refund (`services/intake/channels/walmart/refunds.py`) against the
emulated Returns and Orders APIs: in full through Issue refund, less through Refund Order
Lines, and never twice: the emulator's ledger counts what Walmart paid."""

from decimal import Decimal

import pytest

from deploy.emulators import walmart as emulated
from services.intake.channels.registry import channel_of
from services.intake.channels.walmart import refunds
from services.intake.domain.case import Channel
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from shared.markets import Currency
from shared.outbound import Refused, Unavailable
from tests.unit.intake.channels.walmart.conftest import refunds_made

ONE_LINE = "300000000000000004"  # a curtain at 32.99
TWO_LINES = "300000000000000001"  # a charger at 35.99 and a speaker at 49.99


def refund_order(
    return_id: str | None, amount_minor: int, refund_id: str = "rf-1", currency=Currency.USD
) -> RefundOrder:
    return RefundOrder(
        refund_id=refund_id,
        case_id="case-1",
        order_id=emulated.purchase_order_id_of(return_id or ONE_LINE),
        return_id=return_id,
        amount_minor=amount_minor,
        currency=currency,
        reason="return_full_refund",
    )


def test_the_walmart_channel_pays_refunds_and_checks_accounts_but_has_no_return_actions():
    walmart = channel_of(Channel.WALMART)
    assert (walmart.pay_refund, walmart.find_refund) == (refunds.pay_refund, refunds.find_refund)
    assert walmart.check_account is not None
    assert walmart.act_on_return is None  # Walmart's Returns API has no such call


# In full: Issue refund of the return order's lines


async def test_a_full_refund_refunds_every_line_of_the_return_order(account, apis, emulator):
    paid = await refunds.pay_refund(refund_order(TWO_LINES, 8598), account, apis)
    assert paid == MarketplaceRefund(f"{TWO_LINES}:refund", 8598, Currency.USD)
    [made] = await refunds_made(emulator)
    assert (made["kind"], made["return_order_id"], made["amount"]) == ("return", TWO_LINES, "85.98")
    assert [line["return_order_line_number"] for line in made["lines"]] == [1, 2]


async def test_a_full_refund_tried_again_pays_nothing_more(account, apis, emulator):
    order = refund_order(TWO_LINES, 8598)
    first = await refunds.pay_refund(order, account, apis)
    again = await refunds.pay_refund(order, account, apis)  # its answer was lost, say
    assert again == first
    assert len(await refunds_made(emulator)) == 1


async def test_a_full_refund_is_found_once_made_and_not_before(account, apis, emulator):
    order = refund_order(ONE_LINE, 3299)
    assert await refunds.find_refund(order, account, apis) is None
    paid = await refunds.pay_refund(order, account, apis)
    assert await refunds.find_refund(order, account, apis) == paid


async def test_lines_refunded_already_are_left_out(account, apis, emulator):
    returned = (
        await emulator.get(
            "/walmart/v3/returns",
            params={"returnOrderId": TWO_LINES},
            headers=await walmart_headers(emulator),
        )
    ).json()["returnOrders"][0]
    body = {
        "customerOrderId": returned["customerOrderId"],
        "refundLines": [{"returnOrderLineNumber": 1}],
    }
    await emulator.post(
        f"/walmart/v3/returns/{TWO_LINES}/refund",
        json=body,
        headers=await walmart_headers(emulator),
    )
    await refunds.pay_refund(refund_order(TWO_LINES, 8598), account, apis)
    first, second = await refunds_made(emulator)
    assert [line["return_order_line_number"] for line in second["lines"]] == [2]


async def walmart_headers(emulator) -> dict[str, str]:
    token = (
        await emulator.post(
            "/walmart/v3/token",
            data={"grant_type": "client_credentials"},
            auth=("wm-test-client", "wm-test-client-secret"),
            headers={"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "c"},
        )
    ).json()["access_token"]
    return {
        "WM_SEC.ACCESS_TOKEN": token,
        "WM_SVC.NAME": "Walmart Marketplace",
        "WM_QOS.CORRELATION_ID": "c",
    }


# Less: Refund Order Lines, found again by its comment


async def test_a_partial_refund_is_an_amount_on_the_purchase_order_line(account, apis, emulator):
    order = refund_order(ONE_LINE, 495, refund_id="rf-partial-1")
    paid = await refunds.pay_refund(order, account, apis)
    assert (paid.amount_minor, paid.currency) == (495, Currency.USD)
    [made] = await refunds_made(emulator)
    assert (made["kind"], made["amount"]) == ("order", "4.95")
    assert made["purchase_order_id"] == emulated.purchase_order_id_of(ONE_LINE)
    assert made["lines"][0]["comments"] == "after-sales refund rf-partial-1"
    assert paid.marketplace_refund_id == made["refund_id"]


async def test_a_partial_refund_is_found_by_its_id_and_no_other(account, apis, emulator):
    order = refund_order(ONE_LINE, 495, refund_id="rf-partial-2")
    assert await refunds.find_refund(order, account, apis) is None
    paid = await refunds.pay_refund(order, account, apis)
    assert await refunds.find_refund(order, account, apis) == paid
    other = refund_order(ONE_LINE, 495, refund_id="rf-partial-3")
    assert await refunds.find_refund(other, account, apis) is None


async def test_a_partial_refund_larger_than_the_first_line_spreads_over_the_next(
    account, apis, emulator
):
    await refunds.pay_refund(refund_order(TWO_LINES, 5000), account, apis)
    [made] = await refunds_made(emulator)
    assert [(line["sku"], line["amount"]) for line in made["lines"]] == [
        ("GAN-CHG-65W-3P", "35.99"),
        ("BT-SPK-200-BLK", "14.01"),
    ]
    found = await refunds.find_refund(refund_order(TWO_LINES, 5000), account, apis)
    assert found is not None and found.amount_minor == 5000


# Refused, and unavailable


@pytest.mark.parametrize(
    ("order", "words"),
    [
        (refund_order(ONE_LINE, 3300), "more than the lines of return order"),
        (refund_order(ONE_LINE, 3299, currency=Currency.CAD), "USD only"),
        (refund_order(None, 3299), "needs its return order"),
    ],
)
async def test_a_refund_walmart_cannot_make_is_refused_and_nothing_paid(
    account, apis, emulator, order, words
):
    with pytest.raises(Refused, match=words):
        await refunds.pay_refund(order, account, apis)
    assert await refunds_made(emulator) == []


async def test_walmart_down_is_transient_and_nothing_is_paid(account, apis, emulator):
    await emulator.put("/_emulator/faults/walmart", json={"outage_seconds": 60})
    with pytest.raises(Unavailable):
        await refunds.pay_refund(refund_order(ONE_LINE, 3299), account, apis)
    await emulator.delete("/_emulator/faults/walmart")
    assert await refunds_made(emulator) == []


async def test_a_token_revoked_between_calls_is_replaced_and_the_refund_made_once(
    account, apis, emulator
):
    await refunds.find_refund(refund_order(ONE_LINE, 3299), account, apis)
    await emulator.delete("/_emulator/walmart/tokens")
    await refunds.pay_refund(refund_order(ONE_LINE, 3299), account, apis)
    assert len(await refunds_made(emulator)) == 1


def test_what_the_lines_cost_is_their_price_times_their_quantity():
    line = emulated.return_order(ONE_LINE).lines[0].ordered
    assert (line.unit_price, line.quantity) == (Decimal("32.99"), 1)
