import pytest
from pydantic import ValidationError

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
