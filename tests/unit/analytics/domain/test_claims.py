"""Marketplace claims as data (`domain/claims.py`): each kind's deadline clock on the
market's calendar, a deadline stated on the notice winning, the clock's states, what an
outcome recovers, and every rule naming its source."""

from datetime import UTC, datetime, timedelta

import pytest

from services.analytics.domain.claims import (
    RULES,
    ClaimKind,
    ClaimRefused,
    ClockState,
    Outcome,
    clock_state,
    due_at,
    recovered,
    reply_hours,
    rule_for,
)
from shared.markets import Market

FRIDAY = datetime(2026, 11, 6, 15, 0, tzinfo=UTC)  # 10:00 in New York


def test_every_kind_has_a_rule_with_its_source_and_the_sections_it_asks_for():
    assert set(RULES) == set(ClaimKind)
    for rule in RULES.values():
        assert rule.source.url.startswith("http") and rule.source.citation
        assert sorted(rule.sections) == sorted(
            ["order", "delivery", "conversation", "offers", "return", "refunds"]
        )
        assert [rule.days, rule.business_days, rule.hours].count(None) == 2


def test_an_a_to_z_request_is_answered_within_48_hours():
    assert due_at(RULES[ClaimKind.AMAZON_A_TO_Z], FRIDAY, Market.US) == FRIDAY + timedelta(hours=48)


def test_a_safe_t_claim_is_filed_within_30_days_to_the_end_of_the_local_day():
    due = due_at(RULES[ClaimKind.AMAZON_SAFE_T], FRIDAY, Market.US)
    # 6 December 2026, 23:59:59 in New York (EST, UTC-5)
    assert due == datetime(2026, 12, 7, 4, 59, 59, tzinfo=UTC)


def test_an_ebay_case_runs_3_business_days_skipping_the_weekend():
    due = due_at(RULES[ClaimKind.EBAY_MONEY_BACK], FRIDAY, Market.UK)
    assert due == datetime(2026, 11, 11, 23, 59, 59, tzinfo=UTC)  # Mon, Tue, Wed
    # Thanksgiving (26 November) is no business day in the US.
    wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    us = due_at(RULES[ClaimKind.EBAY_MONEY_BACK], wednesday, Market.US)
    assert us == datetime(2026, 12, 2, 4, 59, 59, tzinfo=UTC)  # Fri 27, Mon 30, Tue 1


def test_a_chargeback_keeps_the_due_date_its_notice_states():
    rule = RULES[ClaimKind.CHARGEBACK]
    stated = FRIDAY + timedelta(days=21)
    assert due_at(rule, FRIDAY, Market.DE, stated) == stated
    assert due_at(rule, FRIDAY, Market.DE) == datetime(2026, 11, 13, 22, 59, 59, tzinfo=UTC)
    with pytest.raises(ClaimRefused):
        due_at(rule, FRIDAY.replace(tzinfo=None), Market.DE)


def test_the_clock_runs_nears_its_breach_and_is_met_or_missed():
    due = FRIDAY + timedelta(hours=100)
    assert clock_state(FRIDAY, due, FRIDAY + timedelta(hours=74), None) is ClockState.RUNNING
    assert clock_state(FRIDAY, due, FRIDAY + timedelta(hours=75), None) is ClockState.NEAR_BREACH
    assert clock_state(FRIDAY, due, FRIDAY + timedelta(hours=101), None) is ClockState.BREACHED
    assert clock_state(FRIDAY, due, FRIDAY + timedelta(days=9), due) is ClockState.MET
    late = due + timedelta(seconds=1)
    assert clock_state(FRIDAY, due, late, late) is ClockState.MISSED


def test_claims_of_a_marketplace_are_refused_on_another_s_cases():
    assert rule_for(ClaimKind.AMAZON_SAFE_T, "amazon_fba").kind is ClaimKind.AMAZON_SAFE_T
    assert rule_for(ClaimKind.CHARGEBACK, "shopify").kind is ClaimKind.CHARGEBACK
    with pytest.raises(ClaimRefused, match="amazon"):
        rule_for(ClaimKind.AMAZON_A_TO_Z, "ebay")
    with pytest.raises(ClaimRefused, match="ebay"):
        rule_for(ClaimKind.EBAY_MONEY_BACK, "amazon")


def test_what_an_outcome_recovers():
    assert recovered(Outcome.WON, 5999, None) == 5999
    assert recovered(Outcome.WON, 5999, 5000) == 5000
    assert recovered(Outcome.PARTLY_WON, 5999, 2000) == 2000
    assert recovered(Outcome.LOST, 5999, None) == 0
    with pytest.raises(ClaimRefused):
        recovered(Outcome.PARTLY_WON, 5999, None)
    with pytest.raises(ClaimRefused):
        recovered(Outcome.LOST, 5999, 100)


def test_reply_deadlines_per_marketplace():
    assert (reply_hours("amazon"), reply_hours("ebay"), reply_hours("shopify")) == (48, 72, None)
