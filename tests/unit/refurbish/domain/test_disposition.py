"""Where a graded unit's value is recovered: every disposition weighed by expected net."""

import itertools

import pytest

from services.refurbish.domain.checklists import checklist_for, parse_checklist
from services.refurbish.domain.disposition import (
    BUYERS_UNIT,
    Recovery,
    RepairJob,
    lot_key,
    option_of,
    plan_buyer_repair,
    plan_disposition,
    ranked,
    repair_job_for,
)
from services.refurbish.domain.grading import grade_checklist, override
from shared.events import CaseItem, Disposition, Grade, ProductFacts, ReturnRoute
from shared.markets import Currency

D = Disposition


def checklist(category, failing=(), **changes):
    data = {
        "cosmetic": "none",
        "functional": {test: test not in failing for test in checklist_for(category)},
        "accessories_complete": True,
        "packaging": "original_opened",
        "fault": None,
        **changes,
    }
    return parse_checklist(category, data)


def plan(category, price, failing=(), route=None, repairs_done=0, quantity=1, **changes):
    found = checklist(category, failing, **changes)
    item = CaseItem(sku="SKU-1", category=category, quantity=quantity, unit_price_minor=price)
    return plan_disposition(item, grade_checklist(category, found), found, route, repairs_done)


def option(a_plan, disposition):
    return next(r for r in a_plan.alternatives if r.disposition is disposition)


def test_a_like_new_sealed_speaker_is_relisted_as_new():
    sealed = plan("electronics", 12000, packaging="original_sealed")
    assert sealed.best.disposition is D.RELIST_AS_NEW
    assert sealed.best.net_minor == 11040 - 350 - 60  # 92 % resale, FBA inbound, relabel
    assert [(line.item, line.amount_minor) for line in sealed.best.lines] == [
        ("resale_as_new", -11040),
        ("fba_inbound_fee", 350),
        ("relabel", 60),
    ]


def test_a_lightly_scratched_speaker_is_sold_as_renewed():
    scratched = plan("electronics", 12000, cosmetic="light")
    assert scratched.best.disposition is D.SELL_AS_RENEWED
    assert scratched.best.net_minor == 8160 - 1224 - 450
    relist = option(scratched, D.RELIST_AS_NEW)
    assert (relist.net_minor, relist.excluded_by) == (0, "grade B: relisting as new needs grade A")


def test_an_override_to_a_without_original_packaging_is_not_relisted():
    found = checklist("electronics", packaging="missing")
    grading = override(grade_checklist("electronics", found), Grade.A, "ben", "box thrown away")
    item = CaseItem(sku="S", category="electronics", quantity=1, unit_price_minor=12000)
    relist = option(plan_disposition(item, grading, found), D.RELIST_AS_NEW)
    assert relist.excluded_by == "packaging missing: relisting needs the original"


def test_a_charging_fault_on_a_120_dollar_speaker_is_repaired_once():
    first = plan("electronics", 12000, failing=("charges",), fault="charging port loose")
    assert first.best.disposition is D.REPAIR
    # renewed at grade B, less parts and 25 minutes at 45.00 an hour
    assert first.best.net_minor == (8160 - 1224 - 450) - 450 - 1875
    assert first.best.net_minor > option(first, D.LIQUIDATE).net_minor
    again = plan("electronics", 12000, failing=("charges",), repairs_done=1)
    assert again.best.disposition is not D.REPAIR
    assert option(again, D.REPAIR).excluded_by == "repaired once already"


def test_the_repair_job_lists_parts_labour_and_the_grade_it_reaches():
    found = checklist("electronics", failing=("charges",), fault="charging port loose")
    job = repair_job_for("electronics", found, 12000, Currency.USD, sku="SPK")
    assert job == RepairJob((("SPK-CHGPORT", 450),), 25, 450 + 1875, Grade.B)


@pytest.mark.parametrize(
    ("currency", "cost"),
    [
        (Currency.USD, 450 + 1875),
        (Currency.CAD, 612 + 2500),  # parts at the cost factor 1.36, labour 60.00 an hour
        (Currency.GBP, 356 + 1333),
        (Currency.EUR, 414 + 1625),
    ],
)
def test_a_repair_is_costed_in_the_shop_currency(currency, cost):
    found = checklist("electronics", failing=("charges",))
    assert repair_job_for("electronics", found, 12000, currency).cost_minor == cost


