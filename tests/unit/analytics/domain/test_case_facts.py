"""What an event says about its case: the facts analytics folds into the case read model."""

from datetime import UTC, datetime, timedelta

from services.analytics.domain.case_facts import case_rows, facts_from, listing_facts
from shared.events import (
    Alternative,
    CaseItem,
    CostLine,
    Disposition,
    DispositionDecided,
    Grade,
    Remedy,
    UnitGraded,
)
from shared.markets import Currency
from tests.factories import case_opened, resolution_decided


def test_analytics_reads_market_and_remedy_from_events():
    opened = case_opened()
    assert facts_from(opened) == {
        "marketplace": "amazon",
        "market": "US",
        "seller_account": None,
        "sku": "BT-SPK-200-BLK",
        "asin": None,
        "title": None,
        "category": None,
        "reason": "other",
        "reason_code": "DEFECTIVE",
        "language": "en",
        "scenario": "quality_defect",
        "opened_at": opened.opened_at,
        "status": "open",
    }
    facts = facts_from(resolution_decided("X"))
    assert facts == {
        "scenario": "functional_fault",
        "remedy": "part_shipment",
        "currency": "USD",
        "cost_minor": None,  # the factory's decision carries no priced alternatives
        "baseline_minor": None,
        "status": "decided",
    }


def test_analytics_takes_the_grade_from_grading_and_the_disposition_from_its_decision():
    graded = UnitGraded(
        case_id="case-1",
        inspection_id="insp-1",
        grade=Grade.C,
        computed_grade=Grade.B,
        override_reason="hinge creaks, not in the rubric",
        technician="ben",
    )
    assert facts_from(graded) == {"grade": "C", "status": "graded"}
    decided = DispositionDecided(
        case_id="case-1",
        inspection_id="insp-1",
        rma_id="RMA-1",
        warehouse="BOS1",
        grade=Grade.C,
        disposition=Disposition.LIQUIDATE,
        net_minor=900,
        currency=Currency.USD,
        items=[CaseItem(sku="X", quantity=1, unit_price_minor=4999)],
        alternatives=[],
    )
    assert facts_from(decided) == {
        "grade": "C",
        "disposition": "liquidate",
        "recovery_minor": 900,
        "status": "disposed",
    }


def test_a_batch_folds_into_one_row_per_case_with_the_latest_status():
    opened = case_opened()
    decided = resolution_decided("X").model_copy(update={"case_id": opened.case_id})
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    # decided arrives first in the batch but happened later
    (row,) = case_rows([(decided, t0 + timedelta(seconds=1)), (opened, t0)])
    assert row["market"] == "US" and row["remedy"] == "part_shipment"
    assert row["status"] == "decided"
    assert row["updated_at"] == t0 + timedelta(seconds=1)
    assert row["grade"] is None
    assert row["events_kept"] == 2  # the batch's events of the case, added to its count


def test_a_case_is_about_its_most_valuable_item_line():
    opened = case_opened().model_copy(
        update={
            "items": [
                CaseItem(sku="CABLE", quantity=3, unit_price_minor=699),
                CaseItem(sku="SPK", category=" Electronics ", quantity=1, unit_price_minor=4999),
            ],
            "opened_at": datetime(2026, 11, 2, tzinfo=UTC),
        }
    )
    facts = listing_facts(opened)
    assert (facts["sku"], facts["category"], facts["reason_code"]) == (
        "SPK",
        "electronics",
        "DEFECTIVE",
    )


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
