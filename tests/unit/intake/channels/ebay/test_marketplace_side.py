"""eBay's marketplace side (`marketplace_side.py`), the channel's hooks, against the eBay
emulator: a refund paid once whatever is retried (eBay takes no idempotency key: the return
is read back), actions on the return taken once, an account checked; only shared.outbound's
errors come out."""

from decimal import Decimal

import pytest

from services.intake.channels.ebay.channel import EBAY
from services.intake.channels.ebay.marketplace_side import default_marketplace
from services.intake.domain.marketplace_side import RefundOrder, ReturnAction, ReturnOrder
from shared.markets import Currency
from shared.outbound import OutboundError, Refused, Unavailable
from tests.unit.intake.channels.ebay.conftest import KEYSET, held, seller

RETURN_ID = "5900000001"  # NOT_AS_DESCRIBED: SNAD
REMORSE_RETURN_ID = "5900000002"  # NO_LONGER_NEED_ITEM: REMORSE


async def requested(http, return_id: str = RETURN_ID) -> tuple[Currency, int]:
    """A return waiting for the seller: its currency and what the buyer paid, in minor units."""
    found = await held(http, return_id, state="RETURN_REQUESTED")
    item = found["detail"]["itemDetail"]
    paid = Decimal(str(item["itemPrice"]["value"])) * item["returnQuantity"]
    return Currency(item["itemPrice"]["currency"]), int(paid * 100)


def refund_order(
    currency: Currency,
    amount_minor: int,
    refund_id: str = "rf-1",
    return_id: str | None = RETURN_ID,
) -> RefundOrder:
    return RefundOrder(
        refund_id=refund_id,
        case_id="case-1",
        order_id="12-34567-89012",
        return_id=return_id,
        amount_minor=amount_minor,
        currency=currency,
        reason="return_full_refund",
    )


async def refunds(http) -> list[dict]:
    return (await http.get("/_emulator/ebay/refunds")).json()["refunds"]


async def test_a_refund_is_paid_through_ebay_and_named_by_its_money_movement(account, apis, http):
    currency, paid = await requested(http)
    refund = await EBAY.pay_refund(refund_order(currency, paid), account, apis)
    [made] = await refunds(http)
    assert refund.marketplace_refund_id == made["refund_ref"]
    assert (refund.amount_minor, refund.currency) == (paid, currency)
    assert made["amount"] == {"value": paid / 100, "currency": currency.value}
    assert "rf-1" in made["comment"]


async def test_a_retry_after_a_lost_answer_finds_the_refund_and_pays_nothing_more(
    account, apis, http
):
    currency, paid = await requested(http)
    order = refund_order(currency, paid)
    assert await EBAY.find_refund(order, account, apis) is None
    first = await EBAY.pay_refund(order, account, apis)
    # The answer was lost (intake stopped before it committed): the retry reads back first.
    found = await EBAY.find_refund(order, account, apis)
    assert found == first
    again = await EBAY.pay_refund(order, account, apis)
    assert again == first
    assert len(await refunds(http)) == 1


async def test_a_refund_of_another_amount_on_the_return_is_not_this_one(account, apis, http):
    currency, paid = await requested(http)
    await EBAY.pay_refund(refund_order(currency, 500, "rf-partial"), account, apis)
    other = refund_order(currency, paid, "rf-full")
    assert await EBAY.find_refund(other, account, apis) is None
    with pytest.raises(Refused, match="refunded already"):
        await EBAY.pay_refund(other, account, apis)
    assert len(await refunds(http)) == 1


async def test_a_refund_in_another_currency_or_without_a_return_is_refused_unpaid(
    account, apis, http
):
    currency, paid = await requested(http)
    other = Currency.EUR if currency is not Currency.EUR else Currency.USD
    with pytest.raises(Refused, match="was paid in"):
        await EBAY.pay_refund(refund_order(other, paid), account, apis)
    with pytest.raises(Refused, match="has none"):
        await EBAY.pay_refund(refund_order(currency, paid, return_id=None), account, apis)
    assert await refunds(http) == []


async def test_more_than_the_buyer_paid_is_refused_by_ebay(account, apis, http):
    currency, paid = await requested(http)
    with pytest.raises(Refused, match="exceeds") as refused:
        await EBAY.pay_refund(refund_order(currency, paid + 100), account, apis)
    assert refused.value.status == 400


async def test_an_ebay_outage_is_a_try_again_later_and_pays_nothing(account, apis, http):
    currency, paid = await requested(http)
    await http.put("/_emulator/faults/ebay", json={"outage_seconds": 30})
    with pytest.raises(Unavailable):
        await EBAY.pay_refund(refund_order(currency, paid), account, apis)
    await http.delete("/_emulator/faults/ebay")
    assert await refunds(http) == []


