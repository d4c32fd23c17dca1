"""The local stack's wiring: resolution pays its refunds through intake; Amazon's removal
orders go to fulfillment's local warehouses; consumers on the embedded broker have sessions
short enough to be replaced within seconds after a crash."""

from deploy.stack import (
    ROLE,
    embedded_broker_membership,
    emulated_apis,
    local_warehouses,
    refunds_through_intake,
    replica_env,
    settings_of,
)
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


def test_short_consumer_sessions_on_the_embedded_broker_only(monkeypatch):
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("CONSUMER_SESSION_TIMEOUT_MS", raising=False)
    short = embedded_broker_membership()
    assert settings_of(short).consumer_session_timeout_ms == 1500
    assert settings_of(short).consumer_heartbeat_interval_ms == 500
    monkeypatch.setenv("CONSUMER_SESSION_TIMEOUT_MS", "4000")  # the operator's own
    assert embedded_broker_membership() == {}
    monkeypatch.delenv("CONSUMER_SESSION_TIMEOUT_MS")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")  # a cluster: Kafka's minimum
    assert embedded_broker_membership() == {}


def test_each_replica_has_its_role_and_its_own_static_member_id_where_there_is_one():
    dynamic = replica_env({"DATABASE_URL": "postgresql://db"}, 2)
    assert dynamic[ROLE] == "replica-2" and "CONSUMER_INSTANCE_ID" not in dynamic
    assert dynamic["DATABASE_URL"] == "postgresql://db"
    static = {"CONSUMER_INSTANCE_ID": "node-a"}
    ids = {replica_env(static, n)["CONSUMER_INSTANCE_ID"] for n in (2, 3)}
    assert ids == {"node-a-2", "node-a-3"}  # none the first process's own
