"""Paying an Amazon case's refund (`services/intake/channels/amazon/refunds.py`) through the
emulated Feeds API, never twice (the emulator's ledger counts what Amazon applied), read
back from the order's financial events, and never for an order Amazon fulfilled."""

import pytest

from deploy.emulators import amazon as emulated
from services.intake.channels.amazon import feeds_api, refunds
from services.intake.channels.amazon.orders_api import Money, OrderItem
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.channels.registry import channel_of
from services.intake.domain.case import Channel
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from shared.markets import Currency
from shared.outbound import Refused, Unavailable
from tests.unit.intake.channels.amazon.conftest import account_with, refunds_made

SELLER_FULFILLED = "304-1000001-0000001"  # sold on amazon.de, shipped by the seller
FBA = "304-5000001-0000001"  # sold on amazon.de, fulfilled by Amazon


def cost_minor(order_id: str) -> int:
    return sum(int(i["price"] * i["quantity"] * 100) for i in emulated.order_items(order_id))


def refund_order(
    amount_minor: int,
    order_id: str = SELLER_FULFILLED,
    refund_id: str = "rf-1",
    currency: Currency = Currency.EUR,
    reason: str = "partial_refund",
) -> RefundOrder:
    return RefundOrder(
        refund_id=refund_id,
        case_id="case-1",
        order_id=order_id,
        return_id=None,
        amount_minor=amount_minor,
        currency=currency,
        reason=reason,
    )


def test_the_amazon_channel_pays_refunds_and_checks_accounts_but_has_no_return_actions():
    amazon = channel_of(Channel.AMAZON)
    assert (amazon.pay_refund, amazon.find_refund) == (refunds.pay_refund, refunds.find_refund)
    assert amazon.check_account is refunds.check_account
    assert amazon.act_on_return is None


async def test_a_refund_is_one_payment_adjustment_applied_once(account, apis, emulator):
    paid = await refunds.pay_refund(refund_order(500), account, apis)
    assert paid.amount_minor == 500 and paid.currency is Currency.EUR
    assert paid.marketplace_refund_id.startswith("feed:")
    [made] = await refunds_made(emulator)
    assert (made["order_id"], made["amount"], made["currency"]) == (SELLER_FULFILLED, "5.00", "EUR")
    assert made["reason"] == "GeneralAdjustment"


async def test_a_returned_units_refund_is_a_customer_return(account, apis, emulator):
    order = refund_order(cost_minor(SELLER_FULFILLED), reason="return_full_refund")
    await refunds.pay_refund(order, account, apis)
    made = await refunds_made(emulator)
    assert {m["reason"] for m in made} == {"CustomerReturn"}
    assert sum(int(float(m["amount"]) * 100) for m in made) == cost_minor(SELLER_FULFILLED)


async def test_a_lost_answer_is_read_back_and_never_paid_twice(account, apis, emulator):
    order = refund_order(750)
    assert await refunds.find_refund(order, account, apis) is None  # nothing yet
    await refunds.pay_refund(order, account, apis)  # its answer lost, say
    found = await refunds.find_refund(order, account, apis)
    assert found is not None
    assert (found.amount_minor, found.currency) == (750, Currency.EUR)
    assert len(await refunds_made(emulator)) == 1


async def test_a_feed_still_in_process_says_nothing_yet(account, apis):
    partner = selling_partner(account)
    content = refunds.feed_content(refund_order(300), [("0", 3)])
    await feeds_api.submit_feed(
        apis, partner, refunds.FEED_TYPE, ["A1PA6795UKMFR9"], content, refunds.CONTENT_TYPE
    )
    with pytest.raises(Unavailable) as error:
        await refunds.find_refund(refund_order(300), account, apis)
    assert "still being processed" in error.value.reason


async def test_an_fba_order_is_amazons_to_refund(account, apis, emulator):
    with pytest.raises(Refused) as error:
        await refunds.pay_refund(refund_order(500, order_id=FBA), account, apis)
    assert error.value.code == "fulfilled_by_amazon"
    assert "fulfilled by Amazon" in error.value.reason
    assert await refunds_made(emulator) == []


@pytest.mark.parametrize(
    ("order", "refusal"),
    [
        (refund_order(10**8), "more than order"),
        (refund_order(500, currency=Currency.GBP), "is in EUR"),
    ],
)
async def test_a_refund_amazon_cannot_make_is_refused_and_pays_nothing(
    account, apis, emulator, order, refusal
):
    with pytest.raises(Refused) as error:
        await refunds.pay_refund(order, account, apis)
    assert refusal in error.value.reason
    assert await refunds_made(emulator) == []


async def test_more_than_is_left_to_refund_is_refused_by_amazons_processing_report(
    account, apis, emulator
):
    whole = cost_minor(SELLER_FULFILLED)
    await refunds.pay_refund(refund_order(whole, refund_id="rf-1"), account, apis)
    with pytest.raises(Refused) as error:
        await refunds.pay_refund(refund_order(whole, refund_id="rf-2"), account, apis)
    assert "exceeds the amount that can be refunded" in error.value.reason
    assert len(await refunds_made(emulator)) == len(emulated.order_items(SELLER_FULFILLED))


async def test_an_account_without_sp_api_authorisation_is_refused(apis):
    with pytest.raises(Refused):
        await refunds.pay_refund(refund_order(500), account_with(secrets=["x"]), apis)


async def test_the_account_check_passes_with_good_credentials_and_fails_with_bad(account, apis):
    await refunds.check_account(account, apis)
    revoked = account_with(**{**account.credentials, "refresh_token": "revoked|A1"})
    with pytest.raises(Refused) as error:
        await refunds.check_account(revoked, apis)
    assert "invalid_grant" in error.value.reason
    assert "revoked|A1" not in str(error.value)  # never a credential in an error


def test_the_refund_is_spread_over_the_orders_items_each_up_to_its_cost():
    items = [
        OrderItem(
            OrderItemId="1", QuantityOrdered=1, ItemPrice=Money(CurrencyCode="EUR", Amount=10)
        ),
        OrderItem(
            OrderItemId="2", QuantityOrdered=2, ItemPrice=Money(CurrencyCode="EUR", Amount=30)
        ),
    ]
    spread = refunds.spread(refund_order(2500), items)
    assert [(item, str(amount)) for item, amount in spread] == [("1", "10.00"), ("2", "15.00")]


def test_a_refund_event_gives_back_the_principal():
    def charge(kind: str, amount: float) -> dict:
        return {
            "ChargeType": kind,
            "ChargeAmount": {"CurrencyCode": "EUR", "CurrencyAmount": amount},
        }

    charges = [charge("Principal", -12.5), charge("Tax", -2.4)]
    event = feeds_api.RefundEvent.model_validate(
        {"ShipmentItemAdjustmentList": [{"ItemChargeAdjustmentList": charges}]}
    )
    assert refunds.refunded_minor(event, Currency.EUR) == 1250
    assert MarketplaceRefund("x", 1250, Currency.EUR).amount_minor == 1250
