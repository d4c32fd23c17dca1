"""What each remedy costs the seller if the buyer accepts it, as lines a person can check.

The remedy engine offers remedies cheapest-first, so it needs a price for each one that
an agent or a seller can read line by line and dispute: "refund 4000, marketplace fee
120, return shipping 900, handling 250, recovery value -1990" rather than one number.

Sign of a line: positive, the seller pays; negative, the seller gets money or value back.
A line that comes to exactly 0 is left out. Line names are fixed (see `LINE_*`) because
other code and reports rely on them.

Money is always an int in minor units (cents, pence) of the market's currency. Rates and
shares are Decimals. Each per-unit amount is rounded half-up (`ROUND_HALF_UP`) to a whole
minor unit, then multiplied by the quantity, so a line is exactly the sum of what each
unit costs. Case-level amounts (the marketplace fee, the agent's time) are rounded once.

The figures in `COST_BOOK` are starting estimates: a seller replaces them with their own
carrier, warehouse and marketplace rates (build a `CostBook`, or `dataclasses.replace`
the default). Only two come from the source material (../shared/DOMAIN.md): return
shipping of about $15 in the US (the medium size class), and the target that the
functional-fault path (troubleshooting, then a part from a local warehouse) costs about
60% less than a return; tests/unit/test_costs.py checks that the default book meets it.
Every other figure is an assumption stated next to it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

from shared.events import CaseItem, CostLine, Grade, Reason, Remedy, ReturnRoute, Scenario
from shared.markets import CURRENCY_OF, REGION_OF, Currency, Market, Region

# --- line names: other code and reports rely on these exact strings
LINE_REFUND = "refund"
LINE_MARKETPLACE_FEE = "marketplace_fee"
LINE_AGENT_TIME = "agent_time"
LINE_PART_COST = "part_cost"
LINE_LOCAL_SHIPPING = "local_shipping"
LINE_PICK_AND_PACK = "pick_and_pack"
LINE_REPLACEMENT_UNIT = "replacement_unit"
LINE_OUTBOUND_SHIPPING = "outbound_shipping"
LINE_RETURN_SHIPPING = "return_shipping"
LINE_HANDLING = "handling"
LINE_RECOVERY_VALUE = "recovery_value"
LINE_PRICE_DIFFERENCE = "price_difference"
LINE_STORE_CREDIT = "store_credit"
LINE_REPAIR = "repair"

# The key of a category table that applies to every category the table does not name,
# and to items without a category.
DEFAULT = "default"

T = TypeVar("T")


class SizeClass(StrEnum):
    """Carriers price by size and weight; three classes are enough for an estimate."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Condition(StrEnum):
    """How a returned unit comes back, as the buyer reported it: what it resells for
    depends on it more than on its category."""

    UNOPENED = "unopened"  # never used: a wrong item, a change of mind
    OPENED = "opened"  # tried and working: a size or style that did not suit
    DAMAGED = "damaged"  # works, with a scratch, a dent or a torn box
    FAULTY = "faulty"  # does not work


# A reason the buyer gave says more than the scenario it falls under.
CONDITION_OF_REASON: dict[Reason, Condition] = {
    Reason.DEFECTIVE: Condition.FAULTY,
    Reason.DAMAGED: Condition.DAMAGED,
    Reason.WRONG_ITEM: Condition.UNOPENED,
}
CONDITION_OF_SCENARIO: dict[Scenario, Condition] = {
    Scenario.MINOR_DEFECT: Condition.DAMAGED,
    Scenario.FUNCTIONAL_FAULT: Condition.FAULTY,
    Scenario.QUALITY_DEFECT: Condition.FAULTY,
    Scenario.SIZE_STYLE_MISMATCH: Condition.OPENED,
    Scenario.CHANGED_MIND: Condition.UNOPENED,
    Scenario.WRONG_ITEM: Condition.UNOPENED,
    Scenario.NOT_RECEIVED: Condition.UNOPENED,  # a parcel that turns up after all
}


def condition_of(scenario: Scenario, reason: Reason | None = None) -> Condition:
    if reason is not None and reason in CONDITION_OF_REASON:
        return CONDITION_OF_REASON[reason]
    return CONDITION_OF_SCENARIO[scenario]


