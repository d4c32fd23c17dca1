"""The remedy engine: for one case, the remedies to offer in order, and why in money.

1. The scenario's ladder lists the remedies worth considering (`LADDERS`).
2. Each is priced with the cost model and checked against the seller's policy, the law
   of the buyer's market (`law.check_offer`) and what it needs (a guide in the buyer's
   language for the symptom they name, an open return window). A remedy that fails is
   kept, with the reason, as an excluded alternative.
3. The lawful ones are offered cheapest first: with the buyer free to decline, offering
   the cheaper of two remedies first always lowers the expected cost. The first remedy
   the buyer takes for sure (a full refund) ends the ladder; anything dearer is dropped.

Plain data in, plain data out: the handlers store the plan and send its steps.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from services.resolution.domain.costs import (
    COST_BOOK,
    UNITS_COME_BACK,
    Condition,
    CostBook,
    Costing,
    Estimate,
    condition_of,
    estimate,
)
from services.resolution.domain.fulfilment import (
    fulfilled_by_marketplace,
    marketplace_takes_it_back,
)
from services.resolution.domain.law import (
    FAULTY,
    BuyerRights,
    Disclosure,
    ReturnException,
    Window,
    buyers_choice,
    check_offer,
    required_disclosures,
    return_exception,
    rights_of,
)
from services.resolution.domain.policy import SellerPolicy
from services.resolution.domain.troubleshooting import Guide, choose_guide
from shared.events import (
    Alternative,
    CaseItem,
    CostLine,
    Reason,
    Remedy,
    ReturnRoute,
    Scenario,
)
from shared.markets import Currency, Market

R = Remedy
# Store credit (where the seller enables it) comes before the refunds: a buyer who declines
# it goes on to the money refund the law or the marketplace gives them. Not for a parcel
# that never arrived (the same item again comes first, and there is no item to keep) nor
# for a changed mind (the withdrawal right gives the money back).
# A replacement is an exchange for the same SKU (a new unit from the local warehouse, the
# faulty one back); a part mends the unit at the buyer's, sent from the local warehouse; a
# repair (where the seller enables it) takes the unit to the local repair shop and back,
# offered only where the law gives the buyer that choice (`law.buyers_choice`).
LADDERS: dict[Scenario, tuple[Remedy, ...]] = {
    Scenario.MINOR_DEFECT: (
        R.PARTIAL_REFUND,
        R.STORE_CREDIT,
        R.REFUND_WITHOUT_RETURN,
        R.RETURN_FULL_REFUND,
    ),
    Scenario.FUNCTIONAL_FAULT: (
        R.TROUBLESHOOTING,
        R.PART_SHIPMENT,
        R.STORE_CREDIT,
        R.REFUND_WITHOUT_RETURN,
        R.RETURN_FULL_REFUND,
    ),
    # A colour or style the buyer can live with: a partial refund to keep it (not for a
    # size, which no discount makes fit).
    Scenario.SIZE_STYLE_MISMATCH: (
        R.EXCHANGE,
        R.PARTIAL_REFUND,
        R.STORE_CREDIT,
        R.REFUND_WITHOUT_RETURN,
        R.RETURN_FULL_REFUND,
    ),
    # A genuine fault: a repair (the part) or a replacement where the law lets the buyer
    # choose them first (EU/UK legal guarantee) or where they are cheaper; else a full
    # refund without argument, with or without the unit back.
    Scenario.QUALITY_DEFECT: (
        R.PART_SHIPMENT,
        R.REPAIR,
        R.EXCHANGE,
        R.STORE_CREDIT,
        R.REFUND_WITHOUT_RETURN,
        R.RETURN_FULL_REFUND,
    ),
    # What the withdrawal right or the marketplace's return policy gives, nothing more.
    Scenario.CHANGED_MIND: (R.RETURN_FULL_REFUND,),
    # The same item again from a local warehouse, or the money back; the seller claims
    # the lost parcel from the carrier.
    Scenario.NOT_RECEIVED: (R.RESHIP, R.REFUND_WITHOUT_RETURN),
    # The right item (an exchange for the SKU ordered) before any refund.
    Scenario.WRONG_ITEM: (
        R.EXCHANGE,
        R.STORE_CREDIT,
        R.REFUND_WITHOUT_RETURN,
        R.RETURN_FULL_REFUND,
    ),
}

# Remedies offered before the refund the buyer takes for sure even when dearer: what the
# seller got wrong, put right. (The law's own, `law.buyers_choice`, are added per market.)
PUT_RIGHT: dict[Scenario, frozenset[Remedy]] = {Scenario.WRONG_ITEM: frozenset({R.EXCHANGE})}

# Reasons under a size/style mismatch that a discount can settle: the item fits and works.
KEEPABLE = frozenset({Reason.STYLE})

# The channels whose sellers can issue a gift card (Shopify's, or the seller's own API).
ISSUES_STORE_CREDIT = frozenset({"shopify", "generic", "agent"})

REFUNDS_IN_FULL = frozenset({R.RETURN_FULL_REFUND, R.REFUND_WITHOUT_RETURN})


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    marketplace: str
    market: Market
    currency: Currency
    scenario: Scenario
    items: list[CaseItem]
    opened_at: datetime
    delivered_at: datetime | None  # None: windows run from the opening, the buyer's side
    language: str
    fault_code: str | None = None
    symptoms: tuple[str, ...] = ()  # what the buyer says is wrong (`symptoms.symptoms_in`)
    reason: Reason | None = None  # the one reason taxonomy; None: not known

    @property
    def condition(self) -> Condition:
        """How a returned unit will come back, as the buyer reported it."""
        return condition_of(self.scenario, self.reason)

    @property
    def not_returnable(self) -> ReturnException | None:
        """The channel's exception that keeps an item of the case from going back, if any
        (e.g. Walmart takes back no gift card, and diabetic supplies only unopened)."""
        opened = self.condition is not Condition.UNOPENED
        for item in self.items:
            words = " ".join(filter(None, (item.title, item.category)))
            found = return_exception(self.marketplace, self.market, words, opened)
            if found is not None:
                return found
        return None

    @property
    def amount_paid_minor(self) -> int:
        return sum(item.unit_price_minor * item.quantity for item in self.items)


@dataclass(frozen=True)
class Step:
    """One offer of the plan, priced."""

    remedy: Remedy
    refund_minor: int
    seller_pays_return: bool
    route: ReturnRoute | None
    acceptance: float
    cost_minor: int
    disclosures: tuple[Disclosure, ...] = ()
    guide: Guide | None = None
    bonus_minor: int = 0  # store credit: what the gift card adds to the refund

    @property
    def owed(self) -> bool:
        """A remedy the buyer takes for sure is decided, not offered."""
        return self.acceptance >= 1


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    steps: tuple[Step, ...]  # offer order; empty: nothing lawful to offer, an agent decides
    alternatives: tuple[Alternative, ...]
    rights: BuyerRights
    policy_version: int
    rule: str


@dataclass(frozen=True)
class Candidate:
    step: Step
    lines: tuple[CostLine, ...]
    excluded_by: str | None = None
    expected_cost_minor: float | None = field(default=None, compare=False)
    first: bool = False  # the buyer's to choose before a refund, whatever it costs


def buyers_rights(facts: CaseFacts, policy: SellerPolicy, now: datetime) -> BuyerRights:
    """The law's rights and the case's channel window (the seller's own where it may set it)."""
    window = policy.return_window_for(facts.marketplace)
    delivered = facts.delivered_at or facts.opened_at
    return rights_of(facts.market, delivered, now, facts.marketplace, window)


def plan(
    facts: CaseFacts,
    policy: SellerPolicy,
    policy_version: int,
    guides: list[Guide],
    now: datetime,
    guide_declines: Mapping[str, float] | None = None,
    book: CostBook = COST_BOOK,
) -> Plan:
    """`guide_declines`: guide id → the learnt share of buyers declining it (it sinks);
    `book`: the cost model, with refurbish's learnt recoveries where there are some."""
    rights = buyers_rights(facts, policy, now)
    first = first_remedies(facts, rights)
    candidates = [
        unless_the_law_gives_it(
            consider(remedy, facts, policy, policy_version, guides, rights, guide_declines, book),
            first,
            facts,
        )
        for remedy in ladder_of(facts.scenario, policy)
    ]
    candidates = order_offers(candidates)
    steps = tuple(c.step for c in candidates if c.expected_cost_minor is not None)
    alternatives = tuple(alternative_of(c) for c in candidates)
    return Plan(facts.scenario, steps, alternatives, rights, policy_version, rule_of(facts, steps))


# Remedies offered only where the law lets the buyer choose them: a repair sends the unit
# away for days at a price a part or a replacement usually beats.
ONLY_BY_LAW = frozenset({R.REPAIR})


def unless_the_law_gives_it(
    candidate: Candidate, first: frozenset[Remedy], facts: CaseFacts
) -> Candidate:
    """The candidate, marked as the buyer's first choice when it is; a remedy offered only
    by law (`ONLY_BY_LAW`) is excluded where the law does not give it."""
    remedy = candidate.step.remedy
    if remedy in first:
        return replace(candidate, first=True)
    if remedy in ONLY_BY_LAW and candidate.excluded_by is None:
        where = f"{facts.scenario.value} in {facts.market.value}"
        why = f"law: no right to choose a {remedy.value} for a {where} now (a part or a "
        why += "replacement mends it for less)"
        return replace(candidate, excluded_by=why)
    return candidate


def ladder_of(scenario: Scenario, policy: SellerPolicy) -> tuple[Remedy, ...]:
    """The scenario's ladder; store credit and repair only for a seller who offers them at
    all (others' plans do not even list them as excluded)."""
    off = {R.STORE_CREDIT} if not policy.store_credit_enabled else set()
    if not policy.repair_enabled:
        off.add(R.REPAIR)
    return tuple(remedy for remedy in LADDERS[scenario] if remedy not in off)


def first_remedies(facts: CaseFacts, rights: BuyerRights) -> frozenset[Remedy]:
    """What the buyer may have before a refund: the law's choice (repair or replacement
    under a legal guarantee) and, for a wrong item, the right one."""
    law = buyers_choice(facts.market, facts.scenario, rights)
    return law | PUT_RIGHT.get(facts.scenario, frozenset())


def consider(
    remedy: Remedy,
    facts: CaseFacts,
    policy: SellerPolicy,
    policy_version: int,
    guides: list[Guide],
    rights: BuyerRights,
    guide_declines: Mapping[str, float] | None = None,
    book: CostBook = COST_BOOK,
) -> Candidate:
    """Price one remedy and say what, if anything, rules it out."""
    refund = refund_for(remedy, facts, policy)
    seller_pays = seller_pays_return(facts.scenario, policy)
    costing = Costing(
        facts.market, facts.marketplace, facts.items, refund, 0, seller_pays, facts.condition
    )
    priced: Estimate = estimate(remedy, costing, book)
    guide = None
    if remedy is R.TROUBLESHOOTING:
        first = facts.items[0]
        guide = choose_guide(
            guides,
            first.sku,
            first.category,
            facts.fault_code,
            facts.language,
            facts.symptoms,
            guide_declines,
        )
    offer = (facts.market, facts.scenario, remedy, rights, seller_pays)
    step = Step(
        remedy,
        refund,
        seller_pays,
        priced.route,
        policy.acceptance_of(remedy),
        priced.total_minor,
        tuple(required_disclosures(*offer, buyer_rejected=rejected(facts))),
        guide,
        refund - facts.amount_paid_minor if remedy is R.STORE_CREDIT else 0,
    )
    why_not = (
        marketplace_exclusion(facts)
        or exclusion(step, facts, policy, policy_version, rights)
        or breach_of(offer, facts)
    )
    return Candidate(step, priced.lines, why_not)


def refund_for(remedy: Remedy, facts: CaseFacts, policy: SellerPolicy) -> int:
    if remedy is R.PARTIAL_REFUND:
        return policy.partial_refund_minor(facts.items)
    if remedy in REFUNDS_IN_FULL:
        return facts.amount_paid_minor
    if remedy is R.STORE_CREDIT:
        return policy.store_credit_minor(facts.amount_paid_minor)
    return 0


def seller_pays_return(scenario: Scenario, policy: SellerPolicy) -> bool:
    """Only a buyer who changed their mind may be asked to pay the return, and only if
    the seller's policy says so (EU/UK: the buyer must have been told before ordering)."""
    if scenario is Scenario.CHANGED_MIND:
        return policy.seller_pays_withdrawal_return
    return True


def rejected(facts: CaseFacts) -> bool:
    """A buyer reporting a genuine fault asks for their money back (UK short-term right)."""
    return facts.scenario is Scenario.QUALITY_DEFECT


def marketplace_exclusion(facts: CaseFacts) -> str | None:
    """A case the marketplace fulfilled is the marketplace's to take back and refund."""
    if fulfilled_by_marketplace(facts.marketplace):
        return marketplace_takes_it_back(facts.marketplace)
    return None


def exclusion(
    step: Step, facts: CaseFacts, policy: SellerPolicy, version: int, rights: BuyerRights
) -> str | None:
    remedy = step.remedy
    if not policy.enables(remedy):
        return f"seller policy v{version}: {remedy.value} is not enabled"
    kept = facts.not_returnable
    if remedy in UNITS_COME_BACK and kept is not None:
        return f"channel {kept.id} ({kept.source.citation}): {kept.products} do not go back"
    if remedy is R.REPAIR and step.route is ReturnRoute.ORIGIN:
        return "cost book: no local repair shop mends this unit; it would go to the factory"
    if remedy is R.STORE_CREDIT and facts.marketplace not in ISSUES_STORE_CREDIT:
        return f"channel: {facts.marketplace} cannot issue the seller's store credit"
    if remedy is R.PARTIAL_REFUND and not keepable(facts):
        return "a size or fit does not change with a discount: exchange or return"
    if remedy is R.TROUBLESHOOTING and step.guide is None:
        sku = facts.items[0].sku
        code = f" fault {facts.fault_code}" if facts.fault_code else ""
        named = f" ({', '.join(facts.symptoms)})" if facts.symptoms else ""
        return f"knowledge base: no guide for {sku}{code}{named} in {facts.language!r}"
    if remedy is R.REFUND_WITHOUT_RETURN and returnless_capped(facts):
        dearest = max(item.unit_price_minor for item in facts.items)
        if dearest > policy.returnless_refund_max_minor:
            limit = policy.returnless_refund_max_minor
            return f"seller policy v{version}: returnless refunds only for units up to {limit}"
    if facts.scenario is Scenario.CHANGED_MIND and not return_window_open(rights):
        return "no return right: the withdrawal and marketplace return windows are closed"
    return None


def returnless_capped(facts: CaseFacts) -> bool:
    """The seller's cap on returnless refunds binds, but not for a parcel that never came,
    nor for a fault in an item the channel does not take back (no return is possible, and
    the fault is still the seller's to put right)."""
    if facts.scenario is Scenario.NOT_RECEIVED:
        return False
    return not (facts.scenario in FAULTY and facts.not_returnable is not None)


def keepable(facts: CaseFacts) -> bool:
    """A partial refund to keep the item fits every scenario but a size/style mismatch,
    where it fits a colour or style complaint only."""
    return facts.scenario is not Scenario.SIZE_STYLE_MISMATCH or facts.reason in KEEPABLE


def return_window_open(rights: BuyerRights) -> bool:
    return rights.withdrawal_open or rights.is_open(Window.MARKETPLACE_RETURN)


def breach_of(offer: tuple, facts: CaseFacts) -> str | None:
    breaches = check_offer(*offer, buyer_rejected=rejected(facts))
    if not breaches:
        return None
    return "; ".join(f"law {b.rule_id} ({b.source}): {b.sentence}" for b in breaches)


def order_offers(candidates: list[Candidate]) -> list[Candidate]:
    """Lawful candidates cheapest first up to the cheapest owed one, with their expected
    cost; then the rest, each with why it is not offered. A remedy that is the buyer's to
    choose first (`Candidate.first`) is offered before the owed one even when dearer.
    Keeps ladder order for ties."""
    lawful = sorted(
        (c for c in candidates if c.excluded_by is None), key=lambda c: c.step.cost_minor
    )
    at = next((i for i, c in enumerate(lawful) if c.step.owed), len(lawful))
    chosen = [c for c in lawful[at + 1 :] if c.first and not c.step.owed]
    offered = lawful[:at] + chosen + lawful[at : at + 1]
    priced = with_expected_costs(offered)
    ceiling = lawful[at].step.remedy.value if at < len(lawful) else ""
    dropped = [
        Candidate(c.step, c.lines, f"cost: dearer than {ceiling}, which the buyer takes for sure")
        for c in lawful[at + 1 :]
        if not (c.first and not c.step.owed)
    ]
    excluded = [c for c in candidates if c.excluded_by is not None]
    return priced + dropped + excluded


def with_expected_costs(offered: list[Candidate]) -> list[Candidate]:
    """E(i) = p·cost(i) + (1 − p)·E(i + 1): what offering step i first costs, counting a
    decline. The last step has no fallback: a decline there goes to an agent, costing
    what it would have (the agent's remedy is unknown here)."""
    result: list[Candidate] = []
    after: float | None = None
    for c in reversed(offered):
        p = c.step.acceptance
        expected = c.step.cost_minor if after is None else p * c.step.cost_minor + (1 - p) * after
        result.append(Candidate(c.step, c.lines, None, expected, c.first))
        after = expected
    return list(reversed(result))


def alternative_of(candidate: Candidate) -> Alternative:
    expected = candidate.expected_cost_minor
    return Alternative(
        remedy=candidate.step.remedy,
        cost_minor=candidate.step.cost_minor,
        expected_cost_minor=None if expected is None else round(expected),
        acceptance=candidate.step.acceptance,
        lines=list(candidate.lines),
        excluded_by=candidate.excluded_by,
    )


def rule_of(facts: CaseFacts, steps: tuple[Step, ...]) -> str:
    where = f"{facts.scenario.value} in {facts.market.value}"
    if fulfilled_by_marketplace(facts.marketplace):
        return f"{where}: {marketplace_takes_it_back(facts.marketplace)}"
    if not steps:
        return f"{where}: no remedy is both lawful and enabled; an agent decides"
    order = ", then ".join(step.remedy.value for step in steps)
    return f"{where}: offers {order}, cheapest expected cost first"