@pytest.mark.parametrize(
    ("category", "failing", "fault", "parts", "minutes", "grade_after"),
    [
        ("electronics", ("powers_on", "audio"), None, ("BATT", "DRIVER"), 65, Grade.B),
        (
            "electronics",
            ("charges",),
            "port worn, charging intermittent",
            ("CHGPORT",),
            25,
            Grade.B,
        ),
        ("electronics", (), "cracked hinge", ("HINGE",), 30, Grade.B),
        ("home", ("fabric_intact",), None, ("PATCH",), 30, Grade.C),
        ("apparel", ("tags_attached",), None, ("TAG",), 5, Grade.A),
    ],
)
def test_the_catalogue_matches_faults_by_keyword_and_failed_tests_by_name(
    category, failing, fault, parts, minutes, grade_after
):
    found = checklist(category, failing, fault=fault)
    job = repair_job_for(category, found, 20000, Currency.USD)
    assert tuple(part for part, _ in job.parts) == parts
    assert (job.labour_minutes, job.grade_after) == (minutes, grade_after)


def test_a_repair_mends_the_fault_not_the_scratches():
    found = checklist("electronics", failing=("charges",), cosmetic="heavy")
    assert repair_job_for("electronics", found, 12000, Currency.USD).grade_after is Grade.D
    heavy = plan("electronics", 12000, failing=("charges",), cosmetic="heavy")
    assert option(heavy, D.REPAIR).excluded_by.startswith("repair costs 2325, adds 0")


@pytest.mark.parametrize(
    ("category", "failing", "fault", "price"),
    [
        ("electronics", ("powers_on",), "E4 pump", 15000),  # a named fault nobody here fixes
        ("home", ("measurements_match",), None, 20000),
        ("apparel", ("no_odour_or_stains",), None, 5000),
        ("default", ("works_as_described",), None, 20000),
        ("electronics", ("charges",), None, 1500),  # below the repair floor
        ("electronics", (), None, 12000),  # nothing to repair
    ],
)
def test_no_local_repair_job(category, failing, fault, price):
    found = checklist(category, failing, fault=fault)
    assert repair_job_for(category, found, price, Currency.USD) is None


def test_a_15_dollar_cable_with_a_fault_is_liquidated_or_recycled_never_repaired():
    for failing, fault in [(("charges",), "charging port loose"), (("powers_on",), None)]:
        cable = plan("electronics", 1500, failing=failing, fault=fault)
        assert cable.best.disposition in (D.LIQUIDATE, D.RECYCLE)
        assert option(cable, D.REPAIR).excluded_by == "unit price below the repair floor 3000"


def test_the_repair_must_cost_less_than_the_value_it_adds():
    # A 40.00 speaker: renewed at B nets 2720 - 408 - 450, liquidated at D 320 - 60.
    cheap = plan("electronics", 4000, failing=("charges",))
    assert option(cheap, D.REPAIR).excluded_by == "repair costs 2325, adds 1602"
    assert cheap.best.disposition is D.LIQUIDATE


def test_a_150_dollar_unit_with_an_unknown_fault_goes_back_to_origin():
    unknown = plan("electronics", 15000, failing=("powers_on",), fault="E4 pump")
    assert unknown.best.disposition is D.RETURN_TO_ORIGIN
    assert unknown.best.net_minor == 6000 - 420 - 850  # 40 % credit, 0.6 kg freight, customs
    assert unknown.best.net_minor > option(unknown, D.LIQUIDATE).net_minor
    assert option(unknown, D.REPAIR).excluded_by.startswith("not in the repair catalogue")


def test_freight_to_origin_weighs_the_unit_the_catalog_weighs():
    found = checklist("electronics", ("powers_on",), fault="E4 pump")
    item = CaseItem(
        sku="SKU-1",
        category="electronics",
        quantity=2,
        unit_price_minor=15000,
        product=ProductFacts(product_id="prod-1", weight_g=2500),
    )
    heavy = plan_disposition(item, grade_checklist("electronics", found), found)
    lines = {line.item: line.amount_minor for line in option(heavy, D.RETURN_TO_ORIGIN).lines}
    assert lines["freight_to_origin"] == 2 * 1750  # 2.5 kg at 7.00 a kg, per unit


@pytest.mark.parametrize(
    ("category", "price", "route", "excluded_by"),
    [
        ("electronics", 7999, None, "unit price below 8000 for origin"),
        ("electronics", 7999, ReturnRoute.LOCAL, "unit price below 8000 for origin"),
        ("electronics", 7999, ReturnRoute.ORIGIN, None),
        ("home", 50000, None, "home is not repaired at origin"),
        ("home", 50000, ReturnRoute.ORIGIN, None),
        ("electronics", 8000, None, None),
    ],
)
def test_return_to_origin_only_when_eligible_or_routed_there(category, price, route, excluded_by):
    origin = option(plan(category, price, failing=(), route=route), D.RETURN_TO_ORIGIN)
    assert origin.excluded_by == excluded_by


