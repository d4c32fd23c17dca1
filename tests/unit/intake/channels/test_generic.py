import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.intake.channels.generic import webhook as generic
from services.intake.channels.generic.webhook import GenericWebhook
from services.intake.domain.case import Channel, ChannelError, OpenCase
from shared.events import Reason
from shared.markets import Currency, Market
from tests.factories import webhook

SAMPLE = Path(__file__).parents[3] / "samples" / "generic" / "case_opened.json"
SECRET = "gen-secret-new"
OLD_SECRET = "gen-secret-old"
ACCOUNT = "seller-hz-curtains"
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def sample(**changes) -> bytes:
    return json.dumps({**json.loads(SAMPLE.read_bytes()), **changes}).encode()


def headers(body: bytes, secret: str = SECRET, sent_at: datetime = NOW) -> dict[str, str]:
    timestamp = str(int(sent_at.timestamp()))
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {
        "X-Seller-Account": ACCOUNT,
        "X-Timestamp": timestamp,
        "X-Signature": f"sha256={digest.hexdigest()}",
    }


def refused(headers: dict[str, str], body: bytes, secrets=(SECRET,)) -> ChannelError:
    with pytest.raises(ChannelError) as error:
        generic.verify(headers, body, list(secrets), NOW)
    return error.value


# Verification


def test_a_delivery_signed_with_the_accounts_secret_is_genuine():
    body = sample()
    generic.verify(headers(body), body, [SECRET], NOW)


def test_both_secrets_are_accepted_during_a_rotation():
    body = sample()
    for secret in (OLD_SECRET, SECRET):
        generic.verify(headers(body, secret), body, [OLD_SECRET, SECRET], NOW)


def test_a_wrong_secret_is_refused():
    body = sample()
    error = refused(headers(body, OLD_SECRET), body)
    assert (error.status, error.reason) == (401, "bad_signature")


def test_a_tampered_body_is_refused():
    body = sample()
    assert refused(headers(body), sample(order_id="OTTO-0000")).reason == "bad_signature"


def test_a_changed_timestamp_is_refused():
    body = sample()
    signed = headers(body)
    signed["X-Timestamp"] = str(int(NOW.timestamp()) + 60)
    assert refused(signed, body).reason == "bad_signature"


@pytest.mark.parametrize("missing", ["X-Signature", "X-Timestamp"])
def test_a_delivery_without_a_signing_header_is_refused(missing):
    body = sample()
    unsigned = headers(body)
    del unsigned[missing]
    error = refused(unsigned, body)
    assert (error.status, error.reason) == (401, "bad_signature")
    assert missing in error.detail


def test_a_signature_without_its_scheme_is_refused():
    body = sample()
    bare = headers(body)
    bare["X-Signature"] = bare["X-Signature"].removeprefix("sha256=")
    assert refused(bare, body).reason == "bad_signature"


@pytest.mark.parametrize("age", [timedelta(minutes=6), -timedelta(minutes=6)])
def test_a_genuine_delivery_outside_five_minutes_is_stale(age):
    body = sample()
    error = refused(headers(body, sent_at=NOW - age), body)
    assert (error.status, error.reason) == (401, "stale_request")


def test_a_delivery_just_inside_five_minutes_is_fresh():
    body = sample()
    generic.verify(headers(body, sent_at=NOW - timedelta(minutes=4)), body, [SECRET], NOW)


def test_header_names_are_case_insensitive():
    body = sample()
    lower = {name.lower(): value for name, value in headers(body).items()}
    generic.verify(lower, body, [SECRET], NOW)
    assert generic.account_of(lower, body) == ACCOUNT


def test_the_account_is_named_by_the_seller_account_header():
    body = sample()
    assert generic.account_of(headers(body), body) == ACCOUNT
    with pytest.raises(ChannelError) as error:
        generic.account_of({}, body)
    assert error.value.status == 401


# Parsing


