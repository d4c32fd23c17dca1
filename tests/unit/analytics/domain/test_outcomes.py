"""What steering achieved: store credit is counted and costed like every other remedy."""

from datetime import UTC, date, datetime, timedelta

from services.analytics.domain.case_facts import case_rows, facts_from
from services.analytics.domain.outcomes import cost_by_remedy, minor_defects, outcomes
from shared.events import (
    Alternative,
    CaseItem,
    Disposition,
    DispositionDecided,
    Grade,
    Remedy,
    Scenario,
    Shipped,
    UnitHeldForAgent,
)
from shared.markets import Currency
from tests.factories import resolution_decided


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


T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ITEM = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=4999)


def repair_case_decided(case_id: str, remedy: Remedy, scenario: Scenario = Scenario.QUALITY_DEFECT):
    priced = [
        Alternative(remedy=Remedy.REPAIR, cost_minor=2100, expected_cost_minor=2100, acceptance=1),
        Alternative(
            remedy=Remedy.RETURN_FULL_REFUND,
            cost_minor=4300,
            expected_cost_minor=4300,
            acceptance=1,
        ),
    ]
    return resolution_decided(ITEM.sku, remedy=remedy).model_copy(
        update={"case_id": case_id, "alternatives": priced, "scenario": scenario}
    )


def disposed(case_id: str, disposition: Disposition, net_minor: int) -> DispositionDecided:
    return DispositionDecided(
        case_id=case_id,
        inspection_id=f"insp-{case_id}",
        rma_id=f"RMA-{case_id}",
        warehouse="BOS1",
        grade=Grade.B,
        disposition=disposition,
        net_minor=net_minor,
        currency=Currency.USD,
        items=[ITEM],
        alternatives=[],
    )


def shipped_back(case_id: str) -> Shipped:
    return Shipped(
        case_id=case_id,
        shipment_id=f"shp-{case_id}",
        remedy=Remedy.REPAIR,
        warehouse="BOS1",
        carrier="USPS",
        service="Ground Advantage",
        tracking_number="9400100000000000000001",
        postage_minor=650,
        postage_currency=Currency.USD,
        promised_by=date(2026, 11, 9),
        by="sam",
        at=T0,
    )


def timed(*events):
    return [(event, T0 + timedelta(minutes=n)) for n, event in enumerate(events)]


def test_a_repaired_case_closes_when_its_unit_ships_back_and_recovers_nothing():
    repaired = timed(
        repair_case_decided("rep", Remedy.REPAIR),
        disposed("rep", Disposition.REPAIR, -1500),  # the repair job's cost
        disposed("rep", Disposition.RETURN_TO_BUYER, 0),
        shipped_back("rep"),
    )
    returned = timed(
        repair_case_decided("ret", Remedy.RETURN_FULL_REFUND),
        disposed("ret", Disposition.SELL_AS_RENEWED, 3100),
    )
    rows = {row["case_id"]: row for row in case_rows(repaired + returned)}
    assert (rows["rep"]["status"], rows["rep"]["remedy"]) == ("returned_to_buyer", "repair")
    assert rows["rep"]["disposition"] == "return_to_buyer"
    report = outcomes(rows.values(), {})
    # Only the returned unit recovered anything; the repaired one is the buyer's.
    assert report["recovery"]["USD"]["units"] == 1
    assert report["recovery"]["USD"]["net_minor"] == 3100
    assert "return_to_buyer" not in report["recovery"]["USD"]["by_disposition"]
    # The repair's cost counts against returning everything, as the engine priced it.
    assert report["by_remedy"]["repair"]["USD"] == {
        "cases": 1,
        "cost_minor": 2100,
        "baseline_minor": 4300,
        "saved_minor": 2200,
    }


def test_a_repaired_minor_defect_keeps_the_sale():
    rows = case_rows(timed(repair_case_decided("rep", Remedy.REPAIR, Scenario.MINOR_DEFECT)))
    assert minor_defects(rows)["without_return"] == 1


def test_a_unit_the_shop_cannot_repair_waits_with_an_agent():
    held = UnitHeldForAgent(
        case_id="rep",
        inspection_id="insp-rep",
        rma_id="RMA-rep",
        warehouse="BOS1",
        reason="not repairable locally (not in the repair catalogue): fault 'cracked board'",
        at=T0,
    )
    assert facts_from(held) == {"status": "with_agent"}


def test_a_shipped_part_is_still_just_shipped():
    part = shipped_back("p").model_copy(update={"remedy": Remedy.PART_SHIPMENT})
    assert facts_from(part)["status"] == "shipped"
