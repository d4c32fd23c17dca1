"""The local stack's wiring: resolution pays its refunds through intake."""

from deploy.stack import refunds_through_intake


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