# Units graded and recovered in a condition: grade -> (units, summed net recovery as a share
# of each unit's price), from refurbish's dispositions (see `recovery_share`).
GradeOutcomes = dict[Grade, tuple[int, Decimal]]

# How many units the book's own figures count as: with fewer real recoveries the book still
# weighs most; with many, refurbish's grades and recoveries take over (as acceptance does).
PRIOR_UNITS = 20


@dataclass(frozen=True)
class RefundFee:
    """What a marketplace keeps of its own fees when the seller refunds the buyer.

    `share_of_refund` of the refunded amount, capped at `cap_minor` if there is a cap, plus
    `kept_on_full_refund_minor` when the refund covers everything the case's items cost.
    """

    share_of_refund: Decimal = Decimal(0)
    cap_minor: int | None = None
    kept_on_full_refund_minor: int = 0


@dataclass(frozen=True)
class CostBook:
    """The rates a cost depends on. Treat the dicts as read-only: the default is shared."""

    size_class: dict[str, SizeClass]  # by category; `default_size_class` otherwise
    default_size_class: SizeClass
    return_shipping: dict[Currency, dict[SizeClass, int]]  # buyer to the local warehouse
    outbound_shipping: dict[Currency, dict[SizeClass, int]]  # local warehouse to the buyer
    origin_return_shipping: dict[Currency, dict[SizeClass, int]]  # per unit, to the factory
    part_parcel: dict[Currency, int]  # a spare part in a small parcel, local warehouse
    handling: dict[Currency, int]  # receive and inspect one returned unit
    pick_and_pack: dict[Currency, int]  # one outbound parcel
    agent_cost_per_hour: dict[Market, int]  # a local-language support agent
    troubleshooting_minutes: int  # one guided troubleshooting session
    part_share_of_price: Decimal
    part_floor_minor: int  # any currency: the cheapest part still costs this
    replacement_cost_ratio: dict[str, Decimal]  # landed cost / unit price, by category
    grade_mix: dict[str, dict[Grade, Decimal]]  # share of returned units per grade
    resale_share_local: dict[Grade, Decimal]  # resale price / unit price, local channels
    resale_share_origin: dict[Grade, Decimal]  # after factory repair
    local_refurb_cost: dict[str, int]  # per unit by category, any currency
    not_repairable_locally: frozenset[str]  # categories that go to origin when high-value
    high_value: dict[Currency, int]  # unit price from which a unit is worth the trip home
    refund_fees: dict[str, RefundFee]  # by marketplace; others keep nothing
    # Share of returned units per grade by reported condition; the category's `grade_mix`
    # applies when the condition is not known.
    condition_grade_mix: dict[Condition, dict[Grade, Decimal]] = field(default_factory=dict)
    # Size class by weight: up to each limit in grams (ascending), LARGE above the last.
    size_by_weight_g: tuple[tuple[int, SizeClass], ...] = ()
    # What refurbish actually graded and recovered, by condition (`with_learnt_recovery`).
    learnt_recovery: dict[Condition, GradeOutcomes] = field(default_factory=dict)