def test_a_generic_webhook_opens_a_canonical_case():
    body = sample()
    [delivery] = generic.parse(headers(body), body)
    assert delivery.channel is Channel.GENERIC
    assert delivery.delivery_id == "otto:evt-2026-11-05-000187"
    assert delivery.seller_account == ACCOUNT
    assert isinstance(delivery.action, OpenCase)
    case = delivery.action.case
    assert case.seller_account == ACCOUNT
    assert case.ids.order_id == "OTTO-4471-2290-18"
    assert (case.market, case.currency) == (Market.DE, Currency.EUR)
    [item] = case.items
    assert (item.sku, item.quantity, item.unit_price) == ("CUR-LIN-5284-SAGE", 2, Decimal("34.90"))
    assert (case.marketplace_reason, case.reason) == ("SIZE_TOO_SMALL", Reason.SIZE_TOO_SMALL)
    assert case.buyer_words == "Der Vorhang ist 20 cm zu kurz für unser Fenster."
    assert (case.buyer_ref, case.buyer_language) == ("otto-buyer-55f0c2", "de")
    assert case.delivered_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_a_code_outside_intakes_taxonomy_is_other_and_kept():
    body = sample(reason_code="installation_too_hard")
    [delivery] = generic.parse(headers(body), body)
    case = delivery.action.case
    assert (case.marketplace_reason, case.reason) == ("INSTALLATION_TOO_HARD", Reason.OTHER)


def test_a_body_that_is_not_json_is_a_bad_request():
    with pytest.raises(ChannelError) as error:
        generic.parse(headers(b"event_id=1"), b"event_id=1")
    assert (error.value.status, error.value.reason) == (400, "malformed_json")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"market": "ZZ"}, "market"),
        ({"event_id": ""}, "event_id"),
        ({"items": []}, "items"),
        ({"items": [{"sku": "X", "price": "-1", "currency": "EUR"}]}, "items.0.price"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_a_malformed_case_names_the_field(change, field):
    body = sample(**change)
    with pytest.raises(ChannelError) as error:
        generic.parse(headers(body), body)
    assert (error.value.status, error.value.reason) == (422, "invalid_payload")
    assert error.value.field == field


def test_a_price_in_another_currency_than_the_markets_is_refused():
    body = sample(items=[{"sku": "X", "price": "10.00", "currency": "USD"}])
    with pytest.raises(ChannelError) as error:
        generic.parse(headers(body), body)
    assert error.value.status == 422
    assert "market DE trades in EUR" in error.value.detail


# ------------------------------------------------------------------ the body (GenericWebhook)


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


def test_the_shop_s_variants_of_an_item_travel_with_it_for_an_exchange():
    [item] = json.loads(SAMPLE.read_bytes())["items"]
    longer = {"sku": "CUR-LIN-5290-SAGE", "title": "135 x 290 cm", "price": "39.90"}
    sold_out = {"sku": "CUR-LIN-5290-GREY", "title": "135 x 290 cm, Grau", "price": "39.90"}
    body = sample(items=[{**item, "variants": [longer, {**sold_out, "in_stock": False}]}])
    [delivery] = generic.parse(headers(body), body)
    [variant, gone] = delivery.action.case.items[0].variants
    assert (variant.sku, variant.title, variant.unit_price, variant.in_stock) == (
        "CUR-LIN-5290-SAGE",
        "135 x 290 cm",
        Decimal("39.90"),
        True,
    )
    assert (gone.sku, gone.in_stock) == ("CUR-LIN-5290-GREY", False)
    # Without any, the item has none: the page then offers the same item again.
    plain = sample()
    assert generic.parse(headers(plain), plain)[0].action.case.items[0].variants == ()


@pytest.mark.parametrize(
    "variant",
    [
        {"sku": "", "title": "L", "price": "1.00"},
        {"sku": "X", "title": "L", "price": "-1.00"},
        {"sku": "X", "title": "L", "price": "1.00", "colour": "red"},
        {"sku": "X", "price": "1.00"},
    ],
)
def test_a_malformed_variant_is_refused_naming_it(variant):
    [item] = json.loads(SAMPLE.read_bytes())["items"]
    body = sample(items=[{**item, "variants": [variant]}])
    with pytest.raises(ChannelError) as refused:
        generic.parse(headers(body), body)
    assert "variants" in str(refused.value)
