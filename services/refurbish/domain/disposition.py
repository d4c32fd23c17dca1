"""Where a graded unit's value is recovered: the disposition with the best expected net.

Every disposition is weighed with itemised cost lines (`recovery.json`, the repair
catalogue in `rubrics.json`); those that do not apply are kept, excluded, with the reason.
Amounts in the data are in minor units of the reference currency and are converted with
the shop currency's cost factor; labour rates are per currency. A checklist stands for
every unit of its line: the plan's lines are per unit times the quantity.

Equal nets go to the simpler disposition, in `SIMPLEST_FIRST` order: fewer touches and
cash sooner first, the repair (bench time, then a second inspection) last.

The buyer's own unit, in for a repair (the remedy `repair`), is weighed apart
(`plan_buyer_repair`): it is never sold, liquidated, recycled or sent to the factory. Its
fault is repaired whatever the unit's resale value, then it goes back to its buyer; a fault
no local repair mends, or one still there after the repair, holds it for an agent.
"""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from services.refurbish.domain.checklists import CATEGORIES, Checklist, category_key
from services.refurbish.domain.grading import Grading, grade_checklist
from services.refurbish.domain.units import unit_weight_kg
from shared.events import CaseItem, CostLine, Disposition, Grade, RecoveryOption, ReturnRoute
from shared.markets import Currency

RECOVERY: dict[str, Any] = json.loads(
    Path(__file__).with_name("recovery.json").read_text(encoding="utf-8"), parse_float=Decimal
)
D = Disposition
SIMPLEST_FIRST = (
    D.LIQUIDATE,
    D.RECYCLE,
    D.SELL_AS_RENEWED,
    D.RELIST_AS_NEW,
    D.RETURN_TO_ORIGIN,
    D.REPAIR,
    D.RETURN_TO_BUYER,
)
SELLING = (D.RELIST_AS_NEW, D.SELL_AS_RENEWED, D.LIQUIDATE)
GRADES_BEST_FIRST = tuple(Grade)


@dataclass(frozen=True)
class Recovery:
    disposition: Disposition
    net_minor: int  # what the seller gets back minus what it costs: -sum(line amounts)
    lines: tuple[CostLine, ...]
    excluded_by: str | None = None


def option_of(recovery: Recovery) -> RecoveryOption:
    """A disposition weighed, as the `refurbish.disposition_decided` event lists it."""
    return RecoveryOption(
        disposition=recovery.disposition,
        net_minor=recovery.net_minor,
        lines=list(recovery.lines),
        excluded_by=recovery.excluded_by,
    )


@dataclass(frozen=True)
class DispositionPlan:
    best: Recovery
    alternatives: tuple[Recovery, ...]  # every disposition weighed, best first, excluded last
    # A buyer's unit the shop cannot repair: why it waits for an agent (`best` is excluded).
    held_for_agent: str | None = None


@dataclass(frozen=True)
class RepairJob:
    parts: tuple[tuple[str, int], ...]  # (part sku, cost_minor)
    labour_minutes: int
    cost_minor: int  # parts and labour
    grade_after: Grade


@dataclass(frozen=True)
class Unit:
    """One unit on the bench, priced in the shop's currency."""

    category: str  # the rubric key: "electronics", ..., "default"
    sku: str
    price_minor: int
    currency: Currency
    weight_kg: Decimal | None = None  # the catalog's; None: the category's estimate

    @property
    def data(self) -> dict[str, Any]:
        return RECOVERY["categories"][self.category]

    def cost(self, reference_minor: Any) -> int:
        factor = RECOVERY["currencies"][self.currency.value]["cost_factor"]
        return _minor(Decimal(reference_minor) * factor)

    def share(self, share: Any) -> int:
        return _minor(Decimal(share) * self.price_minor)

    @property
    def freight_kg(self) -> Decimal:
        return self.weight_kg if self.weight_kg is not None else self.data["unit_weight_kg"]


