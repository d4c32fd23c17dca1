"""The generic webhook: what any channel may send to open a case, and how it becomes one.

Pure rules, no I/O: validation of the body and its translation into `CaseOpened`.
"""

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.events import CaseItem, CaseOpened
from shared.markets import (
    CURRENCY_OF,
    DEFAULT_LANGUAGE_OF,
    MARKET_ALIASES,
    MINOR_UNITS,
    REGION_OF,
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


def to_minor_units(amount: Decimal, currency: Currency) -> int:
    return int((amount * MINOR_UNITS[currency]).to_integral_exact())


def new_case_id() -> str:
    return f"case-{uuid.uuid4()}"


def open_case(webhook: GenericWebhook, case_id: str, now: datetime) -> CaseOpened:
    currency = CURRENCY_OF[webhook.market]
    return CaseOpened(
        case_id=case_id,
        marketplace=webhook.marketplace,
        marketplace_event_id=webhook.event_id,
        order_id=webhook.order_id,
        market=webhook.market,
        region=REGION_OF[webhook.market],
        buyer_ref=webhook.buyer_ref,
        buyer_language=webhook.buyer_language or DEFAULT_LANGUAGE_OF[webhook.market],
        currency=currency,
        items=[
            CaseItem(
                sku=item.sku,
                asin=item.asin,
                title=item.title,
                category=item.category,
                quantity=item.quantity,
                unit_price_minor=to_minor_units(item.price, currency),
            )
            for item in webhook.items
        ],
        reason_code=webhook.reason_code,
        buyer_comment=webhook.buyer_comment,
        delivered_at=webhook.delivered_at,
        opened_at=now,
    )
