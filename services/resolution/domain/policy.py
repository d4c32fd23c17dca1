"""A seller's after-sales policy: the choices the law leaves to the seller.

Each seller keeps a history of versions; every decision records the version it read, so
a decision can be explained with the rules in force at the time. A seller without a
policy gets `DEFAULT_POLICY` (version 0).

Money thresholds are in minor units of the case's currency: a seller selling in several
currencies sets them for the one they price in, and the engine reads them as is.
"""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.resolution.domain.law import seller_window_refused
from shared.events import MAX_MINOR, CaseItem, Remedy

MAX_PARTIAL_REFUND_PERCENT = 15  # beyond this a partial refund stops being cheaper than a return


class RefundTier(BaseModel):
    """Items priced up to `up_to_price_minor` (per unit) get `percent` back; None: any price."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    up_to_price_minor: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    percent: int = Field(ge=1, le=MAX_PARTIAL_REFUND_PERCENT)


# How likely a buyer is to accept each remedy when offered. A refund is money: always taken.
DEFAULT_ACCEPTANCE: dict[Remedy, float] = {
    Remedy.PARTIAL_REFUND: 0.8,  # DOMAIN.md: 80% of minor-issue cases end without a return
    Remedy.TROUBLESHOOTING: 0.5,
    Remedy.PART_SHIPMENT: 0.7,
    Remedy.EXCHANGE: 0.65,
    Remedy.RESHIP: 0.6,
    Remedy.RETURN_FULL_REFUND: 1.0,
    Remedy.REFUND_WITHOUT_RETURN: 1.0,
    Remedy.STORE_CREDIT: 0.3,  # assumption: returns portals report a minority taking credit
    Remedy.REPAIR: 0.5,  # assumption: sending the unit away for a week weighs against it
}

MAX_STORE_CREDIT_BONUS_PERCENT = 50


class SellerPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    partial_refund_tiers: list[RefundTier] = Field(
        default_factory=lambda: [RefundTier(percent=10)], min_length=1
    )
    seller_pays_withdrawal_return: bool = Field(
        default=False,
        description="pay the return label when a buyer changes their mind (EU/UK default: "
        "the buyer pays, if the listing said so)",
    )
    offer_expiry_hours: int = Field(default=48, ge=1, le=14 * 24)
    returnless_refund_max_minor: int = Field(
        default=3000,
        ge=0,
        le=MAX_MINOR,
        description="refund without taking the item back only for units priced up to this, "
        "and only when the return would cost more than the unit brings back",
    )
    exchange_max_price_difference_minor: int = Field(default=2000, ge=0, le=MAX_MINOR)
    enabled_remedies: list[Remedy] = Field(default_factory=lambda: list(Remedy), min_length=1)
    acceptance: dict[Remedy, float] = Field(default_factory=lambda: dict(DEFAULT_ACCEPTANCE))
    store_credit_enabled: bool = Field(
        default=False,
        description="offer store credit (a gift card worth the refund plus the bonus) "
        "before a refund, where the case's channel can issue one",
    )
    repair_enabled: bool = Field(
        default=True,
        description="offer a repair (the buyer's unit to the local repair shop on a prepaid "
        "label, repaired and sent back) where the law lets the buyer choose it (EU legal "
        "guarantee, UK Consumer Rights Act)",
    )
    store_credit_bonus_percent: int = Field(
        default=10,
        ge=0,
        le=MAX_STORE_CREDIT_BONUS_PERCENT,
        description="what store credit adds to the refund, in percent of it",
    )
    return_window_days: dict[str, int] = Field(
        default_factory=dict,
        description="the seller's return window in days from delivery, per channel: its own "
        "shops (shopify, generic, agent) and where the marketplace lets it choose (ebay: 0, "
        "14, 30 or 60; walmart: at least 30); a channel not named keeps the rule's default "
        "(`law.py`), and Amazon's window is Amazon's",
    )
    first_reply_business_hours: float = Field(default=4, gt=0, le=72)
    learn_acceptance: bool = Field(
        default=True,
        description="blend `acceptance` with how this seller's buyers actually answered",
    )

    @model_validator(mode="after")
    def _tiers_cover_every_price(self) -> Self:
        limits = [tier.up_to_price_minor for tier in self.partial_refund_tiers]
        if limits[-1] is not None:
            raise ValueError("the last partial-refund tier must have no upper price")
        if None in limits[:-1] or limits[:-1] != sorted(limits[:-1]):
            raise ValueError("partial-refund tiers must rise in price, the open tier last")
        if any(not 0 <= share <= 1 for share in self.acceptance.values()):
            raise ValueError("acceptance is a probability between 0 and 1")
        refused = [seller_window_refused(c, d) for c, d in self.return_window_days.items()]
        if any(refused):
            raise ValueError("; ".join(why for why in refused if why))
        return self

    def enables(self, remedy: Remedy) -> bool:
        if remedy is Remedy.STORE_CREDIT and not self.store_credit_enabled:
            return False
        if remedy is Remedy.REPAIR and not self.repair_enabled:
            return False
        return remedy in self.enabled_remedies

    def store_credit_minor(self, refund_minor: int) -> int:
        """The gift card's value: the refund plus the bonus, rounded down to the cent."""
        return refund_minor + refund_minor * self.store_credit_bonus_percent // 100

    def return_window_for(self, channel: str) -> int | None:
        """The seller's own return window on `channel`; None: the channel's rule decides."""
        return self.return_window_days.get(channel)

    def acceptance_of(self, remedy: Remedy) -> float:
        return self.acceptance.get(remedy, DEFAULT_ACCEPTANCE[remedy])

    def partial_refund_percent(self, unit_price_minor: int) -> int:
        for tier in self.partial_refund_tiers:
            if tier.up_to_price_minor is None or unit_price_minor <= tier.up_to_price_minor:
                return tier.percent
        raise AssertionError("the validator guarantees an open last tier")

    def partial_refund_minor(self, items: list[CaseItem]) -> int:
        """Per item, its tier's percent of what the buyer paid, rounded down to the cent."""
        return sum(
            item.unit_price_minor
            * item.quantity
            * self.partial_refund_percent(item.unit_price_minor)
            // 100
            for item in items
        )


DEFAULT_POLICY = SellerPolicy()

# How many answers the policy's own figure counts as: with fewer real answers than this the
# policy still weighs most; with many, the buyers' behaviour takes over.
PRIOR_ANSWERS = 20


def learnt_acceptance(prior: float, accepted: int, answered: int) -> float:
    """The policy's acceptance rate updated by the answers seen (a Beta prior worth
    PRIOR_ANSWERS answers): 0.8 with 20 declines of 20 offers gives 0.4."""
    if not 0 <= accepted <= answered:
        raise ValueError(f"{accepted} accepted of {answered} answered")
    return (prior * PRIOR_ANSWERS + accepted) / (PRIOR_ANSWERS + answered)


def with_learnt_acceptance(
    policy: SellerPolicy, outcomes: dict[Remedy, tuple[int, int]]
) -> SellerPolicy:
    """The policy with each offered remedy's acceptance blended with (accepted, answered)."""
    if not policy.learn_acceptance or not outcomes:
        return policy
    learnt = dict(policy.acceptance)
    for remedy, (accepted, answered) in outcomes.items():
        prior = policy.acceptance_of(remedy)
        if prior < 1:  # a remedy owed without asking is never declined: nothing to learn
            learnt[remedy] = learnt_acceptance(prior, accepted, answered)
    return policy.model_copy(update={"acceptance": learnt})