@pytest.mark.parametrize(
    ("failing", "changes", "net"),
    [
        (("no_odour_or_stains",), {}, 150 - 40),  # 6 % of 24.99 for grade D, lot handling
        ((), {"cosmetic": "moderate", "packaging": "missing"}, 375 - 40),
    ],
)
def test_stained_or_worn_apparel_is_liquidated(failing, changes, net):
    tee = plan("apparel", 2499, failing=failing, **changes)
    assert (tee.best.disposition, tee.best.net_minor) == (D.LIQUIDATE, net)


def test_recycling_is_always_possible_and_costs_the_seller():
    recycle = option(plan("home", 0, failing=("measurements_match",)), D.RECYCLE)
    assert (recycle.excluded_by, recycle.net_minor) == (None, -400)


def test_the_plan_scales_with_the_quantity_of_the_line():
    one, three = plan("electronics", 12000), plan("electronics", 12000, quantity=3)
    assert three.best.net_minor == 3 * one.best.net_minor
    assert [line.amount_minor for line in three.best.lines] == [
        3 * line.amount_minor for line in one.best.lines
    ]


def test_a_worthless_unit_loses_least_in_a_liquidation_lot():
    # Priced at nothing: liquidating costs its lot handling, recycling its fee.
    free = plan("default", 0, cosmetic="moderate")
    ranks = [(r.disposition, r.net_minor) for r in free.alternatives if r.excluded_by is None]
    assert ranks == [(D.LIQUIDATE, -100), (D.RECYCLE, -200), (D.SELL_AS_RENEWED, -600)]


def test_equal_nets_go_to_the_simpler_disposition_and_the_excluded_come_last():
    tied = [
        Recovery(D.REPAIR, 500, ()),
        Recovery(D.LIQUIDATE, 0, (), "grade D: no liquidation channel"),
        Recovery(D.RETURN_TO_ORIGIN, 500, ()),
        Recovery(D.RELIST_AS_NEW, 500, ()),
        Recovery(D.SELL_AS_RENEWED, 500, ()),
        Recovery(D.RECYCLE, -10, ()),
    ]
    assert [r.disposition for r in ranked(tied)] == [
        D.SELL_AS_RENEWED,
        D.RELIST_AS_NEW,
        D.RETURN_TO_ORIGIN,
        D.REPAIR,
        D.RECYCLE,
        D.LIQUIDATE,
    ]


def test_lots_group_units_by_warehouse_category_and_grade():
    assert lot_key("BOS1", "Apparel", Grade.C) == "BOS1:apparel:C"
    assert lot_key("BOS1", None, Grade.D) == "BOS1:default:D"


COSMETIC = ("none", "light", "moderate", "heavy")
PACKAGING = ("original_sealed", "original_opened", "damaged", "missing")
FAULTS = (None, "charging port loose", "E4 pump", "torn seam")


def generated_plans():
    for category, price, cosmetic, packaging, fault, route, repairs_done in itertools.product(
        ("electronics", "home", "apparel", None),
        (0, 999, 4000, 12000, 80000),
        COSMETIC,
        PACKAGING,
        FAULTS,
        (None, ReturnRoute.LOCAL, ReturnRoute.ORIGIN),
        (0, 1),
    ):
        tests = checklist_for(category)
        failing = tests[: price % 3] if fault else ()
        yield plan(
            category,
            price,
            failing,
            route,
            repairs_done,
            cosmetic=cosmetic,
            packaging=packaging,
            fault=fault,
            accessories_complete=cosmetic != "heavy",
        )


def test_every_plan_picks_the_highest_net_and_its_lines_add_up():
    count = 0
    for each in generated_plans():
        count += 1
        considered = [r for r in each.alternatives if r.excluded_by is None]
        excluded = [r for r in each.alternatives if r.excluded_by is not None]
        assert each.best is each.alternatives[0]
        assert each.best.net_minor == max(r.net_minor for r in considered)
        assert each.alternatives == (*considered, *excluded)
        # a returned unit is the seller's: only a buyer's unit in for a repair goes back
        assert {r.disposition for r in each.alternatives} == set(Disposition) - {
            Disposition.RETURN_TO_BUYER
        }
        for recovery in each.alternatives:
            assert recovery.net_minor == -sum(line.amount_minor for line in recovery.lines)
        for recovery in excluded:
            assert (recovery.net_minor, recovery.lines) == (0, ())
    assert count == 4 * 5 * 4 * 4 * 4 * 3 * 2