def return_order(
    action: ReturnAction, action_id: str = "act-1", return_id: str = RETURN_ID
) -> ReturnOrder:
    return ReturnOrder(action_id, "case-1", "12-34567-89012", return_id, action)


async def decisions(http) -> list[tuple[str, str]]:
    made = (await http.get("/_emulator/ebay/decisions")).json()["decisions"]
    return [(d["return_id"], d["decision"]) for d in made]


async def test_a_return_is_approved_once_then_marked_received_once(account, apis, http):
    await requested(http)
    await EBAY.act_on_return(return_order(ReturnAction.APPROVE), account, apis)
    await EBAY.act_on_return(return_order(ReturnAction.APPROVE), account, apis)  # a retry
    await EBAY.act_on_return(return_order(ReturnAction.MARK_RECEIVED, "act-2"), account, apis)
    await EBAY.act_on_return(return_order(ReturnAction.MARK_RECEIVED, "act-2"), account, apis)
    assert await decisions(http) == [(RETURN_ID, "APPROVE"), (RETURN_ID, "MARK_AS_RECEIVED")]
    state = (await held(http, RETURN_ID))["summary"]["state"]
    assert state == "ITEM_DELIVERED"


async def test_a_remorse_return_is_declined_once(account, apis, http):
    await requested(http, REMORSE_RETURN_ID)
    decline = return_order(ReturnAction.DECLINE, return_id=REMORSE_RETURN_ID)
    for _ in range(2):
        await EBAY.act_on_return(decline, account, apis)
    assert await decisions(http) == [(REMORSE_RETURN_ID, "DECLINE")]


async def test_ebay_refuses_to_let_the_seller_decline_a_return_not_as_described(
    account, apis, http
):
    await requested(http)
    with pytest.raises(Refused, match="opened as not as described") as refused:
        await EBAY.act_on_return(return_order(ReturnAction.DECLINE), account, apis)
    assert refused.value.status == 400
    assert await decisions(http) == []
    assert (await held(http, RETURN_ID))["summary"]["state"] == "RETURN_REQUESTED"


async def test_a_return_is_closed_by_the_partial_refund_issued_on_it(account, apis, http):
    currency, paid = await requested(http)
    close = return_order(ReturnAction.CLOSE)
    with pytest.raises(Unavailable, match="no refund has closed it yet"):
        await EBAY.act_on_return(close, account, apis)  # the refund is not paid yet
    await EBAY.pay_refund(refund_order(currency, paid // 10), account, apis)
    await EBAY.act_on_return(close, account, apis)
    await EBAY.act_on_return(close, account, apis)  # a retry
    assert await decisions(http) == []  # no decision sent: the refund closed it
    found = await held(http, RETURN_ID)
    assert found["summary"]["state"] == "LESS_THAN_A_FULL_REFUND_ISSUED"


async def test_a_return_that_ended_otherwise_needs_no_close(account, apis, http):
    await held(http, RETURN_ID, state="CLOSED")
    await EBAY.act_on_return(return_order(ReturnAction.CLOSE), account, apis)
    assert await decisions(http) == []


async def test_approving_a_closed_return_is_refused_with_ebays_reason(account, apis, http):
    await held(http, RETURN_ID, state="CLOSED")
    with pytest.raises(Refused, match="cannot be decided"):
        await EBAY.act_on_return(return_order(ReturnAction.APPROVE), account, apis)


async def test_an_account_is_checked_with_a_token_and_one_page_of_returns(account, apis, http):
    await EBAY.check_account(account, apis)
    revoked = seller(keysets=[KEYSET], refresh_token="revoked-refresh")
    await http.post("/_emulator/ebay/oauth/revoke", json={"refresh_token": "revoked-refresh"})
    with pytest.raises(Refused):
        await EBAY.check_account(revoked, apis)
    with pytest.raises(Refused):
        await EBAY.check_account(seller(keysets=[KEYSET], user_token="never-given"), apis)


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_every_hook_raises_only_the_outbound_errors(account, apis, http, status):
    currency, paid = await requested(http)
    calls = (
        EBAY.pay_refund(refund_order(currency, paid), account, apis),
        EBAY.find_refund(refund_order(currency, paid), account, apis),
        EBAY.act_on_return(return_order(ReturnAction.APPROVE), account, apis),
        EBAY.check_account(account, apis),
    )
    for call in calls:
        await http.put("/_emulator/faults/ebay", json={"status": status, "times": 1})
        with pytest.raises(OutboundError) as failed:
            await call
        assert isinstance(failed.value, Unavailable)


def test_the_sellers_home_site_names_the_marketplace_header():
    assert default_marketplace(seller()) == "EBAY_US"
    uk = seller()
    uk = type(uk)(uk.channel, uk.account, uk.seller, "UK", uk.credentials)
    assert default_marketplace(uk) == "EBAY_GB"
