"""Event contracts: a CloudEvents 1.0 envelope around a typed, versioned payload.

Every event a service publishes is declared here, with the topic of the service
that owns it. A service never imports another service's code, only these contracts.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.markets import Currency, Market, Region


def topic_of(service: str) -> str:
    return f"{service}.events"


def dead_letter_topic_of(topic: str) -> str:
    return f"{topic}.dlq"


class Scenario(StrEnum):
    MINOR_DEFECT = "minor_defect"
    FUNCTIONAL_FAULT = "functional_fault"
    SIZE_STYLE_MISMATCH = "size_style_mismatch"
    QUALITY_DEFECT = "quality_defect"
    CHANGED_MIND = "changed_mind"
    NOT_RECEIVED = "not_received"
    WRONG_ITEM = "wrong_item"


class Remedy(StrEnum):
    PARTIAL_REFUND = "partial_refund"
    PART_SHIPMENT = "part_shipment"
    EXCHANGE = "exchange"
    RETURN_FULL_REFUND = "return_full_refund"
    REFUND_WITHOUT_RETURN = "refund_without_return"  # it never arrived, or is not worth a return
    TROUBLESHOOTING = "troubleshooting"  # a guide in the buyer's language
    RESHIP = "reship"  # it never arrived: the same item again, from a local warehouse
    STORE_CREDIT = "store_credit"  # a gift card worth the refund plus the seller's bonus
    # The buyer's own unit: to the local repair shop on a prepaid label, repaired, sent back.
    REPAIR = "repair"


class Reason(StrEnum):
    """One reason taxonomy across channels (intake reads it from each marketplace's codes and
    the buyer's words); each case keeps the marketplace's own code too."""

    DEFECTIVE = "defective"  # does not work, stopped working
    DAMAGED = "damaged"  # arrived damaged: box, scratch, dent
    MISSING_PARTS = "missing_parts"  # part or accessory missing
    HARD_TO_USE = "hard_to_use"  # set-up, installation or use too hard
    NOT_AS_DESCRIBED = "not_as_described"
    QUALITY = "quality"  # works, but poor quality
    SIZE_TOO_SMALL = "size_too_small"
    SIZE_TOO_LARGE = "size_too_large"
    SIZE_FIT = "size_fit"  # wrong size or fit, direction unknown
    STYLE = "style"  # colour, style, looks different
    WRONG_ITEM = "wrong_item"
    CHANGED_MIND = "changed_mind"  # unwanted, ordered by mistake, better price
    NOT_RECEIVED = "not_received"  # lost, undeliverable, arrived too late
    OTHER = "other"  # a code that says nothing: OTHER, UNKNOWN, missing


class MarketplaceStatus(StrEnum):
    """What the marketplace says happened to a return that intake already knows."""

    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    UPDATED = "updated"
    WAITING_FOR_SELLER = "waiting_for_seller"
    SELLER_OVERDUE = "seller_overdue"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    REFUND_OVERDUE = "refund_overdue"
    ESCALATED = "escalated"
    REFUNDED = "refunded"


class BuyerAnswer(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    MESSAGE = "message"  # free text, neither yes nor no


class Grade(StrEnum):
    A = "A"  # like new
    B = "B"  # very good
    C = "C"  # good, used
    D = "D"  # for parts


class Disposition(StrEnum):
    """Where a returned unit's value is recovered."""

    RELIST_AS_NEW = "relist_as_new"  # relabelled, sent to the marketplace warehouse (FBA)
    SELL_AS_RENEWED = "sell_as_renewed"  # sold as used / renewed
    REPAIR = "repair"  # repaired first, then inspected and graded again
    LIQUIDATE = "liquidate"  # in a lot to a local liquidation channel
    RETURN_TO_ORIGIN = "return_to_origin"  # consolidated back to the factory
    RECYCLE = "recycle"
    # The buyer's own unit, in for a repair (the remedy `repair`): repaired, or found with
    # nothing to repair, it is shipped back to its buyer from the repair shop.
    RETURN_TO_BUYER = "return_to_buyer"


# Bounds on what a request may say: an amount above any order (a hundred billion in major
# units) or a quantity above any parcel is a mistake, and both fit PostgreSQL's BIGINT.
MAX_MINOR = 10**13
MAX_QUANTITY = 1_000_000


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProductFacts(Contract):
    """What the seller's catalog (held by intake) knows of an item's SKU: enough to ship it,
    relabel it, declare it and name it in the buyer's language without asking the catalog
    again. `titles` (the item's title by language, where the seller translated it) was
    added under case.opened v4 with a default: an event without it reads as no titles."""

    product_id: str = Field(min_length=1, max_length=200)
    attributes: dict[str, str] = Field(default_factory=dict)  # what variants differ in
    fnsku: str | None = Field(default=None, max_length=20)
    weight_g: int | None = Field(default=None, gt=0, le=MAX_QUANTITY * 100)
    dimensions_mm: tuple[int, int, int] | None = None  # length, width, height
    landed_cost_minor: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    hs_code: str | None = Field(default=None, pattern=r"^[0-9]{6,10}$")
    origin_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    titles: dict[str, str] = Field(default_factory=dict)  # by language ("de": "…")

    def title_in(self, language: str) -> str | None:
        """The item's title in `language` as the seller's catalog names it; None: none."""
        return self.titles.get(language) or None


class CaseItem(Contract):
    """An item of a case. `product` is None when the SKU is not in the seller's catalog (or
    the event predates the catalog): consumers then fall back to their defaults."""

    sku: str
    asin: str | None = None
    title: str | None = None
    category: str | None = None
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price_minor: int = Field(ge=0, le=MAX_MINOR)
    product: ProductFacts | None = None


class EventPayload(Contract):
    """Base of every payload: names its event type, owning service and schema version."""

    event_type: ClassVar[str]
    owner: ClassVar[str]
    schema_version: ClassVar[int] = 1
    # A business metric counting the event once published, by these data fields.
    counted_as: ClassVar[str | None] = None
    counted_by: ClassVar[tuple[str, ...]] = ()
    case_id: str


class CaseDeadline(Contract):
    name: str  # e.g. "seller_response", "amazon_reply"
    due_at: AwareDatetime


class Parcel(Contract):
    """The shipment a buyer says never arrived, as the carrier knows it."""

    carrier: str = Field(min_length=1, max_length=40)  # e.g. "USPS", "DHL", "RoyalMail"
    tracking_number: str = Field(min_length=4, max_length=64)
    # What the marketplace said of the parcel when intake asked it, in its own word (e.g.
    # Amazon's package status "DELIVERED"); None when it said nothing.
    marketplace_status: str | None = Field(default=None, max_length=40)


class CaseOpened(EventPayload):
    """A case opened (from a marketplace delivery, a returns report or by an agent), as intake
    received and classified it. Carries a buyer reference, never contact data.

    v2 added the seller account, return ids, the canonical reason, photos, deadlines and
    intake's classification; `scenario` is None when the case waits for an agent. v4 added
    each item's product facts from the seller's catalog (later, with a default, their
    titles by language).
    """

    event_type: ClassVar[str] = "case.opened"
    owner: ClassVar[str] = "intake"
    schema_version: ClassVar[int] = 4

    marketplace: str
    marketplace_event_id: str
    seller_account: str = ""
    order_id: str
    return_id: str | None = None
    rma_id: str | None = None
    market: Market
    region: Region
    buyer_ref: str
    buyer_language: str
    currency: Currency
    items: list[CaseItem] = Field(min_length=1)
    reason_code: str  # the marketplace's own code
    reason: str = "other"  # the one taxonomy across channels
    buyer_comment: str = ""
    photos: list[str] = Field(default_factory=list)
    deadlines: list[CaseDeadline] = Field(default_factory=list)
    scenario: Scenario | None = None
    classification_confidence: float = Field(default=0.0, ge=0, le=1)
    classification_signals: list[str] = Field(default_factory=list)
    delivered_at: AwareDatetime | None = None
    parcel: Parcel | None = None  # the original shipment, when the channel says
    opened_at: AwareDatetime


class CaseClassified(EventPayload):
    """An agent chose the scenario of a case that intake could not classify with confidence."""

    event_type: ClassVar[str] = "case.classified"
    owner: ClassVar[str] = "intake"

    scenario: Scenario
    agent: str
    note: str = ""


class ClaimKind(StrEnum):
    """The claims a seller answers with an evidence pack (analytics' `domain/claims.py`)."""

    AMAZON_A_TO_Z = "amazon_a_to_z"  # the buyer asked Amazon to step in
    AMAZON_SAFE_T = "amazon_safe_t"  # the seller asks Amazon back a refund it was not owed
    EBAY_MONEY_BACK = "ebay_money_back"  # an eBay Money Back Guarantee case
    CHARGEBACK = "chargeback"  # the buyer's card issuer took the payment back


class ClaimNotice(Contract):
    """A claim on the case's order, as the marketplace's own notice states it: an eBay
    return escalated to a Money Back Guarantee case, a returns report row flagged with an
    A-to-z claim, a SAFE-T claim the report lists. Its clock starts at `notice_at`; a due
    date the notice states wins over the marketplace's rule. `filed_at`: the marketplace
    says the seller's side was already sent (a SAFE-T claim exists once filed)."""

    kind: ClaimKind
    marketplace_claim_id: str = Field(min_length=1, max_length=200)
    notice_at: AwareDatetime
    due_at: AwareDatetime | None = None
    amount_minor: int | None = Field(default=None, ge=0, le=MAX_MINOR)  # None: the order's
    filed_at: AwareDatetime | None = None
    state: str = Field(default="", max_length=100)  # the marketplace's own word, as written


class CaseMarketplaceUpdated(EventPayload):
    """The marketplace says what happened since to a return intake already knows.

    v2 added `claim`: the marketplace's notice of a claim on the case, which analytics opens
    with its clock at once."""

    event_type: ClassVar[str] = "case.marketplace_updated"
    owner: ClassVar[str] = "intake"
    schema_version: ClassVar[int] = 2

    marketplace: str
    status: MarketplaceStatus
    note: str = ""
    at: AwareDatetime
    claim: ClaimNotice | None = None


class ExchangeChoice(Contract):
    """The variant a buyer picked for an exchange, priced from the seller's catalog."""

    sku: str = Field(min_length=1)
    title: str | None = None
    unit_price_minor: int = Field(ge=0, le=MAX_MINOR)


class BuyerReplied(EventPayload):
    """The buyer answered an offer (accept or decline) or wrote a message; with an accepted
    exchange, the variant chosen.

    v2 added `exchange_for`."""

    event_type: ClassVar[str] = "case.buyer_replied"
    owner: ClassVar[str] = "intake"
    schema_version: ClassVar[int] = 2

    answer: BuyerAnswer
    text: str = ""
    language: str
    at: AwareDatetime
    exchange_for: ExchangeChoice | None = None  # with an accepted exchange: the variant chosen


class SatisfactionRated(EventPayload):
    """The buyer rated how the case was handled, 1 to 5 stars."""

    event_type: ClassVar[str] = "case.satisfaction_rated"
    owner: ClassVar[str] = "intake"

    rating: int = Field(ge=1, le=5)
    comment: str = ""
    at: AwareDatetime


class BuyerMessaged(EventPayload):
    """A message to the buyer left intake through the case's channel (`sent`: handed to the
    mail relay), reached the marketplace's conversation (`delivered`), or was refused for
    good by the recipient's side (`bounced`): what it said, for the case's conversation.

    Never the buyer's address, and the page link (a key to the buyer's page) left out."""

    event_type: ClassVar[str] = "case.buyer_messaged"
    owner: ClassVar[str] = "intake"

    message_id: str
    kind: str  # offer_made, remedy_owed, remedy_decided, return_label_issued, ...
    channel: str  # the case's channel: shopify, walmart, generic, agent, ebay, amazon
    way: str  # email, ebay (the return's messages), amazon (the buyer's relay address)
    state: str  # sent, delivered, bounced
    language: str
    subject: str = ""
    text: str = ""
    at: AwareDatetime


class BuyerErased(EventPayload):
    """The buyer of this case asked to be forgotten: every service erases what it holds of them."""

    event_type: ClassVar[str] = "case.buyer_erased"
    owner: ClassVar[str] = "intake"

    buyer_ref: str
    requested_by: str  # e.g. "shopify customers/redact"
    at: AwareDatetime


class ReturnRoute(StrEnum):
    LOCAL = "local"  # to the market's local warehouse and repair shop
    ORIGIN = "origin"  # a high-value unit no local shop can repair goes back to the factory


class CostLine(Contract):
    item: str  # e.g. "refund", "return_shipping", "recovery_value"
    amount_minor: int  # positive: the seller pays; negative: the seller gets back


class Alternative(Contract):
    """One remedy the engine weighed for a case, with what it would cost the seller."""

    remedy: Remedy
    cost_minor: int  # if the buyer accepts it: the sum of `lines`
    expected_cost_minor: int | None  # offering it first, counting a decline; None if excluded
    acceptance: float = Field(ge=0, le=1)
    lines: list[CostLine] = Field(default_factory=list)
    excluded_by: str | None = None  # the law, marketplace rule or seller policy that rules it out


class ResolutionOffered(EventPayload):
    """A message went to the buyer: an offer that lapses at `expires_at`, or the notice of a
    remedy owed without asking (`needs_answer` false)."""

    event_type: ClassVar[str] = "resolution.offered"
    owner: ClassVar[str] = "resolution"

    offer_id: str
    step: int = Field(ge=1)  # 1 for the first offer of the case, 2 for the next, ...
    remedy: Remedy
    amount_minor: int  # refund to the buyer (> 0) or price difference the buyer pays (< 0)
    currency: Currency
    language: str
    message: str
    expires_at: AwareDatetime
    needs_answer: bool = True  # False: a notice of a remedy owed without asking


class ResolutionAccepted(EventPayload):
    """The buyer accepted the offer."""

    event_type: ClassVar[str] = "resolution.accepted"
    owner: ClassVar[str] = "resolution"

    offer_id: str
    remedy: Remedy
    at: AwareDatetime


class ResolutionDeclined(EventPayload):
    """An offer ended without a yes: the buyer declined it, it expired, or fulfillment could
    not carry it out (`impossible`)."""

    event_type: ClassVar[str] = "resolution.declined"
    owner: ClassVar[str] = "resolution"

    offer_id: str
    remedy: Remedy
    cause: Literal["declined", "expired", "impossible"]
    note: str = ""
    at: AwareDatetime


class ResolutionHeldForAgent(EventPayload):
    """A case waits for an agent, with why (`findings`): its message failed the compliance lint
    or no template covers it (not sent), no remedy is left, the carrier says the parcel was
    delivered, or the marketplace refused the refund. When nothing is owed (`nothing_owed`,
    v2) the buyer is told so in `message`, linted, and the agent may still offer a remedy."""

    event_type: ClassVar[str] = "resolution.held_for_agent"
    owner: ClassVar[str] = "resolution"
    schema_version: ClassVar[int] = 2

    remedy: Remedy | None  # the remedy that was to be offered, if any
    findings: list[str]
    at: AwareDatetime
    nothing_owed: str | None = None  # why nothing is owed, e.g. "return_window_closed" (v2)
    language: str | None = None  # of `message` (v2)
    message: str | None = None  # the answer to the buyer, as resolution linted it (v2)


class ResolutionDecided(EventPayload):
    """The remedy the case ends with: accepted by the buyer, or owed without asking."""

    event_type: ClassVar[str] = "resolution.decided"
    owner: ClassVar[str] = "resolution"
    schema_version: ClassVar[int] = 3
    counted_as: ClassVar[str | None] = "resolution.decisions"
    counted_by: ClassVar[tuple[str, ...]] = ("remedy", "scenario")

    scenario: Scenario
    remedy: Remedy
    market: Market
    region: Region
    currency: Currency
    refund_minor: int = Field(ge=0)
    items: list[CaseItem]  # what fulfillment ships for an exchange: the variant chosen
    rule: str  # why this remedy, in words
    price_difference_minor: int = 0  # exchange: > 0 the buyer pays it, < 0 refunded
    route: ReturnRoute | None = None  # where a returned unit goes
    policy_version: int = 0  # the seller policy version the engine read
    alternatives: list[Alternative] = Field(default_factory=list)
    seller_account: str = ""  # whose case: fulfillment keys its tasks and returns by it


class RefundIssued(EventPayload):
    """The marketplace confirmed a refund to the buyer (paid once: `refund_id` is the
    idempotency key)."""

    event_type: ClassVar[str] = "refund.issued"
    owner: ClassVar[str] = "resolution"

    refund_id: str  # also the idempotency key sent to the marketplace
    marketplace: str
    marketplace_refund_id: str
    amount_minor: int = Field(gt=0)
    currency: Currency
    remedy: Remedy
    at: AwareDatetime


class ParcelTraced(EventPayload):
    """What the carrier says of a parcel the buyer reported as never arrived, and the verdict."""

    event_type: ClassVar[str] = "resolution.parcel_traced"
    owner: ClassVar[str] = "resolution"

    carrier: str
    tracking_number: str
    status: str  # the carrier's, e.g. "delivered", "in_transit", "return_to_sender"
    verdict: Literal["delivered", "wait", "lost", "untraced"]
    why: str
    at: AwareDatetime


class DeadlineAlert(EventPayload):
    """A service-level clock is near its due time (75% of its span) or past it."""

    event_type: ClassVar[str] = "resolution.deadline_alert"
    owner: ClassVar[str] = "resolution"

    clock: str  # e.g. "first_reply", "amazon_reply", "refund"
    level: Literal["near_breach", "breached"]
    due_at: AwareDatetime
    at: AwareDatetime


class PickLine(Contract):
    sku: str
    quantity: int = Field(ge=1)
    bin: str


class DispatchRequested(EventPayload):
    """A part or a unit reserved in a local warehouse: a task for its staff.

    v2 added the carrier service chosen to meet the promise, its price and the date.
    """

    event_type: ClassVar[str] = "fulfillment.dispatch_requested"
    owner: ClassVar[str] = "fulfillment"
    schema_version: ClassVar[int] = 2

    shipment_id: str
    remedy: Remedy
    warehouse: str
    pick_list: list[PickLine]
    carrier: str = ""
    service: str = ""
    postage_minor: int = 0  # the seller's rate card price, in `postage_currency`
    postage_currency: Currency | None = None
    promised_by: date | None = None  # the buyer's delivery date the service meets


class ShipmentPicked(EventPayload):
    """Warehouse staff picked a task's units from their bins."""

    event_type: ClassVar[str] = "fulfillment.picked"
    owner: ClassVar[str] = "fulfillment"

    shipment_id: str
    warehouse: str
    by: str  # the warehouse staff member
    at: AwareDatetime


class ShipmentPacked(EventPayload):
    """Staff packed and weighed a task's parcel: the cheapest carrier service that still meets
    the promised date is chosen."""

    event_type: ClassVar[str] = "fulfillment.packed"
    owner: ClassVar[str] = "fulfillment"

    shipment_id: str
    warehouse: str
    weight_g: int = Field(gt=0)
    carrier: str
    service: str
    by: str
    at: AwareDatetime


class Shipped(EventPayload):
    """A task's parcel left the warehouse with its tracking number."""

    event_type: ClassVar[str] = "fulfillment.shipped"
    owner: ClassVar[str] = "fulfillment"

    shipment_id: str
    remedy: Remedy
    warehouse: str
    carrier: str
    service: str
    tracking_number: str
    postage_minor: int = Field(ge=0)
    postage_currency: Currency
    promised_by: date | None = None
    by: str
    at: AwareDatetime


class DispatchProblem(EventPayload):
    """Staff could not fill a task: stock damaged or not where the bin says."""

    event_type: ClassVar[str] = "fulfillment.dispatch_problem"
    owner: ClassVar[str] = "fulfillment"

    shipment_id: str
    warehouse: str
    problem: Literal["damaged_stock", "not_found", "other"]
    note: str = ""
    by: str
    at: AwareDatetime


class StockUnavailable(EventPayload):
    """No warehouse of the buyer's region holds every SKU a part, exchange or reship needs:
    resolution moves to the next remedy."""

    event_type: ClassVar[str] = "fulfillment.stock_unavailable"
    owner: ClassVar[str] = "fulfillment"

    remedy: Remedy
    region: Region
    missing_skus: list[str]


class ReturnLabelIssued(EventPayload):
    """A prepaid return label to a local warehouse, for a remedy that takes the unit back.
    `for_repair`: the buyer's own unit goes to the warehouse's repair shop to be repaired
    and sent back (the remedy `repair`), not returned; added with a default, an event
    without it is an ordinary return.

    v2 added the service, its price and where the unit goes after (the route)."""

    event_type: ClassVar[str] = "fulfillment.return_label_issued"
    owner: ClassVar[str] = "fulfillment"
    schema_version: ClassVar[int] = 2

    rma_id: str
    warehouse: str
    carrier: str
    tracking_number: str
    service: str = ""
    postage_minor: int = 0
    postage_currency: Currency | None = None
    route: ReturnRoute = ReturnRoute.LOCAL
    for_repair: bool = False


class PickupScheduled(EventPayload):
    """A carrier collection of a return was booked at the buyer's door, in the buyer's local
    time."""

    event_type: ClassVar[str] = "fulfillment.pickup_scheduled"
    owner: ClassVar[str] = "fulfillment"

    rma_id: str
    carrier: str
    day: date
    starts: time
    ends: time
    confirmation: str


class ReturnReceived(EventPayload):
    """A returned parcel was scanned in at a warehouse. `for_repair` (added with a default):
    the buyer's own unit, in to be repaired and sent back; never sold, liquidated or
    recycled.

    v2 added what it holds, the photos and the route."""

    event_type: ClassVar[str] = "fulfillment.return_received"
    owner: ClassVar[str] = "fulfillment"
    schema_version: ClassVar[int] = 3

    rma_id: str
    warehouse: str
    condition_note: str = ""
    received_at: AwareDatetime
    items: list[CaseItem] = Field(default_factory=list)
    market: Market | None = None
    currency: Currency | None = None
    route: ReturnRoute = ReturnRoute.LOCAL
    photos: list[str] = Field(default_factory=list)  # URLs of the receiving photos
    for_repair: bool = False


class ReturnedToOrigin(EventPayload):
    """A unit left for the factory in a consolidated shipment with a commercial invoice."""

    event_type: ClassVar[str] = "fulfillment.returned_to_origin"
    owner: ClassVar[str] = "fulfillment"

    consolidation_id: str
    rma_id: str
    warehouse: str
    invoice_number: str
    carrier: str
    tracking_number: str
    at: AwareDatetime


class InspectionOpened(EventPayload):
    """A returned unit is on a technician's bench: one inspection per RMA."""

    event_type: ClassVar[str] = "refurbish.inspection_opened"
    owner: ClassVar[str] = "refurbish"

    inspection_id: str
    rma_id: str
    warehouse: str


class UnitGraded(EventPayload):
    """A technician's checklist was graded by the category's rubric, or the grade overridden
    with a reason.

    v2 moved the disposition to `refurbish.disposition_decided`."""

    event_type: ClassVar[str] = "refurbish.graded"
    owner: ClassVar[str] = "refurbish"
    schema_version: ClassVar[int] = 2

    inspection_id: str
    grade: Grade
    computed_grade: Grade  # what the rubric gave
    reasons: list[str] = Field(default_factory=list)
    override_reason: str | None = None
    technician: str
    notes: str = ""


class RecoveryOption(Contract):
    """One way to recover a returned unit's value, with what it nets the seller."""

    disposition: Disposition
    net_minor: int  # what the seller gets back minus what it costs
    lines: list[CostLine] = Field(default_factory=list)
    excluded_by: str | None = None


class DispositionDecided(EventPayload):
    """Where a graded unit goes to recover the most for the seller, with every alternative's
    net recovery."""

    event_type: ClassVar[str] = "refurbish.disposition_decided"
    owner: ClassVar[str] = "refurbish"
    schema_version: ClassVar[int] = 2

    inspection_id: str
    rma_id: str
    warehouse: str
    grade: Grade
    disposition: Disposition
    net_minor: int
    currency: Currency
    items: list[CaseItem]
    alternatives: list[RecoveryOption]


class RepairOrdered(EventPayload):
    """A repair worth more than it costs was ordered: its parts and labour."""

    event_type: ClassVar[str] = "refurbish.repair_ordered"
    owner: ClassVar[str] = "refurbish"

    inspection_id: str
    repair_id: str
    parts: list[str]
    labour_minutes: int = Field(ge=0)
    cost_minor: int = Field(ge=0)
    currency: Currency


class RepairCompleted(EventPayload):
    """A repair was done: the unit goes back on the bench for a new checklist and grade."""

    event_type: ClassVar[str] = "refurbish.repair_completed"
    owner: ClassVar[str] = "refurbish"

    inspection_id: str
    repair_id: str
    technician: str
    at: AwareDatetime


class UnitHeldForAgent(EventPayload):
    """A buyer's unit in for a repair that the repair shop cannot carry out (a fault outside
    its catalogue, or still faulty after its repair): it stays at the shop for an agent to
    decide, with the reason."""

    event_type: ClassVar[str] = "refurbish.unit_held_for_agent"
    owner: ClassVar[str] = "refurbish"

    inspection_id: str
    rma_id: str
    warehouse: str
    reason: str
    at: AwareDatetime


class FaqGapFound(EventPayload):
    """Buyers of a listing keep returning it for a reason, or asking about a topic, that no
    pre-sale FAQ entry in their language answers: a suggested entry for the seller to
    complete and publish.

    `case_id` is the case that made the gap count; the gap is the listing's."""

    event_type: ClassVar[str] = "analytics.faq_gap_found"
    owner: ClassVar[str] = "analytics"
    schema_version: ClassVar[int] = 2

    seller_account: str
    sku: str
    asin: str | None = None
    language: str
    reason: str  # "buyer_question" for a topic buyers keep asking about (v2)
    topic: str = ""  # what they ask about (v2)
    cases: int = Field(ge=1)
    cost_minor: int  # what those cases cost the seller, in `currency`
    currency: Currency | None = None
    question: str
    answer_outline: str


PAYLOAD_TYPES: dict[str, type[EventPayload]] = {
    p.event_type: p
    for p in (
        CaseOpened,
        CaseClassified,
        CaseMarketplaceUpdated,
        BuyerReplied,
        BuyerMessaged,
        SatisfactionRated,
        BuyerErased,
        ResolutionOffered,
        ResolutionAccepted,
        ResolutionDeclined,
        ResolutionHeldForAgent,
        ResolutionDecided,
        RefundIssued,
        ParcelTraced,
        DeadlineAlert,
        DispatchRequested,
        StockUnavailable,
        ReturnLabelIssued,
        ReturnReceived,
        ShipmentPicked,
        ShipmentPacked,
        Shipped,
        DispatchProblem,
        PickupScheduled,
        ReturnedToOrigin,
        InspectionOpened,
        UnitGraded,
        DispositionDecided,
        RepairOrdered,
        RepairCompleted,
        UnitHeldForAgent,
        FaqGapFound,
    )
}


class UnknownEventType(ValueError):
    pass


def _graded_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 carried the disposition (decided since by `refurbish.disposition_decided`); its
    grade was the rubric's own, given by no technician named."""
    kept = {name: value for name, value in data.items() if name != "disposition"}
    return {"computed_grade": data.get("grade"), "technician": "", **kept}


# Payloads of older schema versions that today's class cannot read as they are, turned into
# the current version, so that an old event still on a topic is applied, not dead-lettered.
UPCASTS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("refurbish.graded", 1): _graded_v1,
}


