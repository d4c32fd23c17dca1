"""The answer when nothing is owed: only when the buyer has no right left, in every language,
with the statutory rights the buyer keeps, and through the lint."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.resolution.domain.engine import CaseFacts, plan
from services.resolution.domain.messages import LANGUAGES, format_day
from services.resolution.domain.nothing_owed import NothingOwedReason, draft, reason_of
from services.resolution.domain.policy import DEFAULT_POLICY, SellerPolicy
from shared.compliance import REQUIRED_DISCLOSURES, WRONG_TERMS, lint, normalize
from shared.events import CaseItem, Remedy, Scenario
from shared.markets import CURRENCY_OF, Market, Region

DELIVERED = datetime(2026, 3, 2, 10, tzinfo=UTC)  # out of Amazon's holiday season
SPEAKER = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=4999)
MARKETS = [Market.US, Market.CA, Market.UK, Market.DE, Market.FR, Market.IT, Market.ES]


def facts(scenario: Scenario, market: Market, days: int, marketplace="amazon") -> CaseFacts:
    return CaseFacts(
        case_id="case-1",
        marketplace=marketplace,
        market=market,
        currency=CURRENCY_OF[market],
        scenario=scenario,
        items=[SPEAKER],
        opened_at=DELIVERED + timedelta(days=days),
        delivered_at=DELIVERED,
        language="en",
    )


def planned(case: CaseFacts, policy=DEFAULT_POLICY):
    return plan(case, policy, 0, [], case.opened_at)


@pytest.mark.parametrize("market", MARKETS)
def test_a_changed_mind_after_every_window_is_owed_nothing(market):
    case = facts(Scenario.CHANGED_MIND, market, 45)
    assert reason_of(case, planned(case)) is NothingOwedReason.RETURN_WINDOW_CLOSED


@pytest.mark.parametrize("market", MARKETS)
def test_a_changed_mind_inside_a_window_is_offered_a_return_instead(market):
    case = facts(Scenario.CHANGED_MIND, market, 10)
    the_plan = planned(case)
    assert the_plan.steps
    assert reason_of(case, the_plan) is None


def test_the_seller_s_longer_window_in_its_own_shop_keeps_the_return_owed():
    case = facts(Scenario.CHANGED_MIND, Market.US, 45, marketplace="shopify")
    assert reason_of(case, planned(case)) is NothingOwedReason.RETURN_WINDOW_CLOSED
    longer = SellerPolicy(return_window_days={"shopify": 60})
    assert reason_of(case, planned(case, longer)) is None


def test_a_fault_with_every_remedy_disabled_is_not_nothing_owed_but_an_agent_s():
    """The law may still owe a remedy the seller's policy disables: no "nothing owed"."""
    policy = SellerPolicy(enabled_remedies=[Remedy.RESHIP])
    case = facts(Scenario.QUALITY_DEFECT, Market.DE, 45)
    the_plan = planned(case, policy)
    assert the_plan.steps == ()
    assert reason_of(case, the_plan) is None


def test_a_case_the_marketplace_takes_back_is_not_nothing_owed():
    case = facts(Scenario.CHANGED_MIND, Market.UK, 45, marketplace="amazon_fba")
    assert reason_of(case, planned(case)) is None


def rendered(market: Market, language: str):
    case = facts(Scenario.CHANGED_MIND, market, 45)
    rights = planned(case).rights
    return rights, draft(
        NothingOwedReason.RETURN_WINDOW_CLOSED, rights, language, "Speaker", case.scenario
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("market", MARKETS)
def test_the_answer_says_why_and_passes_the_lint_in_every_language(market, language):
    rights, the_draft = rendered(market, language)

    assert the_draft.sendable, the_draft.findings
    assert the_draft.language == language
    assert "Speaker" in the_draft.message
    assert format_day(language, rights.return_closed_on) in the_draft.message


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("market", "kept", "not_kept"),
    [
        (Market.DE, "legal_guarantee", "statutory_repair"),
        (Market.FR, "legal_guarantee", "statutory_repair"),
        (Market.UK, "statutory_repair", "legal_guarantee"),
    ],
)
def test_the_answer_keeps_the_buyer_s_statutory_rights_in_view(market, kept, not_kept, language):
    rights, the_draft = rendered(market, language)
    text = normalize(the_draft.message, language)

    assert normalize(REQUIRED_DISCLOSURES[kept][language], language) in text
    assert normalize(REQUIRED_DISCLOSURES[not_kept][language], language) not in text
    if kept == "legal_guarantee":
        assert format_day(language, rights.legal_guarantee_until) in the_draft.message
    # Stripped of the rights it keeps, the lint holds the answer back.
    stripped = "\n".join(
        line
        for line in the_draft.message.splitlines()
        if normalize(REQUIRED_DISCLOSURES[kept][language], language)
        not in normalize(line, language)
    )
    assert lint(stripped, language, market, [kept]) != []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_uk_answer_never_speaks_of_withdrawal(language):
    _, the_draft = rendered(Market.UK, language)
    text = normalize(the_draft.message, language)
    for term in WRONG_TERMS[Region.UK][language]:
        assert normalize(term, language) not in text


@pytest.mark.parametrize("market", [Market.US, Market.CA])
def test_north_american_buyers_are_asked_to_tell_of_a_fault(market):
    _, the_draft = rendered(market, "en")
    assert "faulty, please tell us" in the_draft.message
    for name in ("legal_guarantee", "statutory_repair"):
        assert REQUIRED_DISCLOSURES[name]["en"] not in the_draft.message


def test_a_language_without_templates_reads_english():
    _, the_draft = rendered(Market.US, "pl")
    assert the_draft.language == "en"
    assert the_draft.sendable


GIFT_CARD = CaseItem(sku="GC-50", title="Walmart eGift Card $50", quantity=1, unit_price_minor=5000)


def test_an_item_the_channel_does_not_take_back_is_owed_nothing_with_the_reason():
    case = replace(facts(Scenario.CHANGED_MIND, Market.US, 3, "walmart"), items=[GIFT_CARD])
    assert reason_of(case, planned(case)) is NothingOwedReason.NOT_RETURNABLE


def test_a_fault_in_an_item_the_channel_does_not_take_back_is_not_nothing_owed():
    case = replace(facts(Scenario.QUALITY_DEFECT, Market.US, 3, "walmart"), items=[GIFT_CARD])
    the_plan = planned(case)
    assert the_plan.steps
    assert reason_of(case, the_plan) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_not_returnable_answer_says_why_and_passes_the_lint(language):
    case = replace(facts(Scenario.CHANGED_MIND, Market.US, 3, "walmart"), items=[GIFT_CARD])
    rights = planned(case).rights
    excepted = case.not_returnable
    answer = draft(
        NothingOwedReason.NOT_RETURNABLE,
        rights,
        language,
        "eGift Card",
        Scenario.CHANGED_MIND,
        excepted.products,
    )
    assert answer.sendable, answer.findings
    assert answer.language == language
    if language == "en":
        assert "gift cards" in answer.message
    assert "{{" not in answer.message
