"""A case of a parcel not received that names none gets the order's shipment from its
marketplace (`workflows/order_shipments.py`), asked of the emulated APIs: Shopify's order
fulfillments, eBay's Fulfillment API, Walmart's purchase order, Amazon's Orders API v2026."""

import uuid
from decimal import Decimal

import pytest

from deploy.emulators.ebay import EBAY_CARRIERS
from deploy.emulators.walmart import CARRIERS as WALMART_CARRIERS
from services.intake.domain.case import (
    CanonicalCase,
    Channel,
    Delivery,
    Item,
    MarketplaceIds,
    OpenCase,
)
from services.intake.workflows.order_shipments import case_with_parcel, with_shipments
from shared.events import Parcel, Reason
from shared.markets import Currency, Market

ACCOUNTS = {
    Channel.SHOPIFY: "linen-home.myshopify.com",
    Channel.WALMART: "10900015773",
    Channel.EBAY: "lumahome-us",
    Channel.AMAZON: "A3TH9S8BH6GOGM",
}


def order_id_of(channel: Channel) -> str:
    n = uuid.uuid4().int
    return {
        Channel.SHOPIFY: str(5_000_000_000 + n % 10**9),
        Channel.WALMART: str(10**12 + n % 10**12),
        Channel.EBAY: f"{n % 100:02d}-{n % 10**5:05d}-{n // 7 % 10**5:05d}",
        Channel.AMAZON: f"304-{n % 10**6 + 10**6:07d}-{n // 3 % 10**7:07d}",  # DE, by the seller
    }[channel]


def lost_case(channel: Channel, words: str = "", reason: Reason = Reason.OTHER, **more):
    return CanonicalCase(
        channel=channel,
        seller_account=more.pop("seller_account", None) or ACCOUNTS[channel],
        ids=MarketplaceIds(order_id=more.pop("order_id", None) or order_id_of(channel)),
        market=Market.DE if channel is Channel.AMAZON else Market.US,
        currency=Currency.EUR if channel is Channel.AMAZON else Currency.USD,
        items=[Item(sku="BT-SPK-200", unit_price=Decimal("49.99"))],
        marketplace_reason="OTHER",
        reason=reason,
        buyer_words=words,
        buyer_ref="buyer-1",
        **more,
    )


async def account_of(intake, channel: Channel, seller_account: str | None = None):
    account = await intake.accounts.find(channel, seller_account or ACCOUNTS[channel])
    assert account is not None
    return account


@pytest.mark.parametrize(
    ("channel", "carriers"),
    [
        (Channel.SHOPIFY, {"UPS"}),
        (Channel.WALMART, set(WALMART_CARRIERS)),
        (Channel.EBAY, set(EBAY_CARRIERS)),
        (Channel.AMAZON, {"DHL"}),
    ],
)
async def test_the_marketplace_names_the_parcel_of_an_order_that_never_came(
    intake, emulators, amazon_seller, channel, carriers
):
    seller_account = amazon_seller if channel is Channel.AMAZON else ACCOUNTS[channel]
    case = lost_case(channel, reason=Reason.NOT_RECEIVED, seller_account=seller_account)
    account = await account_of(intake, channel, seller_account)
    found = await case_with_parcel(case, account, intake)
    assert found.parcel is not None and found.parcel.carrier in carriers
    assert len(found.parcel.tracking_number) >= 10
    again = await case_with_parcel(case, account, intake)
    assert again.parcel == found.parcel  # the order's own parcel, every time


async def test_the_buyers_words_alone_make_it_a_parcel_not_received(intake, emulators):
    case = lost_case(Channel.SHOPIFY, words="My package never arrived, where is my order?")
    found = await case_with_parcel(case, await account_of(intake, Channel.SHOPIFY), intake)
    assert found.parcel is not None


@pytest.mark.parametrize(
    "case",
    [
        lost_case(Channel.SHOPIFY, reason=Reason.DAMAGED, words="It arrived broken."),
        lost_case(Channel.SHOPIFY, reason=Reason.NOT_RECEIVED, parcel=Parcel(
            carrier="USPS", tracking_number="9400111111111111111111")),
        lost_case(Channel.AMAZON, reason=Reason.NOT_RECEIVED, fulfilled_by_marketplace=True),
    ],
    ids=["another scenario", "a parcel named already", "shipped by Amazon"],
)  # fmt: skip
async def test_nothing_is_asked_for_a_case_that_needs_no_parcel(intake, emulators, case):
    found = await case_with_parcel(case, await account_of(intake, case.channel), intake)
    assert found is case


async def test_no_tracked_shipment_or_a_refusal_leaves_the_case_without_a_parcel(intake, emulators):
    account = await account_of(intake, Channel.EBAY)
    untracked = lost_case(Channel.EBAY, reason=Reason.NOT_RECEIVED)
    fulfillments = {"fulfillments": [{"fulfillmentId": "1", "lineItems": []}]}
    order = untracked.ids.order_id
    http = intake.marketplaces.http
    at = f"{emulators}/_emulator/ebay/orders/{order}/fulfillments"
    put = await http.put(at, json=fulfillments)
    assert put.status_code == 204, put.text
    assert (await case_with_parcel(untracked, account, intake)).parcel is None
    unknown = lost_case(Channel.EBAY, reason=Reason.NOT_RECEIVED, order_id="not-an-order")
    assert (await case_with_parcel(unknown, account, intake)).parcel is None  # eBay's 404


async def test_a_delivery_opens_its_case_with_the_parcel(intake, emulators):
    case = lost_case(Channel.WALMART, reason=Reason.NOT_RECEIVED)
    delivery = Delivery(
        channel=Channel.WALMART,
        delivery_id=f"d-{uuid.uuid4().hex}",
        seller_account=case.seller_account,
        action=OpenCase(case=case),
    )
    [found] = await with_shipments([delivery], Channel.WALMART, case.seller_account, intake)
    assert found.action.case.parcel is not None
    [same] = await with_shipments([delivery], Channel.GENERIC, "test-seller", intake)
    assert same is delivery  # the generic channel has no API to ask


async def test_amazons_delivered_package_status_comes_with_the_parcel(
    intake, emulators, amazon_seller
):
    """Amazon's package status travels with the parcel: DELIVERED is the evidence resolution
    sends to an agent instead of reshipping; SHIPPED (the emulator's default) is no evidence."""
    case = lost_case(Channel.AMAZON, reason=Reason.NOT_RECEIVED, seller_account=amazon_seller)
    account = await account_of(intake, Channel.AMAZON, amazon_seller)
    shipped = await case_with_parcel(case, account, intake)
    assert shipped.parcel is not None and shipped.parcel.marketplace_status == "SHIPPED"
    at = f"{emulators}/_emulator/amazon/orders/{case.ids.order_id}/package-status"
    put = await intake.marketplaces.http.put(at, json={"status": "DELIVERED"})
    assert put.status_code == 204, put.text
    delivered = await case_with_parcel(case, account, intake)
    assert delivered.parcel is not None and delivered.parcel.marketplace_status == "DELIVERED"
    assert delivered.parcel.tracking_number == shipped.parcel.tracking_number