def _to_minor(amount: Decimal) -> int:
    """Round half-up to a whole minor unit: the one rounding rule of this module."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _share(
    table: dict[Currency, dict[SizeClass, int]], share: Decimal
) -> dict[Currency, dict[SizeClass, int]]:
    return {
        currency: {size: _to_minor(amount * share) for size, amount in by_size.items()}
        for currency, by_size in table.items()
    }


# Reference rates from USD, used only to state non-USD equivalents of USD figures; a
# seller with real rates per currency replaces the converted tables instead.
USD_TO: dict[Currency, Decimal] = {
    Currency.USD: Decimal(1),
    Currency.CAD: Decimal("1.35"),
    Currency.GBP: Decimal("0.79"),
    Currency.EUR: Decimal("0.92"),
}


def _from_usd(by_size: dict[SizeClass, int]) -> dict[Currency, dict[SizeClass, int]]:
    """USD figures in every currency, rounded half-up to a whole major unit (100 minor):
    an international freight rate is not known to the cent."""
    hundred = Decimal(100)
    return {
        currency: {
            size: _to_minor(amount * rate / hundred) * 100 for size, amount in by_size.items()
        }
        for currency, rate in USD_TO.items()
    }


def _by_size(small: int, medium: int, large: int) -> dict[SizeClass, int]:
    return {SizeClass.SMALL: small, SizeClass.MEDIUM: medium, SizeClass.LARGE: large}


def _grades(a: str, b: str, c: str, d: str) -> dict[Grade, Decimal]:
    return {Grade.A: Decimal(a), Grade.B: Decimal(b), Grade.C: Decimal(c), Grade.D: Decimal(d)}


_RETURN_SHIPPING = {
    # USD medium 1500: "about $15 in the US" (DOMAIN.md). The rest are assumptions.
    Currency.USD: _by_size(900, 1500, 4500),
    Currency.CAD: _by_size(1200, 1900, 5500),
    Currency.GBP: _by_size(450, 700, 2500),
    Currency.EUR: _by_size(600, 900, 3500),
}

# Amazon's refund administration fee: 20% of the referral fee on the refunded amount, at
# most 5.00 in the market currency; a referral rate of 15% (most categories) is assumed.
_AMAZON_REFERRAL_RATE = Decimal("0.15")
_REFUND_ADMIN_SHARE_OF_REFERRAL = Decimal("0.20")

COST_BOOK = CostBook(
    size_class={
        **dict.fromkeys(("apparel", "electronics", "beauty", "toys"), SizeClass.SMALL),
        **dict.fromkeys(("home", "kitchen", "sports"), SizeClass.MEDIUM),
        **dict.fromkeys(("furniture", "appliances"), SizeClass.LARGE),
    },
    default_size_class=SizeClass.MEDIUM,
    return_shipping=_RETURN_SHIPPING,
    # Outbound from a local warehouse at discounted label rates: about 70% of a return.
    outbound_shipping=_share(_RETURN_SHIPPING, Decimal("0.70")),
    # Per unit, consolidated freight back to the factory; USD figures converted above.
    origin_return_shipping=_from_usd(_by_size(3500, 6000, 15000)),
    # A part travels as a padded envelope or small box: lighter than any whole unit.
    part_parcel={Currency.USD: 450, Currency.CAD: 600, Currency.GBP: 300, Currency.EUR: 350},
    handling={Currency.USD: 250, Currency.CAD: 300, Currency.GBP: 200, Currency.EUR: 220},
    pick_and_pack={Currency.USD: 150, Currency.CAD: 200, Currency.GBP: 120, Currency.EUR: 130},
    # 15 minutes cost USD 300, CAD 400, GBP 250, EUR 280.
    agent_cost_per_hour={
        Market.US: 1200,
        Market.CA: 1600,
        Market.UK: 1000,
        **{m: 1120 for m, region in REGION_OF.items() if region is Region.EU},
    },
    troubleshooting_minutes=15,
    part_share_of_price=Decimal("0.08"),
    part_floor_minor=300,
    replacement_cost_ratio={
        "apparel": Decimal("0.30"),
        "electronics": Decimal("0.45"),
        "home": Decimal("0.35"),
        DEFAULT: Decimal("0.40"),
    },
    grade_mix={
        "electronics": _grades("0.45", "0.30", "0.15", "0.10"),
        "apparel": _grades("0.60", "0.25", "0.10", "0.05"),
        DEFAULT: _grades("0.50", "0.30", "0.12", "0.08"),
    },
    resale_share_local=_grades("0.85", "0.65", "0.40", "0.10"),
    resale_share_origin=_grades("0.95", "0.80", "0.60", "0.20"),
    # Inspection, cleaning, repackaging, relabelling, small repairs in a local shop.
    local_refurb_cost={
        "electronics": 600,
        "apparel": 150,
        "beauty": 100,
        "toys": 200,
        "home": 300,
        "kitchen": 300,
        "sports": 300,
        "furniture": 1500,
        "appliances": 1500,
        DEFAULT: 400,
    },
    not_repairable_locally=frozenset({"appliances", "furniture", "electronics"}),
    high_value={
        Currency.USD: 30000,
        Currency.CAD: 40000,
        Currency.GBP: 25000,
        Currency.EUR: 28000,
    },
    condition_grade_mix={
        # Assumptions until refurbish has graded enough units of the seller's: an unopened
        # unit is nearly always like new, a faulty one nearly always for parts.
        Condition.UNOPENED: _grades("0.85", "0.10", "0.04", "0.01"),
        Condition.OPENED: _grades("0.55", "0.30", "0.10", "0.05"),
        Condition.DAMAGED: _grades("0.05", "0.35", "0.40", "0.20"),
        Condition.FAULTY: _grades("0", "0.05", "0.15", "0.80"),
    },
    # Parcel tiers of the carriers' ground services, about: a padded bag, a box, a large box.
    size_by_weight_g=((1000, SizeClass.SMALL), (10000, SizeClass.MEDIUM)),
    refund_fees={
        "amazon": RefundFee(
            share_of_refund=_AMAZON_REFERRAL_RATE * _REFUND_ADMIN_SHARE_OF_REFERRAL,
            cap_minor=500,
        ),
        # Estimate: like Amazon's rule without the cap; Walmart's real terms may differ.
        "walmart": RefundFee(
            share_of_refund=_AMAZON_REFERRAL_RATE * _REFUND_ADMIN_SHARE_OF_REFERRAL
        ),
        # The per-order fee (0.30) is not returned on a full refund.
        "ebay": RefundFee(kept_on_full_refund_minor=30),
        # Payment processing (2.9%) is not returned on a refund.
        "shopify": RefundFee(share_of_refund=Decimal("0.029")),
    },
)


@dataclass(frozen=True)
class Costing:
    """The facts a remedy's cost depends on. The caller fills in the refund of the remedy
    it prices: a share of the price for a partial refund, what was paid for a full one."""

    market: Market
    marketplace: str  # "amazon", "shopify", "ebay", "walmart", or anything else
    items: list[CaseItem]
    refund_minor: int = 0  # what the remedy refunds (partial or full; store credit's value)
    price_difference_minor: int = 0  # exchange: > 0 the buyer pays us, < 0 we pay back
    seller_pays_return: bool = True  # who pays the return label
    condition: Condition | None = None  # how returned units come back; None: not known


@dataclass(frozen=True)
class Estimate:
    """A remedy's cost to the seller, line by line, in the market's currency."""

    remedy: Remedy
    currency: Currency
    lines: tuple[CostLine, ...]
    route: ReturnRoute | None  # set when a unit comes back (return or exchange)

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)


# --- lookups


def category_of(item: CaseItem) -> str:
    """Categories are matched case-insensitively; no category means `DEFAULT`."""
    return (item.category or "").strip().lower() or DEFAULT


def _for_category(table: dict[str, T], item: CaseItem) -> T:
    return table.get(category_of(item), table[DEFAULT])


def size_class_of(item: CaseItem, book: CostBook = COST_BOOK) -> SizeClass:
    """By the product's weight when the catalog knows it, else by its category."""
    weight = item.product.weight_g if item.product else None
    if weight is None or not book.size_by_weight_g:
        return book.size_class.get(category_of(item), book.default_size_class)
    for limit, size in book.size_by_weight_g:
        if weight <= limit:
            return size
    return SizeClass.LARGE


