"""Store credit is counted and costed by analytics like every other remedy."""

from services.analytics.domain.case_facts import facts_from
from services.analytics.domain.outcomes import cost_by_remedy, minor_defects
from shared.events import Alternative, CostLine, Remedy
from tests.factories import resolution_decided


def test_a_store_credit_decision_carries_its_cost_against_a_return():
    decided = resolution_decided("SH-1", Remedy.STORE_CREDIT).model_copy(
        update={
            "alternatives": [
                Alternative(
                    remedy=Remedy.STORE_CREDIT,
                    cost_minor=1650,
                    expected_cost_minor=4625,
                    acceptance=0.3,
                    lines=[CostLine(item="store_credit", amount_minor=1650)],
                ),
                Alternative(
                    remedy=Remedy.RETURN_FULL_REFUND,
                    cost_minor=5900,
                    expected_cost_minor=5900,
                    acceptance=1.0,
                ),
            ]
        }
    )
    facts = facts_from(decided)
    assert facts["remedy"] == "store_credit"
    assert (facts["cost_minor"], facts["baseline_minor"]) == (1650, 5900)


def test_store_credit_is_its_own_line_of_the_costs_by_remedy():
    rows = [
        {"remedy": "store_credit", "currency": "USD", "cost_minor": 1650, "baseline_minor": 5900},
        {"remedy": "store_credit", "currency": "USD", "cost_minor": 1000, "baseline_minor": 3000},
        {"remedy": "partial_refund", "currency": "USD", "cost_minor": 500, "baseline_minor": 3000},
    ]
    by_remedy = cost_by_remedy(rows)
    assert by_remedy["store_credit"]["USD"] == {
        "cases": 2,
        "cost_minor": 2650,
        "baseline_minor": 8900,
        "saved_minor": 6250,
    }
    assert by_remedy["partial_refund"]["USD"]["cases"] == 1


def test_a_minor_defect_settled_with_store_credit_ended_without_a_return():
    rows = [
        {"scenario": "minor_defect", "remedy": "store_credit"},
        {"scenario": "minor_defect", "remedy": "return_full_refund"},
    ]
    assert minor_defects(rows)["without_return"] == 1
