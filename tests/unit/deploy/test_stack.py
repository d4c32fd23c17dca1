"""The local stack's wiring: resolution pays its refunds through intake; Amazon's removal
orders go to fulfillment's local warehouses."""

from deploy.stack import emulated_apis, local_warehouses, refunds_through_intake, settings_of
from shared.markets import Market


def test_resolution_pays_through_intake_unless_the_environment_names_a_refund_api(monkeypatch):
    monkeypatch.delenv("REFUND_API_BASE_URL", raising=False)
    monkeypatch.delenv("INTAKE_PORT", raising=False)
    own = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres"}
    assert refunds_through_intake(own) == {"REFUND_API_BASE_URL": "http://127.0.0.1:8001"}
    assert refunds_through_intake({**own, "INTAKE_PORT": "9001"}) == {
        "REFUND_API_BASE_URL": "http://127.0.0.1:9001"
    }
    monkeypatch.setenv("REFUND_API_BASE_URL", "https://refunds.example.com")
    assert refunds_through_intake(own) == {}


def test_a_system_the_environment_sets_is_not_emulated_at_all(monkeypatch):
    monkeypatch.delenv("EBAY_APP_TOKEN", raising=False)
    monkeypatch.delenv("WALMART_API_BASE_URL", raising=False)
    monkeypatch.setenv("EBAY_API_BASE_URL", "https://api.ebay.com")
    emulated = emulated_apis(8099)
    # Neither eBay's URL nor the emulator's app token: that token must never reach eBay.
    assert "EBAY_API_BASE_URL" not in emulated and "EBAY_APP_TOKEN" not in emulated
    assert emulated["WALMART_API_BASE_URL"] == "http://127.0.0.1:8099/walmart"


def test_removal_orders_go_to_the_local_warehouse_of_each_market_unless_the_environment_says(
    monkeypatch,
):
    monkeypatch.delenv("AMAZON_REMOVAL_ADDRESSES", raising=False)
    own = local_warehouses()
    addresses = settings_of(own).amazon_removal_addresses
    assert set(addresses) == set(Market)
    assert (addresses[Market.US].city, addresses[Market.US].country_code) == ("Boston", "US")
    assert (addresses[Market.UK].city, addresses[Market.UK].country_code) == ("Coventry", "GB")
    assert addresses[Market.FR].city == "Nürnberg"  # the EU's warehouse
    monkeypatch.setenv("AMAZON_REMOVAL_ADDRESSES", "{}")
    assert local_warehouses() == {}