def landed_cost_minor(item: CaseItem, book: CostBook = COST_BOOK) -> int:
    """What one new unit costs the seller in the local warehouse: the catalog's landed cost
    when it has one, else the category's share of the price."""
    if item.product is not None and item.product.landed_cost_minor is not None:
        return item.product.landed_cost_minor
    return _to_minor(item.unit_price_minor * _for_category(book.replacement_cost_ratio, item))


def goods_value_minor(items: Iterable[CaseItem]) -> int:
    """What the case's items cost the buyer: a refund of at least this is a full refund."""
    return sum(item.unit_price_minor * item.quantity for item in items)


# --- returned units


def return_route(item: CaseItem, market: Market, book: CostBook = COST_BOOK) -> ReturnRoute:
    """Where a returned unit goes.

    To the factory (ORIGIN) only when both hold: no local shop can repair its category
    (`not_repairable_locally`: appliances, furniture, electronics) and the unit is worth
    the international freight (unit price at or above `high_value` of the market's
    currency). So electronics under the threshold, or a cheap chair, stay LOCAL, where
    they are graded and resold or liquidated rather than shipped around the world.
    """
    if category_of(item) not in book.not_repairable_locally:
        return ReturnRoute.LOCAL
    if item.unit_price_minor < book.high_value[CURRENCY_OF[market]]:
        return ReturnRoute.LOCAL
    return ReturnRoute.ORIGIN


