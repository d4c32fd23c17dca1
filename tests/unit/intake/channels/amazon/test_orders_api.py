"""The Orders API client (`services/intake/channels/amazon/orders_api.py`) against the
emulated Amazon: what a report's row lacks, read from its order."""

from decimal import Decimal

import pytest

from deploy.emulators import amazon as emulated
from deploy.emulators.buyers import buyer_in
from services.intake.channels.amazon import orders_api
from services.intake.channels.amazon.sp_api import selling_partner
from shared.markets import Currency, Market
from shared.outbound import Refused


async def test_an_orders_market_currency_fulfilment_and_prices(account, apis):
    facts = await orders_api.order_facts(apis, selling_partner(account), "405-5000002-0000002")
    assert (facts.market, facts.currency, facts.fulfilled_by_amazon) == (
        Market.FR,
        Currency.EUR,
        True,
    )
    expected = {item["sku"]: item["price"] for item in emulated.order_items("405-5000002-0000002")}
    assert facts.unit_prices == {sku: Decimal(price) for sku, price in expected.items()}


async def test_a_seller_fulfilled_order_is_not_amazons(account, apis):
    facts = await orders_api.order_facts(apis, selling_partner(account), "203-1000003-0000003")
    assert (facts.market, facts.fulfilled_by_amazon) == (Market.UK, False)


async def test_an_order_of_a_marketplace_not_served_is_refused(account, apis, emulator):
    partner = selling_partner(account)
    order = orders_api.Order(
        AmazonOrderId="x", OrderStatus="Shipped", MarketplaceId="A1AM78C64UM0Y8"
    )
    assert orders_api.currency_of(order, []) is None
    with pytest.raises(Refused):
        await orders_api.get_order(apis, partner, "not-an-order")


async def test_a_seller_fulfilled_orders_buyer_is_read_with_a_restricted_data_token(
    account, apis, emulator
):
    facts = await orders_api.order_facts(apis, selling_partner(account), "203-1000003-0000003")
    expected = buyer_in("GB", "203-1000003-0000003")
    assert facts.buyer is not None and facts.buyer.address is not None
    assert (facts.buyer.name, facts.buyer.address.postal_code, facts.buyer.address.country) == (
        expected.name,
        expected.postal_code,
        "GB",
    )
    # The address is restricted: the account's plain access token does not open it.
    token = next(iter(emulator._transport.app.state.amazon.tokens))
    refused = await emulator.get(
        "/amazon/orders/v0/orders/203-1000003-0000003/address",
        headers={"x-amz-access-token": token},
    )
    assert refused.status_code == 403


async def test_no_personal_data_is_read_for_an_order_amazon_ships(account, apis, emulator):
    facts = await orders_api.order_facts(apis, selling_partner(account), "405-5000002-0000002")
    assert facts.fulfilled_by_amazon and facts.buyer is None
    assert emulator._transport.app.state.amazon.restricted == {}


def test_an_address_amazon_gives_only_in_part_keeps_the_name():
    partial = orders_api.PostalAddress(Name="Ana Ruiz", City="Lyon", CountryCode="FR")
    contact = orders_api.contact_of(partial)
    assert contact is not None and (contact.name, contact.address) == ("Ana Ruiz", None)
    assert orders_api.contact_of(orders_api.PostalAddress()) is None
    assert orders_api.contact_of(None) is None


async def test_the_buyers_relay_address_is_read_with_a_restricted_data_token(
    account, apis, emulator
):
    relay = await orders_api.get_buyer_email(apis, selling_partner(account), "304-1000004-0000004")
    assert relay == emulated.buyer_info("304-1000004-0000004")["BuyerEmail"]
    assert relay.endswith("@marketplace.amazon.de")
    [(seller, paths, _)] = emulator._transport.app.state.amazon.restricted.values()
    assert paths == frozenset({"/orders/v0/orders/304-1000004-0000004/buyerInfo"})
    token = next(iter(emulator._transport.app.state.amazon.tokens))
    refused = await emulator.get(
        "/amazon/orders/v0/orders/304-1000004-0000004/buyerInfo",
        headers={"x-amz-access-token": token},
    )
    assert refused.status_code == 403
