"""eBay's channel (`channel.py`) against the eBay emulator: notifications signed as eBay signs,
completed (ReturnCreated) or confirmed (a state change) with the return read as the seller.
eBay's signature covers the Timestamp alone, so a body can be rewritten under a genuine
signature: only the confirmation read tells a forged state change."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.intake.channels.ebay.channel import EBAY
from services.intake.domain.case import BuyerWrote, ChannelError, Ignore, OpenCase, UpdateCase
from shared.events import MarketplaceStatus
from shared.markets import Currency, Market
from shared.outbound import Unavailable
from tests.unit.intake.channels.ebay.conftest import held, minted, notification

MARKET_OF = {"EBAY_US": "US", "EBAY_GB": "UK", "EBAY_DE": "DE", "EBAY_CA": "CA", "EBAY_FR": "FR"}


async def completed(body: bytes, account, apis):
    EBAY.verify({}, body, account, datetime.now(UTC), None)
    return EBAY.parse({}, body, await EBAY.read_missing({}, body, account, apis))


async def test_a_return_created_opens_the_case_the_return_describes(account, apis, http):
    body = await notification(http, "ReturnCreated", "6000000001")
    [delivery] = await completed(body, account, apis)
    assert isinstance(delivery.action, OpenCase)
    case = delivery.action.case
    found = await held(http, "6000000001")
    item = found["detail"]["itemDetail"]
    assert case.ids.return_id == "6000000001"
    assert case.ids.order_id == found["summary"]["orderId"]
    assert case.market is Market(MARKET_OF.get(found["detail"]["marketplaceId"], "IT"))
    assert case.currency is Currency(item["itemPrice"]["currency"])
    assert case.items[0].unit_price == Decimal(str(item["itemPrice"]["value"]))
    assert case.items[0].sku == item["itemId"]
    assert case.marketplace_reason == found["summary"]["creationInfo"]["reason"]
    assert delivery.delivery_id == "ebay:6000000001:ReturnCreated"


async def test_a_state_change_the_return_confirms_updates_the_case(account, apis, http):
    await notification(http, "ReturnCreated", "6000000002")
    body = await notification(http, "ReturnShipped", "6000000002")
    [delivery] = await completed(body, account, apis)
    assert isinstance(delivery.action, UpdateCase)
    assert delivery.action.status is MarketplaceStatus.SHIPPED


async def test_a_forged_state_change_under_a_genuine_signature_is_refused(account, apis, http):
    await held(http, "6000000003", state="RETURN_REQUESTED")
    genuine = await notification(http, "ReturnCreated", "6000000003")
    forged = genuine.replace(b">ReturnCreated<", b">ReturnClosed<")
    EBAY.verify({}, forged, account, datetime.now(UTC), None)  # eBay signs the Timestamp only
    with pytest.raises(ChannelError) as refused:
        await completed(forged, account, apis)
    assert (refused.value.status, refused.value.reason) == (409, "not_confirmed")
    assert "RETURN_REQUESTED" in refused.value.detail and "ReturnClosed" in refused.value.detail


async def test_a_state_change_the_return_has_gone_past_is_ignored(account, apis, http):
    shipped = await notification(http, "ReturnShipped", "6000000004")
    await held(http, "6000000004", state="CLOSED")
    [delivery] = await completed(shipped, account, apis)
    assert isinstance(delivery.action, Ignore) and "CLOSED" in delivery.action.why
    assert delivery.delivery_id == "ebay:6000000004:ReturnShipped"


async def test_an_event_about_no_return_reads_nothing(account, apis, http):
    body = (await notification(http, "ReturnCreated", "6000000005")).replace(
        b">ReturnCreated<", b">ItemListed<"
    )
    assert await EBAY.read_missing({}, body, account, apis) is None
    [delivery] = EBAY.parse({}, body, None)
    assert isinstance(delivery.action, Ignore)
    assert await minted(http) == 0


async def test_an_ebay_outage_leaves_the_notification_to_be_tried_again(account, apis, http):
    body = await notification(http, "ReturnCreated", "6000000006")
    await http.put("/_emulator/faults/ebay", json={"outage_seconds": 30})
    with pytest.raises(Unavailable):
        await EBAY.read_missing({}, body, account, apis)
    await http.delete("/_emulator/faults/ebay")
    assert await completed(body, account, apis)


def test_the_channel_has_every_marketplace_hook():
    assert EBAY.pay_refund and EBAY.find_refund and EBAY.act_on_return and EBAY.check_account


async def test_what_the_buyer_wrote_on_the_return_comes_with_any_notification_about_it(
    account, apis, http
):
    await held(http, "6000000009", state="RETURN_REQUESTED")
    written = await http.post(
        "/_emulator/ebay/returns/6000000009/messages", json={"text": "Ja, ich nehme das an."}
    )
    assert written.status_code == 200
    body = await notification(http, "ReturnCreated", "6000000009")
    opened, wrote = await completed(body, account, apis)
    assert isinstance(opened.action, OpenCase) and isinstance(wrote.action, BuyerWrote)
    assert wrote.delivery_id == "ebay:6000000009:ReturnCreated:messages"
    [message] = wrote.action.messages
    assert (wrote.action.return_id, message.text) == ("6000000009", "Ja, ich nehme das an.")
    await http.post("/_emulator/ebay/returns/6000000009/messages", json={"text": "Wann?"})
    body = await notification(http, "ReturnShipped", "6000000009")
    _, wrote = await completed(body, account, apis)
    # Both messages, each under the same id as before: the first is recorded once.
    assert [m.text for m in wrote.action.messages] == ["Ja, ich nehme das an.", "Wann?"]
    assert wrote.action.messages[0].message_id == message.message_id