def recovery_value(
    item: CaseItem,
    route: ReturnRoute,
    book: CostBook = COST_BOOK,
    condition: Condition | None = None,
    basis_minor: int | None = None,
) -> int:
    """Expected net value of one returned unit, minor units, never below 0.

    A returned unit is worth what it resells for, weighted by how often units come back
    in each grade: by the condition the buyer reported when it is known (learnt from
    refurbish's grades and recoveries once there are some), else by its category.
    Locally the seller pays a repair/refurbish cost per unit; at the origin the factory
    repairs, so resale shares are higher and no local cost is taken off (the freight home
    is a separate line). `basis_minor` is what a like-new unit is worth, the price by
    default; an exchange values its returning unit at landed cost, like the outgoing one.
    """
    if condition is not None:
        share = recovery_share(item, route, condition, book)
    elif basis_minor is None:  # the price: the refurbish cost taken off as it is, exactly
        refurb = 0 if route is ReturnRoute.ORIGIN else _for_category(book.local_refurb_cost, item)
        gross = _book_share(item, route, _for_category(book.grade_mix, item), book, net=False)
        return max(_to_minor(gross * item.unit_price_minor) - refurb, 0)
    else:
        share = _book_share(item, route, _for_category(book.grade_mix, item), book)
    basis = item.unit_price_minor if basis_minor is None else basis_minor
    return max(_to_minor(share * basis), 0)


def _shares_and_refurb(
    item: CaseItem, route: ReturnRoute, book: CostBook
) -> tuple[dict[Grade, Decimal], Decimal]:
    """Resale share of the price per grade, and the refurbish cost as a share of the price."""
    price = Decimal(max(item.unit_price_minor, 1))
    if route is ReturnRoute.ORIGIN:
        return book.resale_share_origin, Decimal(0)
    return book.resale_share_local, _for_category(book.local_refurb_cost, item) / price


def _book_share(
    item: CaseItem, route: ReturnRoute, mix: dict[Grade, Decimal], book: CostBook, net: bool = True
) -> Decimal:
    """The book's resale share of the price for `mix`, less the refurbish cost if `net`."""
    shares, refurb = _shares_and_refurb(item, route, book)
    gross = sum((mix[grade] * shares[grade] for grade in Grade), Decimal(0))
    return gross - refurb if net else gross


def recovery_share(
    item: CaseItem, route: ReturnRoute, condition: Condition, book: CostBook = COST_BOOK
) -> Decimal:
    """What a unit in `condition` nets, as a share of its price: the book's grade mix and
    resale shares (less the refurbish cost), each blended with what refurbish recorded
    (`learnt_recovery`), the book counting as PRIOR_UNITS units."""
    shares, refurb = _shares_and_refurb(item, route, book)
    mix = book.condition_grade_mix.get(condition) or _for_category(book.grade_mix, item)
    seen = book.learnt_recovery.get(condition, {})
    units = sum(count for count, _ in seen.values())
    total = Decimal(0)
    for grade in Grade:
        count, recovered = seen.get(grade, (0, Decimal(0)))
        prior_share = shares[grade] - refurb
        share = (prior_share * PRIOR_UNITS + recovered) / (PRIOR_UNITS + count)
        weight = (mix[grade] * PRIOR_UNITS + count) / (PRIOR_UNITS + units)
        total += weight * share
    return total


def with_learnt_recovery(book: CostBook, outcomes: dict[Condition, GradeOutcomes]) -> CostBook:
    """The book with refurbish's recorded grades and recoveries by condition."""
    if not outcomes:
        return book
    return replace(book, learnt_recovery=outcomes)


def _return_shipping_per_unit(
    item: CaseItem, route: ReturnRoute, currency: Currency, book: CostBook
) -> int:
    table = book.origin_return_shipping if route is ReturnRoute.ORIGIN else book.return_shipping
    return table[currency][size_class_of(item, book)]


