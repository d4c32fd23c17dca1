import json

import pytest

from deploy.dev_issuer import issuer_of
from services.fulfillment.settings import FulfillmentSettings
from services.intake.settings import IntakeSettings
from shared.production import NotFitForProduction, problems_in, refuse_unfit_secrets

STRONG = "k7Qm2vX9pL4rT8wZ1bN6cD3f"


ISSUER = "https://sso.example.com/realms/after-sales"


def intake(**secrets) -> IntakeSettings:
    full = {
        "auth_issuer": ISSUER,
        "intake_pii_keys": "Zx" + STRONG,
        "service_client_secrets": {"intake": "Yw" + STRONG},
        "buyer_link_secret": "Vu" + STRONG,
    }
    return IntakeSettings(environment="production", **(full | secrets))


def test_real_looking_secrets_start():
    assert problems_in(intake()) == []
    refuse_unfit_secrets("intake", intake())


@pytest.mark.parametrize(
    ("secrets", "problem"),
    [
        ({"buyer_link_secret": None}, "BUYER_LINK_SECRET is not set"),
        ({"buyer_link_secret": "short"}, "BUYER_LINK_SECRET is shorter than 16 characters"),
        ({"service_client_secrets": {"intake": "test-client-secret"}}, 'it says "test"'),
        ({"service_client_secrets": {}}, "SERVICE_CLIENT_SECRETS is not set"),
        ({"auth_issuer": None}, "AUTH_ISSUER is not set"),
        ({"smtp_password": "changeme-changeme"}, "SMTP_PASSWORD is a demo value"),
    ],
)
def test_a_missing_or_demo_secret_stops_a_production_start(secrets, problem):
    settings = intake(**secrets)
    with pytest.raises(NotFitForProduction, match="intake will not start in production") as why:
        refuse_unfit_secrets("intake", settings)
    assert problem in str(why.value)


def test_a_demo_secret_of_one_service_among_many_is_found():
    secrets = json.dumps({"intake": STRONG, "fulfillment": "demo-client-secret-123456"})
    settings = FulfillmentSettings(
        environment="production",
        auth_issuer=ISSUER,
        service_client_secrets=json.loads(secrets),
        floor_session_secret="Ts" + STRONG,
    )
    assert problems_in(settings) == ['SERVICE_CLIENT_SECRETS is a demo value (it says "demo")']


def test_outside_production_nothing_is_refused():
    settings = IntakeSettings(environment="development", buyer_link_secret="x")
    refuse_unfit_secrets("intake", settings)


def test_the_development_issuer_refuses_production():
    with pytest.raises(RuntimeError, match="does not run in production"):
        issuer_of(IntakeSettings(environment="production"))
