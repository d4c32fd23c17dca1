import uuid
from datetime import UTC, datetime

from services.intake.channels.generic.webhook import GenericWebhook, canonical_case
from services.intake.domain.case import Channel
from services.intake.domain.classification import classify
from services.intake.domain.opening import (
    case_id_of,
    case_opened,
    legacy_case_id_of,
    marketplace_of,
    triaged,
)
from shared.events import Reason, Scenario
from shared.markets import Currency, Market, Region
from tests.factories import webhook


def opened(body: dict, key: str = "k-1"):
    case = canonical_case(GenericWebhook.model_validate(body), "test-seller")
    classification = classify(case.reason, case.marketplace_reason, case.buyer_words)
    return case_opened(case, key, classification, datetime.now(UTC))


def test_a_valid_webhook_becomes_a_classified_case_opened_event():
    body = webhook(market="us", marketplace="Amazon", reason_code="defective")
    case = opened(body)
    assert case.case_id == case_id_of(Channel.GENERIC, "k-1", account="test-seller")
    assert case.market is Market.US
    assert case.region is Region.NA
    assert case.currency is Currency.USD
    assert case.marketplace == "generic"
    assert case.seller_account == "test-seller"
    assert case.reason_code == "DEFECTIVE"
    assert case.reason == Reason.DEFECTIVE
    assert case.scenario is Scenario.QUALITY_DEFECT
    assert case.classification_signals
    assert case.buyer_language == "en"
    assert case.items[0].unit_price_minor == 4999


def test_the_same_key_names_the_same_case():
    assert opened(webhook(), "same").case_id == opened(webhook(), "same").case_id
    assert opened(webhook(), "one").case_id != opened(webhook(), "two").case_id


def test_two_sellers_with_the_same_key_get_two_cases():
    one = case_id_of("generic", "amazon:evt-1", account="seller-a")
    other = case_id_of("generic", "amazon:evt-1", account="seller-b")
    assert one != other
    assert one == case_id_of("generic", "amazon:evt-1", account="seller-a")


def test_a_case_accepted_before_accounts_were_in_its_id_keeps_the_id_it_had():
    before = f"case-{uuid.uuid5(uuid.UUID('6f1c9a52-3c1e-4c43-9a57-2f0e8d7b1c11'), 'shopify:e-1')}"
    assert legacy_case_id_of("shopify", "e-1") == before
    assert case_id_of("shopify", "e-1", account="a.myshopify.com", legacy=True) == before
    assert case_id_of("shopify", "e-1", account="a.myshopify.com") != before


def test_no_account_and_key_name_the_id_of_another_or_of_an_older_case():
    ids = {
        case_id_of("generic", "b:c", account="a"),
        case_id_of("generic", "c", account="a:b"),
        legacy_case_id_of("generic", "a:b:c"),
    }
    assert len(ids) == 3


def test_gb_is_accepted_as_the_uk_market():
    items = [{**webhook()["items"][0], "currency": "GBP", "price": "39.50"}]
    case = opened(webhook(market="GB", items=items))
    assert case.market is Market.UK and case.region is Region.UK
    assert case.items[0].unit_price_minor == 3950


def test_language_is_what_the_buyer_wrote_in_else_the_markets():
    items = [{**webhook()["items"][0], "currency": "EUR"}]
    assert opened(webhook(market="DE", items=items, buyer_comment="")).buyer_language == "de"
    french = "Le haut-parleur ne s'allume plus du tout après deux jours."
    assert opened(webhook(market="DE", items=items, buyer_comment=french)).buyer_language == "fr"


def test_a_case_the_marketplace_fulfilled_is_opened_as_its_fulfilment_network():
    case = canonical_case(GenericWebhook.model_validate(webhook()), "test-seller")
    fba = case.model_copy(update={"channel": Channel.AMAZON, "fulfilled_by_marketplace": True})
    assert marketplace_of(case) == "generic"
    assert marketplace_of(fba) == "amazon_fba"
    classification = classify(case.reason, case.marketplace_reason, case.buyer_words)
    assert case_opened(fba, "k", classification, datetime.now(UTC)).marketplace == "amazon_fba"


def test_a_case_an_agent_must_decide_waits_for_one_with_the_reason_first():
    case = canonical_case(GenericWebhook.model_validate(webhook()), "test-seller")
    classification = classify(case.reason, case.marketplace_reason, case.buyer_words)
    assert not classification.needs_agent
    assert triaged(case, classification) == classification
    outside = case.model_copy(update={"agent_decides_because": "outside the policy"})
    decided = triaged(outside, classification)
    assert decided.needs_agent and decided.signals[0] == "outside the policy"
    assert case_opened(outside, "k", decided, datetime.now(UTC)).scenario is None