def _case_route(routes: Iterable[ReturnRoute]) -> ReturnRoute:
    """One route per case: ORIGIN if any unit goes home, the path fulfillment must plan."""
    return ReturnRoute.ORIGIN if ReturnRoute.ORIGIN in set(routes) else ReturnRoute.LOCAL


# --- lines of each remedy

Amounts = list[tuple[str, int]]


def marketplace_fee(costing: Costing, book: CostBook = COST_BOOK) -> int:
    """What the marketplace keeps of its fees when the seller refunds `refund_minor`."""
    fee = book.refund_fees.get(costing.marketplace.strip().lower())
    if fee is None or costing.refund_minor <= 0:
        return 0
    kept = _to_minor(costing.refund_minor * fee.share_of_refund)
    if fee.cap_minor is not None:
        kept = min(kept, fee.cap_minor)
    if costing.refund_minor >= goods_value_minor(costing.items):
        kept += fee.kept_on_full_refund_minor
    return kept


def _refund(costing: Costing, book: CostBook) -> Amounts:
    return [
        (LINE_REFUND, costing.refund_minor),
        (LINE_MARKETPLACE_FEE, marketplace_fee(costing, book)),
    ]


def _troubleshooting(costing: Costing, book: CostBook) -> Amounts:
    """One session per case, whatever the number of items."""
    hourly = book.agent_cost_per_hour[costing.market]
    return [(LINE_AGENT_TIME, _to_minor(Decimal(hourly * book.troubleshooting_minutes) / 60))]


def _part_shipment(costing: Costing, book: CostBook) -> Amounts:
    """A part for each unit, each sent as its own small parcel from the local warehouse."""
    currency = CURRENCY_OF[costing.market]
    amounts: Amounts = []
    for item in costing.items:
        part = _to_minor(item.unit_price_minor * book.part_share_of_price)
        amounts += [
            (LINE_PART_COST, max(part, book.part_floor_minor) * item.quantity),
            (LINE_LOCAL_SHIPPING, book.part_parcel[currency] * item.quantity),
            (LINE_PICK_AND_PACK, book.pick_and_pack[currency] * item.quantity),
        ]
    return amounts


def _coming_back(
    costing: Costing, book: CostBook, seller_pays: bool, at_landed_cost: bool = False
) -> Amounts:
    """Each returned unit: its label (if the seller pays it), handling, and what it will
    recover in the condition it comes back in; `at_landed_cost`: valued on the same basis
    as a new unit sent out for it."""
    currency = CURRENCY_OF[costing.market]
    amounts: Amounts = []
    for item in costing.items:
        route = return_route(item, costing.market, book)
        shipping = _return_shipping_per_unit(item, route, currency, book) if seller_pays else 0
        basis = landed_cost_minor(item, book) if at_landed_cost else None
        value = recovery_value(item, route, book, costing.condition, basis)
        amounts += [
            (LINE_RETURN_SHIPPING, shipping * item.quantity),
            (LINE_HANDLING, book.handling[currency] * item.quantity),
            (LINE_RECOVERY_VALUE, -value * item.quantity),
        ]
    return amounts


def _going_out(costing: Costing, book: CostBook) -> Amounts:
    """A new unit for each unit bought, at its landed cost, sent from the local warehouse."""
    currency = CURRENCY_OF[costing.market]
    amounts: Amounts = []
    for item in costing.items:
        outbound = book.outbound_shipping[currency][size_class_of(item, book)]
        amounts += [
            (LINE_REPLACEMENT_UNIT, landed_cost_minor(item, book) * item.quantity),
            (LINE_OUTBOUND_SHIPPING, outbound * item.quantity),
        ]
    return amounts


def _exchange(costing: Costing, book: CostBook) -> Amounts:
    """A new unit goes out locally and the old one comes back at the seller's expense:
    the buyer pays only the price difference, never a second shipping fee. Both units are
    valued at landed cost (the returning one at the share its condition recovers), so an
    exchange never comes out cheaper than sending nothing at all."""
    going, coming = _going_out(costing, book), _coming_back(costing, book, True, True)
    amounts = going + coming
    return [*amounts, (LINE_PRICE_DIFFERENCE, -costing.price_difference_minor)]


