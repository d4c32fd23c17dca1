"""Resolution's tables, in the `resolution` schema.

- `decisions`: one row per case: its facts, the engine's plan, where the case stands.
- `offers`: each offer sent to a buyer, and how it ended.
- `refunds`: money owed to a buyer, until the marketplace confirms it was paid.
- `clocks`: the service-level clocks of each case.
- `parcel_traces`: parcels a buyer says never arrived, asked about at the carrier.
- `policies`: every version of each seller's policy.
- `guides`: the troubleshooting knowledge base a seller maintains.
- `guide_versions`: every edit of a seller's guide, removals included.
- `recoveries`: what each returned unit of a seller's cases was graded and recovered, by
  the condition the buyer reported (the recovery values the cost model learns).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import SQLModel

from services.resolution.domain.cases import CaseState
from services.resolution.domain.clocks import ClockState
from services.resolution.domain.offers import OfferState
from services.resolution.domain.refunds import RefundState
from services.resolution.domain.tracing import TraceState
from shared.columns import big_integer, column, integer, json, moment, text
from shared.messaging_tables import utc_now

SCHEMA = "resolution"


class CaseDecision(SQLModel, table=True):
    """A case as resolution sees it; `state`: a `CaseState`."""

    __tablename__ = "decisions"
    __table_args__ = (Index("decisions_by_seller", "seller_account"), {"schema": SCHEMA})

    case_id: str = text(primary_key=True)
    marketplace: str = text("")
    seller_account: str = text("")
    order_id: str = text("")
    return_id: str | None = text(None)
    market: str = text()
    region: str = text()
    currency: str = text()
    language: str = text("en")
    fault_code: str | None = text(None)
    symptoms: list[str] = json()  # the `Symptom`s the buyer names, first named first
    reason: str | None = text(None)  # the one reason taxonomy (`Reason`)
    carrier: str | None = text(None)
    tracking_number: str | None = text(None)
    parcel_status: str | None = text(None)  # the marketplace's word for it, e.g. DELIVERED
    opened_at: datetime | None = moment(None)
    delivered_at: datetime | None = moment(None)
    items: list[dict[str, Any]] = column(JSONB)
    state: str = text(CaseState.WAITING)
    scenario: str = text()
    remedy: str = text()
    refund_minor: int = big_integer()
    route: str | None = text(None)
    rule: str = text()
    policy_version: int = integer(0)
    plan: list[dict[str, Any]] = json()
    alternatives: list[dict[str, Any]] = json()
    step: int = integer(0)
    decided_at: datetime | None = moment(None)


class Offer(SQLModel, table=True):
    """Each message sent to a buyer; `state`: an `OfferState`."""

    __tablename__ = "offers"
    __table_args__ = (
        Index("offers_of_case", "case_id"),
        Index("offers_open_by_expiry", "expires_at", postgresql_where=sql("state = 'open'")),
        {"schema": SCHEMA},
    )

    offer_id: str = text(primary_key=True)
    case_id: str = text()
    step: int = integer()
    remedy: str = text()
    amount_minor: int = big_integer()
    currency: str = text()
    language: str = text()
    message: str = text()
    state: str = text(OfferState.OPEN)
    offered_at: datetime = moment(default_factory=utc_now)
    expires_at: datetime = moment()
    answered_at: datetime | None = moment(None)


class Refund(SQLModel, table=True):
    """Money owed to a buyer; `state`: a `RefundState` (pending: the worker pays it)."""

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
    return_id: str | None = text(None)
    remedy: str = text()
    amount_minor: int = big_integer()
    currency: str = text()
    state: str = text(RefundState.PENDING)
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    error: str | None = text(None)
    marketplace_refund_id: str | None = text(None)
    issued_at: datetime | None = moment(None)


class ParcelTrace(SQLModel, table=True):
    """A parcel to ask the carrier about; `state`: a `TraceState` (pending: the trace
    worker asks)."""

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
    state: str = text(TraceState.PENDING)
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    last_status: str | None = text(None)
    error: str | None = text(None)
    checked_at: datetime | None = moment(None)


class CaseClock(SQLModel, table=True):
    """`state`: a `ClockState` (stopped: met in time or no longer needed)."""

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
    started_at: datetime = moment()
    warn_at: datetime = moment()
    due_at: datetime = moment()
    state: str = text(ClockState.RUNNING)
    stopped_at: datetime | None = moment(None)


class PolicyVersion(SQLModel, table=True):
    __tablename__ = "policies"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = text(primary_key=True)
    version: int = integer(primary_key=True)
    policy: dict[str, Any] = column(JSONB)
    created_at: datetime = moment(default_factory=utc_now)
    created_by: str = text()


class GuideRecord(SQLModel, table=True):
    __tablename__ = "guides"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = text(primary_key=True)
    guide_id: str = text(primary_key=True)
    guide: dict[str, Any] = column(JSONB)
    updated_at: datetime = moment(default_factory=utc_now)


class GuideVersion(SQLModel, table=True):
    """One edit of a seller's guide; `guide` None: the guide was removed."""

    __tablename__ = "guide_versions"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = text(primary_key=True)
    guide_id: str = text(primary_key=True)
    version: int = integer(primary_key=True)
    guide: dict[str, Any] | None = column(JSONB, None)
    created_at: datetime = moment(default_factory=utc_now)
    created_by: str = text()


class Recovery(SQLModel, table=True):
    """A returned unit's grade and net recovery (refurbish's disposition), once per
    inspection; `condition`: how the buyer reported it (`costs.Condition`); `share`: the net
    recovery over what the case's items cost the buyer."""

    __tablename__ = "recoveries"
    __table_args__ = (
        Index("recoveries_by_seller", "seller_account", "decided_at"),
        {"schema": SCHEMA},
    )

    inspection_id: str = text(primary_key=True)
    case_id: str = text()
    seller_account: str = text("")
    condition: str = text()
    grade: str = text()
    net_minor: int = big_integer()
    price_minor: int = big_integer()
    currency: str = text()
    decided_at: datetime = moment(default_factory=utc_now)
