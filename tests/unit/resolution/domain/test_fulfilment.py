"""Who takes a return back (`services/resolution/domain/fulfilment.py`)."""

import pytest

from services.resolution.domain.fulfilment import (
    fulfilled_by_marketplace,
    marketplace_takes_it_back,
)


@pytest.mark.parametrize(
    ("marketplace", "theirs"),
    [("amazon_fba", True), (" Amazon_FBA ", True), ("amazon", False), ("shopify", False)],
)
def test_only_a_marketplace_fulfilled_case_is_the_marketplaces(marketplace, theirs):
    assert fulfilled_by_marketplace(marketplace) is theirs


def test_the_reason_says_who_takes_it_back_and_what_the_seller_owes():
    reason = marketplace_takes_it_back("amazon_fba")
    assert reason.startswith("fulfilled by Amazon")
    assert "no return label and no refund" in reason
