"""The Orders API client (`services/intake/channels/amazon/orders_api.py`) against the
emulated Amazon: what a report's row lacks, read from its order."""

from decimal import Decimal

import pytest

from deploy.emulators import amazon as emulated
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