class Envelope(BaseModel):
    """CloudEvents 1.0, structured JSON mode. subject is always the case id."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str
    type: str
    source: str
    time: AwareDatetime
    subject: str
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    data: dict[str, Any]

    @classmethod
    def wrap(cls, payload: EventPayload) -> "Envelope":
        return cls(
            id=str(uuid.uuid4()),
            type=payload.event_type,
            source=f"/aftersales/{payload.owner}",
            time=datetime.now(UTC),
            subject=payload.case_id,
            dataschema=f"urn:aftersales:event:{payload.event_type}:v{payload.schema_version}",
            data=payload.model_dump(mode="json"),
        )

    @property
    def topic(self) -> str:
        return topic_of(self.source.rsplit("/", 1)[-1])

    @property
    def schema_version(self) -> int:
        """The payload's schema version, from `dataschema` (`…:v<N>`); 1 when it names none."""
        _, _, version = self.dataschema.rpartition(":v")
        return int(version) if version.isdigit() else 1

    def payload(self) -> EventPayload:
        """The typed payload, an older version upcast first; raises UnknownEventType or
        pydantic.ValidationError."""
        payload_type = PAYLOAD_TYPES.get(self.type)
        if payload_type is None:
            raise UnknownEventType(f"unknown event type {self.type!r}")
        upcast = UPCASTS.get((self.type, self.schema_version))
        payload = payload_type.model_validate(upcast(self.data) if upcast else self.data)
        if payload.case_id != self.subject:
            raise ValueError(
                f"subject {self.subject!r} is not the payload's case {payload.case_id!r}"
            )
        return payload
