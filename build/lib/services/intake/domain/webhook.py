"""The generic webhook's body: what any channel may send to open a case.

Pure validation, no I/O; `channels/generic.py` verifies it and makes it a canonical case.
"""

from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.intake.domain.case import BuyerContact
from shared.events import Parcel
from shared.markets import (
    CURRENCY_OF,
    MARKET_ALIASES,
    Currency,
    Market,
)


class WebhookItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=100)
    asin: str | None = Field(default=None, pattern=r"^[A-Z0-9]{10}$")
    title: str | None = Field(default=None, max_length=500)
    category: str | None = Field(default=None, max_length=100)
    quantity: int = Field(default=1, ge=1, le=1000)
    price: Decimal = Field(ge=0, le=1_000_000, max_digits=12, decimal_places=2)
    currency: Currency


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