def test_a_disposition_weighed_is_listed_in_the_decision_as_it_was_weighed():
    weighed = option(plan("electronics", 12000), D.RELIST_AS_NEW)
    listed = option_of(weighed)
    assert (listed.disposition, listed.net_minor, listed.excluded_by) == (
        D.RELIST_AS_NEW,
        weighed.net_minor,
        None,
    )
    assert listed.lines == list(weighed.lines) and listed.lines


D = Disposition
# A unit priced below the electronics repair floor: an ordinary return is never repaired.
BUYER_CABLE = CaseItem(sku="USB-C-1M", category="electronics", quantity=1, unit_price_minor=900)
NEVER = {D.RELIST_AS_NEW, D.SELL_AS_RENEWED, D.LIQUIDATE, D.RETURN_TO_ORIGIN, D.RECYCLE}


def buyers_checklist(category="electronics", failing=(), **changes):
    data = {
        "cosmetic": "none",
        "functional": {test: test not in failing for test in checklist_for(category)},
        "accessories_complete": True,
        "packaging": "original_opened",
        "fault": None,
        **changes,
    }
    return parse_checklist(category, data)


def by_disposition(plan):
    return {option.disposition: option for option in plan.alternatives}


def test_a_cheap_faulty_unit_of_a_buyer_is_repaired_though_a_return_would_be_scrapped():
    found = buyers_checklist(failing=("charges",), fault="charging port loose")
    returned = plan_disposition(BUYER_CABLE, grade_checklist("electronics", found), found)
    assert returned.best.disposition is not D.REPAIR  # below the floor: not worth it
    assert repair_job_for("electronics", found, 900, Currency.USD, "USB-C-1M") is None

    mended = plan_buyer_repair(BUYER_CABLE, found, currency=Currency.USD)
    assert mended.held_for_agent is None
    assert mended.best.disposition is D.REPAIR
    job = repair_job_for(
        "electronics", found, 900, Currency.USD, "USB-C-1M", whatever_the_value=True
    )
    assert job is not None and mended.best.net_minor == -job.cost_minor
    assert [line.item for line in mended.best.lines] == ["repair_parts", "repair_labour"]
    options = by_disposition(mended)
    assert all(options[d].excluded_by == BUYERS_UNIT for d in NEVER)
    assert options[D.RETURN_TO_BUYER].excluded_by == "repaired first"


def test_once_repaired_or_with_nothing_to_repair_the_unit_goes_back_to_its_buyer():
    for repairs_done, why in ((1, "repaired"), (0, "nothing to repair")):
        plan = plan_buyer_repair(BUYER_CABLE, buyers_checklist(cosmetic="heavy"), repairs_done)
        assert (plan.best.disposition, plan.best.net_minor, plan.held_for_agent) == (
            D.RETURN_TO_BUYER,
            0,
            None,
        )
        assert by_disposition(plan)[D.REPAIR].excluded_by == why
        assert all(by_disposition(plan)[d].excluded_by == BUYERS_UNIT for d in NEVER)


def test_a_fault_outside_the_repair_catalogue_holds_the_unit_for_an_agent():
    found = buyers_checklist(failing=("powers_on",), fault="cracked mainboard")
    plan = plan_buyer_repair(BUYER_CABLE, found)
    assert plan.held_for_agent is not None
    assert plan.held_for_agent.startswith("not repairable locally")
    assert "cracked mainboard" in plan.held_for_agent
    assert all(option.excluded_by for option in plan.alternatives)  # nothing is decided


def test_a_unit_still_faulty_after_its_repair_is_held_for_an_agent_not_sent_back():
    plan = plan_buyer_repair(BUYER_CABLE, buyers_checklist(failing=("charges",)), repairs_done=1)
    assert plan.held_for_agent == "still faulty after 1 repair(s): failed charges"
    assert by_disposition(plan)[D.RETURN_TO_BUYER].excluded_by == plan.held_for_agent


def test_a_repair_of_several_units_costs_each_unit_s_repair():
    found = buyers_checklist(failing=("charges",), fault="charging port loose")
    one = plan_buyer_repair(BUYER_CABLE, found)
    three = plan_buyer_repair(BUYER_CABLE.model_copy(update={"quantity": 3}), found)
    assert three.best.net_minor == 3 * one.best.net_minor
