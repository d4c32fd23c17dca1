"""What steering achieved: store credit is counted and costed like every other remedy."""

from services.analytics.domain.outcomes import cost_by_remedy, minor_defects


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
