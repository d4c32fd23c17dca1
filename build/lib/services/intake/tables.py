"""Intake's tables, in the `intake` schema.

Personal data (buyer contact, raw deliveries, channel secrets) is stored encrypted
by `privacy.Vault`; everything in clear here is safe to show an operator.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.messaging_tables import utc_now

SCHEMA = "intake"


def _column(type_: Any, **kwargs: Any) -> Column:
    return Column(type_, nullable=kwargs.pop("nullable", False), **kwargs)


class ChannelAccount(SQLModel, table=True):
    """A seller's account on one channel, with the secrets that prove a delivery is genuine."""

    __tablename__ = "channel_accounts"
    __table_args__ = {"schema": SCHEMA}

    channel: str = Field(sa_column=Column(Text, primary_key=True))
    account: str = Field(sa_column=Column(Text, primary_key=True))  # shop domain, partner id...
    seller: str = Field(sa_column=_column(Text))
    # Encrypted JSON: {"secrets": [...], plus API credentials the channel needs}.
    credentials: bytes = Field(sa_column=_column(LargeBinary))
    default_market: str | None = Field(default=None, sa_column=_column(Text, nullable=True))


class DeliveryRecord(SQLModel, table=True):
    """A verified delivery, stored before the 2xx; the worker turns it into cases after."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("deliveries_pending", "received_at", postgresql_where=text("state = 'accepted'")),
        {"schema": SCHEMA},
    )

    channel: str = Field(sa_column=Column(Text, primary_key=True))
    delivery_id: str = Field(sa_column=Column(Text, primary_key=True))
    account: str = Field(sa_column=_column(Text))
    kind: str = Field(sa_column=_column(Text))  # what the worker does with it, e.g. "webhook"
    content: bytes = Field(sa_column=_column(LargeBinary))  # encrypted: it may hold PII
    trace_headers: dict[str, str] = Field(sa_column=_column(JSONB))
    state: str = Field(default="accepted", sa_column=_column(Text))  # accepted, applied, failed
    attempts: int = Field(default=0, sa_column=_column(SmallInteger))
    next_attempt_at: datetime = Field(
        default_factory=utc_now, sa_column=_column(DateTime(timezone=True))
    )
    error: str | None = Field(default=None, sa_column=_column(Text, nullable=True))
    received_at: datetime = Field(
        default_factory=utc_now, sa_column=_column(DateTime(timezone=True))
    )
    applied_at: datetime | None = Field(
        default=None, sa_column=_column(DateTime(timezone=True), nullable=True)
    )


class CaseRecord(SQLModel, table=True):
    """A case as received and classified; (channel, case_key) opens it once."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("channel", "case_key", name="cases_opened_once"),
        Index("cases_by_return", "channel", "account", "return_id"),
        Index("cases_by_order", "channel", "account", "order_id"),
        Index("cases_by_buyer", "channel", "account", "buyer_ref"),
        {"schema": SCHEMA},
    )

    case_id: str = Field(sa_column=Column(Text, primary_key=True))
    channel: str = Field(sa_column=_column(Text))
    case_key: str = Field(sa_column=_column(Text))  # the channel's id of what opened it
    account: str = Field(sa_column=_column(Text))
    order_id: str = Field(sa_column=_column(Text))
    return_id: str | None = Field(default=None, sa_column=_column(Text, nullable=True))
    market: str = Field(sa_column=_column(Text))
    buyer_ref: str = Field(sa_column=_column(Text))
    scenario: str | None = Field(default=None, sa_column=_column(Text, nullable=True))
    confidence: float = Field(sa_column=_column(Float))
    needs_agent: bool = Field(sa_column=_column(Boolean))
    marketplace_status: str = Field(default="requested", sa_column=_column(Text))
    opened_at: datetime = Field(sa_column=_column(DateTime(timezone=True)))
    # The case exactly as published in case.opened (no contact data).
    case: dict[str, Any] = Field(sa_column=_column(JSONB))


class BuyerRecord(SQLModel, table=True):
    """A buyer's contact data, encrypted; erased on the marketplace's request."""

    __tablename__ = "buyers"
    __table_args__ = {"schema": SCHEMA}

    channel: str = Field(sa_column=Column(Text, primary_key=True))
    account: str = Field(sa_column=Column(Text, primary_key=True))
    buyer_ref: str = Field(sa_column=Column(Text, primary_key=True))
    contact: bytes | None = Field(default=None, sa_column=_column(LargeBinary, nullable=True))
    updated_at: datetime = Field(
        default_factory=utc_now, sa_column=_column(DateTime(timezone=True))
    )
    erased_at: datetime | None = Field(
        default=None, sa_column=_column(DateTime(timezone=True), nullable=True)
    )


class BuyerMessage(SQLModel, table=True):
    """A buyer's reply to an offer or a satisfaction rating, as received."""

    __tablename__ = "buyer_messages"
    __table_args__ = (Index("buyer_messages_by_case", "case_id", "at"), {"schema": SCHEMA})

    message_id: str = Field(sa_column=Column(Text, primary_key=True))  # the sender's id: dedupe
    case_id: str = Field(sa_column=_column(Text))
    kind: str = Field(sa_column=_column(Text))  # reply, rating
    answer: str | None = Field(default=None, sa_column=_column(Text, nullable=True))
    rating: int | None = Field(default=None, sa_column=_column(Integer, nullable=True))
    text: str = Field(default="", sa_column=_column(Text))
    at: datetime = Field(default_factory=utc_now, sa_column=_column(DateTime(timezone=True)))
