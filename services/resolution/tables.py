"""Resolution's tables, in the `resolution` schema.

- `decisions`: one row per case: its facts, the engine's plan, where the case stands.
- `offers`: each offer sent to a buyer, and how it ended.
- `refunds`: money owed to a buyer, until the marketplace confirms it was paid.
- `clocks`: the service-level clocks of each case.
- `parcel_traces`: parcels a buyer says never arrived, asked about at the carrier.
- `policies`: every version of each seller's policy.
- `guides`: the troubleshooting knowledge base a seller maintains.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, Text
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.messaging_tables import utc_now

SCHEMA = "resolution"


def text(primary_key: bool = False, nullable: bool = False) -> Any:
    return Field(sa_column=Column(Text, primary_key=primary_key, nullable=nullable))


class CaseDecision(SQLModel, table=True):
    """A case as resolution sees it. `state` is one of: waiting (for an agent's
    classification), tracing (its parcel, with the carrier), offered, decided, held (for an
    agent)."""

    __tablename__ = "decisions"
    __table_args__ = (Index("decisions_by_seller", "seller_account"), {"schema": SCHEMA})

    case_id: str = text(primary_key=True)
    marketplace: str = Field(default="", sa_column=Column(Text, nullable=False))
    seller_account: str = Field(default="", sa_column=Column(Text, nullable=False))
    order_id: str = Field(default="", sa_column=Column(Text, nullable=False))
    return_id: str | None = Field(default=None, sa_column=Column(Text))
    market: str = text()
    region: str = text()
    currency: str = text()
    language: str = Field(default="en", sa_column=Column(Text, nullable=False))
    fault_code: str | None = Field(default=None, sa_column=Column(Text))
    carrier: str | None = Field(default=None, sa_column=Column(Text))
    tracking_number: str | None = Field(default=None, sa_column=Column(Text))
    opened_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    items: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    state: str = Field(default="waiting", sa_column=Column(Text, nullable=False))
    scenario: str = text()
    remedy: str = text()
    refund_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    route: str | None = Field(default=None, sa_column=Column(Text))
    rule: str = text()
    policy_version: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    plan: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    alternatives: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    step: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Offer(SQLModel, table=True):
    """`state`: open, accepted, declined, expired, impossible (fulfillment could not)."""

    __tablename__ = "offers"
    __table_args__ = (
        Index("offers_of_case", "case_id"),
        Index("offers_open_by_expiry", "expires_at", postgresql_where=sql("state = 'open'")),
        {"schema": SCHEMA},
    )

    offer_id: str = text(primary_key=True)
    case_id: str = text()
    step: int = Field(sa_column=Column(Integer, nullable=False))
    remedy: str = text()
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = text()
    language: str = text()
    message: str = text()
    state: str = Field(default="open", sa_column=Column(Text, nullable=False))
    offered_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    answered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Refund(SQLModel, table=True):
    """`state`: pending (the worker pays it), issued, refused (an agent must look)."""

    __tablename__ = "refunds"
    __table_args__ = (
        Index("refunds_pending", "next_attempt_at", postgresql_where=sql("state = 'pending'")),
        {"schema": SCHEMA},
    )

    refund_id: str = text(primary_key=True)
    case_id: str = text()
    marketplace: str = text()
    seller_account: str = text()
    order_id: str = text()
    return_id: str | None = Field(default=None, sa_column=Column(Text))
    remedy: str = text()
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = text()
    state: str = Field(default="pending", sa_column=Column(Text, nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    error: str | None = Field(default=None, sa_column=Column(Text))
    marketplace_refund_id: str | None = Field(default=None, sa_column=Column(Text))
    issued_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class ParcelTrace(SQLModel, table=True):
    """A parcel to ask the carrier about. `state`: pending (the trace worker asks), done."""

    __tablename__ = "parcel_traces"
    __table_args__ = (
        Index(
            "parcel_traces_pending", "next_attempt_at", postgresql_where=sql("state = 'pending'")
        ),
        {"schema": SCHEMA},
    )

    case_id: str = text(primary_key=True)
    carrier: str = text()
    tracking_number: str = text()
    state: str = Field(default="pending", sa_column=Column(Text, nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    last_status: str | None = Field(default=None, sa_column=Column(Text))
    error: str | None = Field(default=None, sa_column=Column(Text))
    checked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class CaseClock(SQLModel, table=True):
    """`state`: running, near_breach, breached, stopped (met in time or no longer needed)."""

    __tablename__ = "clocks"
    __table_args__ = (
        Index(
            "clocks_running_by_warning",
            "warn_at",
            postgresql_where=sql("state IN ('running', 'near_breach')"),
        ),
        {"schema": SCHEMA},
    )

    case_id: str = text(primary_key=True)
    name: str = text(primary_key=True)
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    warn_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    state: str = Field(default="running", sa_column=Column(Text, nullable=False))
    stopped_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class PolicyVersion(SQLModel, table=True):
    __tablename__ = "policies"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = text(primary_key=True)
    version: int = Field(sa_column=Column(Integer, primary_key=True))
    policy: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    created_by: str = text()


class GuideRecord(SQLModel, table=True):
    __tablename__ = "guides"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = text(primary_key=True)
    guide_id: str = text(primary_key=True)
    guide: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
