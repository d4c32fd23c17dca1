import pytest

from services.resolution.domain.playbooks import decide, fall_back_to_return
from shared.events import CaseItem, Remedy, Scenario

ITEMS = [
    CaseItem(sku="A", quantity=2, unit_price_minor=1999),
    CaseItem(sku="B", quantity=1, unit_price_minor=4999),
]


@pytest.mark.parametrize(
    ("scenario", "remedy"),
    [
        (Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND),
        (Scenario.FUNCTIONAL_FAULT, Remedy.PART_SHIPMENT),
        (Scenario.SIZE_STYLE_MISMATCH, Remedy.EXCHANGE),
        (Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND),
        (Scenario.CHANGED_MIND, Remedy.RETURN_FULL_REFUND),
        (Scenario.NOT_RECEIVED, Remedy.REFUND_WITHOUT_RETURN),
        (Scenario.WRONG_ITEM, Remedy.EXCHANGE),
    ],
)
def test_each_scenario_gets_its_preferred_remedy(scenario, remedy):
    decision = decide(scenario, ITEMS, "intake")
    assert (decision.scenario, decision.remedy) == (scenario, remedy)
    assert decision.rule.startswith(f"intake classified a {scenario.value}")


def test_partial_refund_is_ten_percent_of_amount_paid_in_minor_units():
    # 2 × 19.99 + 49.99 = 89.97 → 10% = 8.997, rounded down to 8.99
    assert decide(Scenario.MINOR_DEFECT, ITEMS, "intake").refund_minor == 899


def test_full_refund_is_amount_paid_with_or_without_a_return():
    assert decide(Scenario.QUALITY_DEFECT, ITEMS, "intake").refund_minor == 8997
    assert decide(Scenario.NOT_RECEIVED, ITEMS, "intake").refund_minor == 8997


def test_exchange_and_part_shipment_refund_nothing():
    assert decide(Scenario.SIZE_STYLE_MISMATCH, ITEMS, "intake").refund_minor == 0
    assert decide(Scenario.FUNCTIONAL_FAULT, ITEMS, "intake").refund_minor == 0


def test_fallback_is_a_full_refund_return_that_says_why():
    decision = fall_back_to_return(Scenario.FUNCTIONAL_FAULT, ITEMS, "part out of stock")
    assert decision.remedy is Remedy.RETURN_FULL_REFUND
    assert decision.refund_minor == 8997
    assert decision.scenario is Scenario.FUNCTIONAL_FAULT
    assert "part out of stock" in decision.rule
