import json

import pytest

from services.fulfillment.settings import FulfillmentSettings
from services.intake.settings import IntakeSettings
from shared.production import NotFitForProduction, problems_in, refuse_unfit_secrets

STRONG = "k7Qm2vX9pL4rT8wZ1bN6cD3f"


def intake(**secrets) -> IntakeSettings:
    full = {
        "agent_api_token": STRONG,
        "intake_pii_keys": "Zx" + STRONG,
        "internal_api_token": "Yw" + STRONG,
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
        ({"agent_api_token": "short"}, "AGENT_API_TOKEN is shorter than 16 characters"),
        ({"internal_api_token": "test-internal-token"}, 'a demo value (it says "test")'),
        ({"smtp_password": "changeme-changeme"}, "SMTP_PASSWORD is a demo value"),
    ],
)
def test_a_missing_or_demo_secret_stops_a_production_start(secrets, problem):
    settings = intake(**secrets)
    with pytest.raises(NotFitForProduction, match="intake will not start in production") as why:
        refuse_unfit_secrets("intake", settings)
    assert problem in str(why.value)


def test_a_demo_token_of_one_person_among_many_is_found():
    tokens = json.dumps({"ana": STRONG, "demo-staff": "demo-staff-token-123456"})
    settings = FulfillmentSettings(
        environment="production",
        agent_api_token=STRONG,
        internal_api_token="Ab" + STRONG,
        warehouse_staff_tokens=json.loads(tokens),
    )
    assert problems_in(settings) == ['WAREHOUSE_STAFF_TOKENS is a demo value (it says "demo")']


def test_outside_production_nothing_is_refused():
    settings = IntakeSettings(environment="development", agent_api_token="x")
    refuse_unfit_secrets("intake", settings)