def _minor(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _recovery(disposition: Disposition, *lines: tuple[str, int]) -> Recovery:
    kept = tuple(CostLine(item=item, amount_minor=amount) for item, amount in lines if amount)
    return Recovery(disposition, -sum(line.amount_minor for line in kept), kept)


def _excluded(disposition: Disposition, reason: str) -> Recovery:
    return Recovery(disposition, 0, (), reason)


# Selling: as new, as renewed, in a liquidation lot.


def _relist_as_new(unit: Unit, grade: Grade, packaging: str) -> Recovery:
    data = unit.data["relist_as_new"]
    if grade is not Grade.A:
        return _excluded(D.RELIST_AS_NEW, f"grade {grade}: relisting as new needs grade A")
    if packaging not in data["packaging"]:
        return _excluded(D.RELIST_AS_NEW, f"packaging {packaging}: relisting needs the original")
    return _recovery(
        D.RELIST_AS_NEW,
        ("resale_as_new", -unit.share(data["share"])),
        ("fba_inbound_fee", unit.cost(data["fba_inbound_minor"])),
        ("relabel", unit.cost(data["relabel_minor"])),
    )


def _sell_as_renewed(unit: Unit, grade: Grade) -> Recovery:
    data = unit.data["sell_as_renewed"]
    share = data["share_by_grade"].get(grade.value)
    if share is None:
        return _excluded(D.SELL_AS_RENEWED, f"grade {grade}: no used or renewed channel")
    price = unit.share(share)
    return _recovery(
        D.SELL_AS_RENEWED,
        ("resale_as_renewed", -price),
        ("channel_fees", _minor(Decimal(price) * data["fees_share"])),
        ("listing_and_packing", unit.cost(data["listing_minor"])),
    )


def _liquidate(unit: Unit, grade: Grade) -> Recovery:
    data = unit.data["liquidate"]
    share = data["share_by_grade"].get(grade.value)
    if share is None:
        return _excluded(D.LIQUIDATE, f"grade {grade}: no liquidation channel")
    return _recovery(
        D.LIQUIDATE,
        ("liquidation_proceeds", -unit.share(share)),
        ("lot_handling", unit.cost(data["lot_handling_minor"])),
    )


def _sales(unit: Unit, grade: Grade, packaging: str) -> list[Recovery]:
    return [
        _relist_as_new(unit, grade, packaging),
        _sell_as_renewed(unit, grade),
        _liquidate(unit, grade),
    ]


def ranked(options: list[Recovery]) -> tuple[Recovery, ...]:
    """Best net first, equal nets simplest first, the excluded last."""

    def rank(option: Recovery) -> tuple[bool, int, int]:
        return (
            option.excluded_by is not None,
            -option.net_minor,
            SIMPLEST_FIRST.index(option.disposition),
        )

    return tuple(sorted(options, key=rank))


def _best_sale(unit: Unit, grade: Grade, packaging: str) -> Recovery | None:
    best = ranked(_sales(unit, grade, packaging))[0]
    return None if best.excluded_by else best


# Neither sold nor repaired here: recycled, or sent back to the factory.


def _recycle(unit: Unit) -> Recovery:
    return _recovery(D.RECYCLE, ("recycle_fee", unit.cost(unit.data["recycle"]["fee_minor"])))


def _return_to_origin(unit: Unit, route: ReturnRoute | None) -> Recovery:
    data = unit.data["return_to_origin"]
    if route is not ReturnRoute.ORIGIN:
        floor = unit.cost(data["min_unit_price_minor"])
        if not data["repaired_at_origin"]:
            return _excluded(D.RETURN_TO_ORIGIN, f"{unit.category} is not repaired at origin")
        if unit.price_minor < floor:
            return _excluded(D.RETURN_TO_ORIGIN, f"unit price below {floor} for origin")
    return _recovery(
        D.RETURN_TO_ORIGIN,
        ("factory_credit", -unit.share(data["credit_share"])),
        (
            "freight_to_origin",
            unit.cost(data["freight_per_kg_minor"] * unit.freight_kg),
        ),
        ("customs_and_brokerage", unit.cost(data["customs_per_unit_minor"])),
    )


# Repair: the catalogue of faults a local shop fixes.


def _names_fault(repair: dict[str, Any], fault: str) -> bool:
    words = (*repair["keywords"], *repair["tests"])
    return any(word.lower() in fault.lower() for word in words)


def _repairs_needed(category: str, checklist: Checklist) -> list[dict[str, Any]]:
    """The catalogue entries that fix the recorded fault and every failed test; empty when
    something found is not in the catalogue (a named fault must match by keyword)."""
    catalogue = CATEGORIES[category]["repairs"]
    chosen: list[dict[str, Any]] = []
    if checklist.fault_found:
        chosen = [r for r in catalogue if _names_fault(r, checklist.fault_found)]
        if not chosen:
            return []
    for test in checklist.failed_tests:
        if any(test in r["tests"] for r in chosen):
            continue
        entry = next((r for r in catalogue if test in r["tests"]), None)
        if entry is None:
            return []
        chosen.append(entry)
    return chosen


def _grade_after(category: str, checklist: Checklist, repairs: list[dict[str, Any]]) -> Grade:
    """The worse of what the catalogue promises and what the checklist earns once fixed:
    a repair mends a fault, not scratches or missing accessories."""
    fixed = checklist.model_copy(
        update={"functional": dict.fromkeys(checklist.functional, True), "fault": None}
    )
    grades = [Grade(r["grade_after"]) for r in repairs]
    grades.append(grade_checklist(category, fixed).computed)
    return max(grades, key=GRADES_BEST_FIRST.index)


def repair_job_for(
    category: str | None,
    checklist: Checklist,
    unit_price_minor: int,
    currency: Currency,
    sku: str | None = None,
    whatever_the_value: bool = False,
) -> RepairJob | None:
    """The local repair of what the checklist found; None when it is not repairable here:
    a fault or failed test outside the catalogue, nothing to repair, or a unit priced
    below the category's repair floor (diagnosis alone would cost more), unless it is
    repaired `whatever_the_value` (the buyer's own unit)."""
    key = category_key(category)
    unit = Unit(key, sku or "", unit_price_minor, currency)
    floor = unit.cost(CATEGORIES[key]["repair_floor_minor"])
    if unit_price_minor < floor and not whatever_the_value:
        return None
    repairs = _repairs_needed(key, checklist)
    if not repairs:
        return None
    parts = tuple(
        (f"{sku}-{suffix}" if sku else suffix, unit.cost(cost))
        for repair in repairs
        for suffix, cost in repair["parts"]
    )
    minutes = sum(repair["labour_minutes"] for repair in repairs)
    rate = RECOVERY["currencies"][currency.value]["labour_per_hour_minor"]
    cost = sum(c for _, c in parts) + _minor(Decimal(minutes * rate) / 60)
    return RepairJob(parts, minutes, cost, _grade_after(key, checklist, repairs))


def _no_repair(unit: Unit, checklist: Checklist, repairs_done: int) -> str | None:
    if not checklist.fault_found and not checklist.failed_tests:
        return "nothing to repair"
    if repairs_done:
        return "repaired once already"
    floor = unit.cost(CATEGORIES[unit.category]["repair_floor_minor"])
    if unit.price_minor < floor:
        return f"unit price below the repair floor {floor}"
    return None


def _repair(unit: Unit, grading: Grading, checklist: Checklist, repairs_done: int) -> Recovery:
    if reason := _no_repair(unit, checklist, repairs_done):
        return _excluded(D.REPAIR, reason)
    job = repair_job_for(unit.category, checklist, unit.price_minor, unit.currency, unit.sku)
    if job is None:
        return _excluded(D.REPAIR, "not in the repair catalogue: not repairable locally")
    after = _best_sale(unit, job.grade_after, checklist.packaging)
    now = _best_sale(unit, grading.grade, checklist.packaging)
    added = (after.net_minor if after else 0) - (now.net_minor if now else 0)
    if after is None or job.cost_minor >= added:
        return _excluded(D.REPAIR, f"repair costs {job.cost_minor}, adds {max(added, 0)}")
    parts = sum(cost for _, cost in job.parts)
    sale = ((line.item, line.amount_minor) for line in after.lines)
    return _recovery(
        D.REPAIR, *sale, ("repair_parts", parts), ("repair_labour", job.cost_minor - parts)
    )


def _times(option: Recovery, quantity: int) -> Recovery:
    if option.excluded_by or quantity == 1:
        return option
    lines = ((line.item, line.amount_minor * quantity) for line in option.lines)
    return _recovery(option.disposition, *lines)


def plan_disposition(
    item: CaseItem,
    grading: Grading,
    checklist: Checklist,
    route: ReturnRoute | None = None,
    repairs_done: int = 0,
    currency: Currency = Currency.USD,
) -> DispositionPlan:
    """Every disposition weighed for the graded unit, the best expected net first (but
    `return_to_buyer`: a returned unit is the seller's, only a buyer's unit in for a
    repair goes back, `plan_buyer_repair`).
    `currency` is the repair shop's, which the item is priced in."""
    key = category_key(item.category)
    unit = Unit(key, item.sku, item.unit_price_minor, currency, unit_weight_kg(item))
    options = [
        *_sales(unit, grading.grade, checklist.packaging),
        _repair(unit, grading, checklist, repairs_done),
        _return_to_origin(unit, route),
        _recycle(unit),
    ]
    alternatives = ranked([_times(option, item.quantity) for option in options])
    return DispositionPlan(best=alternatives[0], alternatives=alternatives)


# The buyer's own unit, in for a repair.

BUYERS_UNIT = "the buyer's own unit, in for a repair: never sold, liquidated or recycled"
NOT_FOR_A_BUYERS_UNIT = (D.RELIST_AS_NEW, D.SELL_AS_RENEWED, D.LIQUIDATE, D.RETURN_TO_ORIGIN)


def plan_buyer_repair(
    item: CaseItem,
    checklist: Checklist,
    repairs_done: int = 0,
    currency: Currency = Currency.USD,
) -> DispositionPlan:
    """The buyer's own unit: its fault repaired by the local shop whatever its resale value
    (the job's parts and labour are the cost), then back to its buyer once nothing is left
    to repair. Held for an agent, with the reason, when no local repair mends what the
    checklist found, or it is still faulty after its repair."""
    key = category_key(item.category)
    faulty = bool(checklist.fault_found or checklist.failed_tests)
    never = [_excluded(d, BUYERS_UNIT) for d in (*NOT_FOR_A_BUYERS_UNIT, D.RECYCLE)]
    held: str | None = None
    if not faulty:
        done = "repaired" if repairs_done else "nothing to repair"
        options = [_recovery(D.RETURN_TO_BUYER), _excluded(D.REPAIR, done)]
    elif repairs_done:
        held = f"still faulty after {repairs_done} repair(s): {_found(checklist)}"
    else:
        job = repair_job_for(
            key, checklist, item.unit_price_minor, currency, item.sku, whatever_the_value=True
        )
        if job is None:
            held = f"not repairable locally (not in the repair catalogue): {_found(checklist)}"
        else:
            parts = sum(cost for _, cost in job.parts)
            repair = _recovery(
                D.REPAIR, ("repair_parts", parts), ("repair_labour", job.cost_minor - parts)
            )
            options = [
                _times(repair, item.quantity),
                _excluded(D.RETURN_TO_BUYER, "repaired first"),
            ]
    if held is not None:
        options = [_excluded(D.REPAIR, held), _excluded(D.RETURN_TO_BUYER, held)]
    alternatives = ranked([*options, *never])
    return DispositionPlan(alternatives[0], alternatives, held_for_agent=held)


def _found(checklist: Checklist) -> str:
    """What the checklist found wrong, in the technician's words and the failed tests."""
    found = [f"fault {checklist.fault_found!r}"] if checklist.fault_found else []
    found += [f"failed {test}" for test in checklist.failed_tests]
    return ", ".join(found)


def lot_key(warehouse: str, category: str | None, grade: Grade) -> str:
    """Liquidation units of one warehouse, category and grade are sold as one lot."""
    return f"{warehouse}:{category_key(category)}:{grade}"
