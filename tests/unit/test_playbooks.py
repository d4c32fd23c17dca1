import pytest

from services.resolution.domain.playbooks import classify, decide, fall_back_to_return
from shared.events import CaseItem, Remedy, Scenario

ITEMS = [
    CaseItem(sku="A", quantity=2, unit_price_minor=1999),
    CaseItem(sku="B", quantity=1, unit_price_minor=4999),
]


@pytest.mark.parametrize(
    ("reason", "scenario", "remedy"),
    [
        ("DAMAGED_PACKAGING", Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND),
        ("minor_scratch", Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND),
        ("MISSING_PART", Scenario.FUNCTIONAL_FAULT, Remedy.PART_SHIPMENT),
        ("SETUP_DIFFICULTY", Scenario.FUNCTIONAL_FAULT, Remedy.PART_SHIPMENT),
        ("SIZE_TOO_SMALL", Scenario.SIZE_STYLE_MISMATCH, Remedy.EXCHANGE),
        ("COLOR", Scenario.SIZE_STYLE_MISMATCH, Remedy.EXCHANGE),
        ("DEFECTIVE", Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND),
        ("NOT_AS_DESCRIBED", Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND),
    ],
)
def test_each_reason_gets_its_scenario_and_preferred_remedy(reason, scenario, remedy):
    decision = decide(reason, ITEMS)
    assert (decision.scenario, decision.remedy) == (scenario, remedy)


def test_unknown_reason_is_treated_as_quality_defect():
    assert classify("SOMETHING_NEW") is Scenario.QUALITY_DEFECT
    assert "unknown" in decide("SOMETHING_NEW", ITEMS).rule


def test_partial_refund_is_ten_percent_of_amount_paid_in_minor_units():
    # 2 × 19.99 + 49.99 = 89.97 → 10% = 8.997, rounded down to 8.99
    assert decide("COSMETIC_DAMAGE", ITEMS).refund_minor == 899


def test_full_refund_is_amount_paid():
    assert decide("DEFECTIVE", ITEMS).refund_minor == 8997


def test_exchange_and_part_shipment_refund_nothing():
    assert decide("SIZE_TOO_LARGE", ITEMS).refund_minor == 0
    assert decide("MISSING_PART", ITEMS).refund_minor == 0


def test_fallback_is_a_full_refund_return_that_says_why():
    decision = fall_back_to_return(Scenario.FUNCTIONAL_FAULT, ITEMS, "part out of stock")
    assert decision.remedy is Remedy.RETURN_FULL_REFUND
    assert decision.refund_minor == 8997
    assert decision.scenario is Scenario.FUNCTIONAL_FAULT
    assert "part out of stock" in decision.rule
