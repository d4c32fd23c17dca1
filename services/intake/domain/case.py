"""The canonical case: what every channel's delivery is turned into.

Each marketplace speaks its own format; its adapter (in `channels/`) parses and
verifies a delivery and returns a `Delivery`: the dedupe key of that delivery and
what it means for intake (open a case, update one, erase a buyer, or nothing).
Pure data, no I/O.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events import ClaimNotice, MarketplaceStatus, Parcel, Reason
from shared.markets import Currency, Market

# The buyer reference an erased buyer's cases keep: nothing that names them.
ERASED_BUYER = "[erased]"


class Channel(StrEnum):
    SHOPIFY = "shopify"
    EBAY = "ebay"
    WALMART = "walmart"
    AMAZON = "amazon"
    GENERIC = "generic"
    AGENT = "agent"


class Address(BaseModel):
    model_config = ConfigDict(frozen=True)

    line1: str
    line2: str | None = None
    city: str
    region: str | None = None  # state, province, county
    postal_code: str
    country: str  # ISO 3166 alpha-2 as the marketplace gives it


class BuyerContact(BaseModel):
    """Personal data: stays in intake's store, encrypted; never put on an event."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None


class ItemVariant(BaseModel):
    """A variant of the item the seller's own shop offers in exchange, as it sent it."""

    model_config = ConfigDict(frozen=True)

    sku: str
    title: str
    unit_price: Decimal = Field(ge=0)  # in the case's currency, major units
    in_stock: bool = True


class Item(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    asin: str | None = None
    title: str | None = None
    category: str | None = None
    quantity: int = Field(default=1, ge=1)
    unit_price: Decimal = Field(ge=0)  # in the case's currency, major units
    # The seller's variants of it, when its shop sends them (the generic channel).
    variants: tuple[ItemVariant, ...] = ()


class Deadline(BaseModel):
    """A clock the marketplace imposes, e.g. eBay's 2 business days to respond."""

    model_config = ConfigDict(frozen=True)

    name: str  # e.g. "seller_response", "refund", "amazon_reply"
    due_at: AwareDatetime


class MarketplaceIds(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_id: str
    return_id: str | None = None
    rma_id: str | None = None
    license_plate: str | None = None  # Amazon FBA returns


class CanonicalCase(BaseModel):
    """One case, the same shape whatever channel it came from."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    seller_account: str  # the channel's key of the seller: shop domain, eBay user, partner id...
    ids: MarketplaceIds
    market: Market
    currency: Currency
    items: list[Item] = Field(min_length=1)
    marketplace_reason: str  # the channel's own code, as sent ("SIZE_TOO_SMALL", "SNAD"...)
    reason: Reason
    buyer_words: str = ""  # the buyer's own text: comment, note, message
    buyer_language: str | None = None  # when the channel says; otherwise detected
    buyer_ref: str  # the marketplace's id of the buyer; never an email or a name
    buyer: BuyerContact | None = None
    photos: list[str] = Field(default_factory=list)  # URLs
    delivered_at: AwareDatetime | None = None
    requested_at: AwareDatetime | None = None
    deadlines: list[Deadline] = Field(default_factory=list)
    parcel: Parcel | None = None  # the original shipment's carrier and tracking number
    # The marketplace itself takes the unit back and refunds the buyer (Amazon FBA): the
    # seller owes neither a return label nor a refund.
    fulfilled_by_marketplace: bool = False
    # Why an agent decides this case whatever the classifier says (e.g. the marketplace
    # says the return is outside its policy): nothing is owed without a person.
    agent_decides_because: str | None = None


class UpdateCase(BaseModel):
    """A later delivery about a return intake already knows, found by its marketplace ids."""

    seller_account: str
    order_id: str | None = None
    return_id: str | None = None
    # None: the marketplace says nothing new of the return itself (a claim's notice alone).
    status: MarketplaceStatus | None
    note: str = ""
    at: datetime | None = None
    # The marketplace's notice of a claim on the order (analytics opens it, clock running).
    claim: ClaimNotice | None = None
    # Set when no case may ever come for it (a buyer cancelled an order before it shipped:
    # nothing to return): with no case known, the update is moot, for this reason, rather
    # than waited for.
    moot_without_case: str | None = None


class FbaUnitFound(BaseModel):
    """What Amazon's fulfilment centre found of a returned FBA unit, as one returns report
    says it (`domain/fba_units.py` says what it calls for). A later report may say
    otherwise (a unit first ungraded, later DEFECTIVE): the newest word counts."""

    seller_account: str
    order_id: str
    license_plate: str  # Amazon's id of the returned unit: the case's return id
    sku: str
    fnsku: str | None = None
    asin: str | None = None
    quantity: int = Field(default=1, ge=1)
    fulfillment_center: str
    disposition: str  # detailed-disposition, as Amazon wrote it ("" until graded)
    amazon_status: str  # status: "Unit returned to inventory", "Reimbursed"...
    returned_at: AwareDatetime  # when the fulfilment centre processed the return
    seen_at: AwareDatetime  # when intake read the report that says it


class OpenCase(BaseModel):
    case: CanonicalCase
    # What the marketplace says of the return besides (an FBA unit's disposition), applied
    # to the case right after it opens, in the same transaction.
    then: list[UpdateCase | FbaUnitFound] = Field(default_factory=list)


class EraseBuyer(BaseModel):
    """A marketplace's privacy request: forget this buyer everywhere."""

    seller_account: str
    buyer_ref: str | None = None  # None: the marketplace names the buyer by order ids only
    order_ids: list[str] = Field(default_factory=list)


class MarketplaceMessage(BaseModel):
    """A message the buyer wrote on the marketplace about their return."""

    message_id: str  # unique on its return: the marketplace's id, or when it was written
    text: str
    at: AwareDatetime


class BuyerWrote(BaseModel):
    """What the buyer wrote on a marketplace's return, read from the return itself: each
    message becomes a reply on the return's case, once."""

    seller_account: str
    return_id: str
    messages: list[MarketplaceMessage]


class Ignore(BaseModel):
    """A delivery that is genuine but carries nothing intake acts on."""

    why: str


class Delivery(BaseModel):
    """One verified delivery from a channel: its dedupe key and what it asks for."""

    channel: Channel
    delivery_id: str  # the channel's id of this delivery; the same id twice is one delivery
    seller_account: str
    action: OpenCase | UpdateCase | FbaUnitFound | EraseBuyer | BuyerWrote | Ignore


class ChannelError(Exception):
    """A delivery refused; `status` is the HTTP status to answer, `field` what was at fault."""

    def __init__(self, status: int, reason: str, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status = status
        self.reason = reason
        self.detail = detail
        self.field = field


def forged(detail: str) -> ChannelError:
    return ChannelError(401, "bad_signature", detail)


def stale(detail: str) -> ChannelError:
    return ChannelError(401, "stale_request", detail)


def malformed(detail: str, field: str | None = None) -> ChannelError:
    return ChannelError(422, "invalid_payload", detail, field)
