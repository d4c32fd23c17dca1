from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.intake.domain.webhook import GenericWebhook, open_case
from shared.markets import Currency, Market, Region
from tests.factories import webhook


def test_a_valid_webhook_becomes_a_canonical_case():
    body = webhook(market="us", marketplace="Amazon", reason_code="defective")
    case = open_case(GenericWebhook.model_validate(body), "case-1", datetime.now(UTC))
    assert case.market is Market.US
    assert case.region is Region.NA
    assert case.currency is Currency.USD
    assert case.marketplace == "amazon"
    assert case.reason_code == "DEFECTIVE"
    assert case.buyer_language == "en"
    assert case.items[0].unit_price_minor == 4999
    assert case.marketplace_event_id == body["event_id"]


def test_gb_is_accepted_as_the_uk_market():
    items = [{**webhook()["items"][0], "currency": "GBP", "price": "39.50"}]
    parsed = GenericWebhook.model_validate(webhook(market="GB", items=items))
    case = open_case(parsed, "case-2", datetime.now(UTC))
    assert case.market is Market.UK and case.region is Region.UK
    assert case.items[0].unit_price_minor == 3950


def test_language_defaults_to_the_market_language():
    items = [{**webhook()["items"][0], "currency": "EUR"}]
    case = open_case(
        GenericWebhook.model_validate(webhook(market="DE", items=items)), "c", datetime.now(UTC)
    )
    assert case.buyer_language == "de"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"market": "ZZ"}, "market"),
        ({"items": []}, "items"),
        ({"event_id": ""}, "event_id"),
        ({"items": [{**webhook()["items"][0], "currency": "XXX"}]}, "currency"),
        ({"items": [{**webhook()["items"][0], "price": "-1.00"}]}, "price"),
        ({"items": [{**webhook()["items"][0], "price": "1.999"}]}, "price"),
        ({"items": [{**webhook()["items"][0], "quantity": 0}]}, "quantity"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_webhooks_name_the_field(change, field):
    with pytest.raises(ValidationError) as error:
        GenericWebhook.model_validate(webhook(**change))
    assert field in str(error.value)


def test_currency_must_be_the_markets():
    with pytest.raises(ValidationError, match="market US trades in USD"):
        GenericWebhook.model_validate(webhook(items=[{**webhook()["items"][0], "currency": "EUR"}]))


def test_missing_fields_are_reported():
    body = webhook()
    del body["order_id"]
    with pytest.raises(ValidationError, match="order_id"):
        GenericWebhook.model_validate(body)
