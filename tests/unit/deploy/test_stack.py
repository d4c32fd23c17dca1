"""The local stack's wiring: resolution pays its refunds through intake."""

from deploy.stack import emulated_apis, refunds_through_intake


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
