"""The generic signed webhook: how any other channel posts a case to intake.

What the channel sends: the JSON body of `GenericWebhook` (below) and
- `X-Seller-Account`: the seller account it posts for, as intake knows it;
- `X-Timestamp`: when it sent the delivery, in unix seconds;
- `X-Signature`: `sha256=<hex HMAC-SHA256 of "<X-Timestamp>.<raw body>">`, keyed with
  one of the account's secrets (two are valid while the channel rotates them).

How it is verified: the signature, then a timestamp within 5 minutes of now; signing the
timestamp with the body is what makes a replayed delivery refusable. Our own contract,
so there is no marketplace documentation to cite.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.intake.channels.common import (
    ensure_fresh,
    ensure_signed,
    hmac_sha256_hex,
    read_json,
    required_header,
    unix_time,
)
from services.intake.domain.case import (
    BuyerContact,
    CanonicalCase,
    Channel,
    Delivery,
    Item,
    ItemVariant,
    MarketplaceIds,
    OpenCase,
    Reason,
    forged,
)
from shared.events import Parcel
from shared.markets import CURRENCY_OF, MARKET_ALIASES, Currency, Market

ACCOUNT = "X-Seller-Account"
TIMESTAMP = "X-Timestamp"
SIGNATURE = "X-Signature"
SIGNATURE_SCHEME = "sha256"


class WebhookVariant(BaseModel):
    """A variant of the item the seller's shop would take it back for (a size, a colour),
    at its price in the item's currency; the buyer may pick one for an exchange."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=200, description="e.g. 'Size L' or 'Blue / L'")
    price: Decimal = Field(ge=0, le=1_000_000, max_digits=12, decimal_places=2)
    in_stock: bool = Field(default=True, description="false: listed but not offered")


class WebhookItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=100)
    asin: str | None = Field(default=None, pattern=r"^[A-Z0-9]{10}$")
    title: str | None = Field(default=None, max_length=500)
    category: str | None = Field(default=None, max_length=100)
    quantity: int = Field(default=1, ge=1, le=1000)
    price: Decimal = Field(ge=0, le=1_000_000, max_digits=12, decimal_places=2)
    currency: Currency
    variants: list[WebhookVariant] = Field(
        default_factory=list,
        max_length=100,
        description="the seller's variants of the item for an exchange, its own among them",
    )


class GenericWebhook(BaseModel):
    """A case as any channel may post it to `POST /webhooks/generic`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    event_id: str = Field(min_length=1, max_length=200, description="the channel's event id")
    marketplace: str = Field(pattern=r"^[a-z0-9_-]{2,40}$")
    order_id: str = Field(min_length=1, max_length=100)
    market: Market
    buyer_ref: str = Field(min_length=1, max_length=200)
    buyer_language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    items: list[WebhookItem] = Field(min_length=1, max_length=100)
    reason_code: str = Field(min_length=1, max_length=64)
    buyer_comment: str = Field(default="", max_length=5000)
    delivered_at: AwareDatetime | None = None
    parcel: Parcel | None = Field(
        default=None, description="the original shipment: lets a 'not received' case be traced"
    )
    buyer: BuyerContact | None = Field(
        default=None, description="contact data: kept encrypted by intake, never published"
    )

    @field_validator("market", mode="before")
    @classmethod
    def _market_alias(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            return MARKET_ALIASES.get(value, value)
        return value

    @field_validator("marketplace", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("reason_code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _currency_of_market(self) -> "GenericWebhook":
        expected = CURRENCY_OF[self.market]
        for item in self.items:
            if item.currency != expected:
                raise ValueError(
                    f"item {item.sku} is priced in {item.currency}, "
                    f"but market {self.market} trades in {expected}"
                )
        return self


def account_of(headers: Mapping[str, str], body: bytes) -> str:
    return required_header(headers, ACCOUNT)


def verify(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    timestamp = required_header(headers, TIMESTAMP)
    scheme, _, signature = required_header(headers, SIGNATURE).partition("=")
    if scheme != SIGNATURE_SCHEME:
        raise forged(f"{SIGNATURE} is not {SIGNATURE_SCHEME}=<hex>")
    signed = f"{timestamp}.".encode() + body
    # The signature first: a stale delivery is then known to be genuine, only late.
    ensure_signed(signature, signed, secrets, hmac_sha256_hex, "generic")
    ensure_fresh(unix_time(timestamp, TIMESTAMP), now)


def signed_headers(account: str, secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers a channel sends with `body`: what `verify` checks, from the sender's side."""
    timestamp = str(int(now.timestamp()))
    signature = hmac_sha256_hex(secret, f"{timestamp}.".encode() + body)
    return {
        "content-type": "application/json",
        ACCOUNT: account,
        TIMESTAMP: timestamp,
        SIGNATURE: f"{SIGNATURE_SCHEME}={signature}",
    }


def parse(headers: Mapping[str, str], body: bytes) -> list[Delivery]:
    webhook = read_json(GenericWebhook, body)
    account = account_of(headers, body)
    return [
        Delivery(
            channel=Channel.GENERIC,
            # Event ids are unique per marketplace only, as for the unsigned webhook.
            delivery_id=f"{webhook.marketplace}:{webhook.event_id}",
            seller_account=account,
            action=OpenCase(case=canonical_case(webhook, account)),
        )
    ]


def canonical_case(webhook: GenericWebhook, account: str) -> CanonicalCase:
    return CanonicalCase(
        channel=Channel.GENERIC,
        seller_account=account,
        ids=MarketplaceIds(order_id=webhook.order_id),
        market=webhook.market,
        currency=CURRENCY_OF[webhook.market],
        items=[
            Item(
                sku=item.sku,
                asin=item.asin,
                title=item.title,
                category=item.category,
                quantity=item.quantity,
                unit_price=item.price,
                variants=tuple(
                    ItemVariant(sku=v.sku, title=v.title, unit_price=v.price, in_stock=v.in_stock)
                    for v in item.variants
                ),
            )
            for item in webhook.items
        ],
        marketplace_reason=webhook.reason_code,
        reason=reason_of(webhook.reason_code),
        buyer_words=webhook.buyer_comment,
        buyer_language=webhook.buyer_language,
        buyer_ref=webhook.buyer_ref,
        buyer=webhook.buyer,
        delivered_at=webhook.delivered_at,
        parcel=webhook.parcel,
    )


# Codes that help desks and smaller marketplaces commonly send.
COMMON_CODES: dict[str, Reason] = {
    **dict.fromkeys(("DAMAGED_PACKAGING", "COSMETIC_DAMAGE", "MINOR_SCRATCH"), Reason.DAMAGED),
    **dict.fromkeys(("MISSING_PART", "ACCESSORY_MISSING"), Reason.MISSING_PARTS),
    **dict.fromkeys(("SETUP_DIFFICULTY", "INSTALLATION_DIFFICULT"), Reason.HARD_TO_USE),
    "COLOR": Reason.STYLE,
    "QUALITY_UNACCEPTABLE": Reason.QUALITY,
    **dict.fromkeys(("UNWANTED", "NO_LONGER_NEEDED"), Reason.CHANGED_MIND),
}


def reason_of(code: str) -> Reason:
    """A generic channel may speak intake's own taxonomy or a common code; others say nothing."""
    try:
        return Reason(code.lower())
    except ValueError:
        return COMMON_CODES.get(code.upper(), Reason.OTHER)