def _reship(costing: Costing, book: CostBook) -> Amounts:
    """The parcel never arrived: the same units go out again from the local warehouse, each
    picked and packed. Nothing comes back, and nothing is refunded."""
    currency = CURRENCY_OF[costing.market]
    packing = [
        (LINE_PICK_AND_PACK, book.pick_and_pack[currency] * item.quantity) for item in costing.items
    ]
    return _going_out(costing, book) + packing


def _store_credit(costing: Costing, book: CostBook) -> Amounts:
    """A gift card is spent on the seller's own goods: it costs what those goods cost the
    seller (their landed-cost share of the price), not its face value. The credit is spread
    over the items by price, each at its category's share."""
    paid = goods_value_minor(costing.items)
    if paid <= 0 or costing.refund_minor <= 0:
        return []
    cost = sum(
        Decimal(costing.refund_minor * item.quantity) / paid * landed_cost_minor(item, book)
        for item in costing.items
        if item.unit_price_minor > 0
    )
    return [(LINE_STORE_CREDIT, _to_minor(cost))]


def _repair(costing: Costing, book: CostBook) -> Amounts:
    """The buyer's unit to the local repair shop on the seller's label, repaired (a part
    priced as a part shipment's, and the bench time of a local refurbish) and sent back
    from there: nothing is refunded and the unit recovers nothing, it stays the buyer's."""
    currency = CURRENCY_OF[costing.market]
    amounts: Amounts = []
    for item in costing.items:
        size = size_class_of(item, book)
        part = max(
            _to_minor(item.unit_price_minor * book.part_share_of_price), book.part_floor_minor
        )
        bench = _for_category(book.local_refurb_cost, item)
        amounts += [
            (LINE_RETURN_SHIPPING, book.return_shipping[currency][size] * item.quantity),
            (LINE_HANDLING, book.handling[currency] * item.quantity),
            (LINE_REPAIR, (part + bench) * item.quantity),
            (LINE_PICK_AND_PACK, book.pick_and_pack[currency] * item.quantity),
            (LINE_OUTBOUND_SHIPPING, book.outbound_shipping[currency][size] * item.quantity),
        ]
    return amounts


def _return_full_refund(costing: Costing, book: CostBook) -> Amounts:
    return _refund(costing, book) + _coming_back(costing, book, costing.seller_pays_return)


_LINES_OF: dict[Remedy, Callable[[Costing, CostBook], Amounts]] = {
    Remedy.PARTIAL_REFUND: _refund,
    Remedy.REFUND_WITHOUT_RETURN: _refund,
    Remedy.TROUBLESHOOTING: _troubleshooting,
    Remedy.PART_SHIPMENT: _part_shipment,
    Remedy.EXCHANGE: _exchange,
    Remedy.RETURN_FULL_REFUND: _return_full_refund,
    Remedy.RESHIP: _reship,
    Remedy.STORE_CREDIT: _store_credit,
    Remedy.REPAIR: _repair,
}

# The remedies that send the buyer's unit to a warehouse (a repair: to its repair shop).
UNITS_COME_BACK = frozenset({Remedy.EXCHANGE, Remedy.RETURN_FULL_REFUND, Remedy.REPAIR})


def _summed(amounts: Amounts) -> tuple[CostLine, ...]:
    """One line per name across the case's items, in first-seen order, zeros left out."""
    totals: dict[str, int] = {}
    for name, amount in amounts:
        totals[name] = totals.get(name, 0) + amount
    return tuple(CostLine(item=name, amount_minor=a) for name, a in totals.items() if a != 0)


def estimate(remedy: Remedy, costing: Costing, book: CostBook = COST_BOOK) -> Estimate:
    """What `remedy` costs the seller if the buyer accepts it, line by line."""
    route = None
    if remedy in UNITS_COME_BACK:
        route = _case_route(return_route(item, costing.market, book) for item in costing.items)
    return Estimate(
        remedy=remedy,
        currency=CURRENCY_OF[costing.market],
        lines=_summed(_LINES_OF[remedy](costing, book)),
        route=route,
    )
