import pytest
from pydantic import ValidationError

from services.analytics.domain.reports import by_listing, by_market
from services.analytics.domain.taxonomy import Labeller, SellerTaxonomy

TAXONOMY = SellerTaxonomy(
    reasons={"size_fit": "Sizing", "size_too_small": "Sizing", "defective": "Faulty"},
    codes={"CR-DAMAGED_BY_CARRIER": "Carrier damage"},
)


def test_a_code_label_wins_over_its_reason_and_an_unlabelled_reason_keeps_its_name():
    labeller = Labeller.of(TAXONOMY)
    assert labeller.label("damaged", "cr-damaged_by_carrier") == "Carrier damage"
    assert labeller.label("size_too_small", "TOO_SMALL") == "Sizing"
    assert labeller.label("style", "STYLE") == "style"
    assert labeller.label(None, None) == "unknown"


@pytest.mark.parametrize(
    "given",
    [{"reasons": {"too_blue": "Colour"}}, {"reasons": {"style": " "}}, {"codes": {"X": "y" * 61}}],
)
def test_a_taxonomy_names_known_reasons_with_short_labels(given):
    with pytest.raises(ValidationError):
        SellerTaxonomy.model_validate(given)


ROWS = [
    {"sku": "A", "market": "US", "reason": "size_fit", "reason_code": "SIZE_FIT"},
    {"sku": "A", "market": "US", "reason": "size_too_small", "reason_code": "TOO_SMALL"},
    {"sku": "A", "market": "DE", "reason": "damaged", "reason_code": "CR-DAMAGED_BY_CARRIER"},
    {"sku": "B", "market": "DE", "reason": "defective", "reason_code": "DEFECTIVE"},
]


def test_reports_show_the_reasons_in_the_sellers_own_labels_beside_the_taxonomy():
    labeller = Labeller.of(TAXONOMY)
    listing = {r.sku: r for r in by_listing(ROWS, labeller=labeller)}["A"]
    assert listing.seller_reasons.ranked() == [("Sizing", 2, 2 / 3), ("Carrier damage", 1, 1 / 3)]
    assert listing.reasons.counts == {"size_fit": 1, "size_too_small": 1, "damaged": 1}
    markets = {m.market: m for m in by_market(ROWS, labeller)}
    assert markets["DE"].seller_reasons.counts == {"Carrier damage": 1, "Faulty": 1}
    assert by_listing(ROWS)[0].seller_reasons is None  # no taxonomy, no such mix
