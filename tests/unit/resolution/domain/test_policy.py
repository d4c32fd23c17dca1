import pytest
from pydantic import ValidationError

from services.resolution.domain.policy import (
    DEFAULT_POLICY,
    PRIOR_ANSWERS,
    RefundTier,
    SellerPolicy,
    learnt_acceptance,
    with_learnt_acceptance,
)
from shared.events import CaseItem, Remedy


def test_partial_refund_tiers_apply_per_unit_price_rounded_down():
    policy = SellerPolicy(
        partial_refund_tiers=[
            RefundTier(up_to_price_minor=2000, percent=15),
            RefundTier(up_to_price_minor=10000, percent=12),
            RefundTier(percent=10),
        ]
    )
    assert [policy.partial_refund_percent(p) for p in (1999, 2000, 2001, 10000, 10001)] == [
        15,
        15,
        12,
        12,
        10,
    ]
    items = [CaseItem(sku="A", quantity=3, unit_price_minor=1999)]
    assert policy.partial_refund_minor(items) == 5997 * 15 // 100


@pytest.mark.parametrize(
    "tiers",
    [
        [RefundTier(up_to_price_minor=1000, percent=10)],  # no open last tier
        [RefundTier(percent=10), RefundTier(percent=12)],  # open tier not last
        [
            RefundTier(up_to_price_minor=5000, percent=10),
            RefundTier(up_to_price_minor=1000, percent=12),
            RefundTier(percent=10),
        ],  # not rising
    ],
)
def test_tiers_that_leave_a_price_uncovered_or_unordered_are_refused(tiers):
    with pytest.raises(ValidationError):
        SellerPolicy(partial_refund_tiers=tiers)


def test_learnt_acceptance_starts_at_the_policy_and_follows_the_buyers():
    assert learnt_acceptance(0.8, 0, 0) == 0.8
    assert learnt_acceptance(0.8, 0, PRIOR_ANSWERS) == pytest.approx(0.4)
    assert learnt_acceptance(0.8, 1000, 1000) == pytest.approx(1016 / 1020)
    with pytest.raises(ValueError):
        learnt_acceptance(0.5, 3, 2)


def test_only_remedies_that_ask_the_buyer_are_learnt():
    outcomes = {Remedy.PARTIAL_REFUND: (2, 10), Remedy.RETURN_FULL_REFUND: (0, 10)}
    learnt = with_learnt_acceptance(DEFAULT_POLICY, outcomes)
    assert learnt.acceptance_of(Remedy.PARTIAL_REFUND) == pytest.approx((16 + 2) / 30)
    assert learnt.acceptance_of(Remedy.RETURN_FULL_REFUND) == 1.0
    assert DEFAULT_POLICY.acceptance_of(Remedy.PARTIAL_REFUND) == 0.8  # unchanged
    off = SellerPolicy(learn_acceptance=False)
    assert with_learnt_acceptance(off, outcomes) is off


CREDIT = SellerPolicy(store_credit_enabled=True, store_credit_bonus_percent=10)


def test_store_credit_acceptance_is_learnt_from_the_buyers_answers():
    learnt = with_learnt_acceptance(CREDIT, {Remedy.STORE_CREDIT: (0, 20)})
    assert (
        learnt.acceptance_of(Remedy.STORE_CREDIT)
        == DEFAULT_POLICY.acceptance_of(Remedy.STORE_CREDIT) / 2
    )
    taken = with_learnt_acceptance(CREDIT, {Remedy.STORE_CREDIT: (20, 20)})
    assert taken.acceptance_of(Remedy.STORE_CREDIT) > CREDIT.acceptance_of(Remedy.STORE_CREDIT)


def test_a_bonus_beyond_the_policy_limit_is_refused():
    with pytest.raises(ValidationError):
        SellerPolicy(store_credit_enabled=True, store_credit_bonus_percent=80)


def test_the_seller_sets_its_return_window_per_channel_where_the_channel_lets_it():
    policy = SellerPolicy(return_window_days={"shopify": 60, "ebay": 30, "walmart": 90})
    assert policy.return_window_for("shopify") == 60
    assert policy.return_window_for("generic") is None  # the channel's rule decides
    assert policy.return_window_for("amazon") is None


@pytest.mark.parametrize(
    "windows", [{"ebay": 45}, {"walmart": 14}, {"amazon": 60}, {"shopify": 400}]
)
def test_a_return_window_the_channel_does_not_allow_is_refused(windows):
    with pytest.raises(ValidationError, match="return window|sets the return window"):
        SellerPolicy(return_window_days=windows)
