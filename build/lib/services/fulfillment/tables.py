"""Fulfillment's tables, in the `fulfillment` schema.

No buyer address is stored here: labels are drawn when they are downloaded, from
intake's narrow ship-to lookup.
"""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Identity,
    Integer,
    Text,
    Time,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

SCHEMA = "fulfillment"


def _when(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


def _text(default: str | None = None, **column: Any) -> Any:
    nullable = default is None
    return Field(default=default, sa_column=Column(Text, nullable=nullable, **column))


class StockLevel(SQLModel, table=True):
    """Units of one SKU in one warehouse; `reserved` never exceeds `on_hand`."""

    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="stock_reservable"),
        {"schema": SCHEMA},
    )

    warehouse: str = Field(sa_column=Column(Text, primary_key=True))
    sku: str = Field(sa_column=Column(Text, primary_key=True))
    bin: str = Field(sa_column=Column(Text, nullable=False))
    on_hand: int = Field(sa_column=Column(Integer, nullable=False))
    reserved: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class DispatchRequest(SQLModel, table=True):
    """A part, exchange or reship owed to a case, waiting to be routed to a warehouse
    (pending until a task is made or the region is found out of stock)."""

    __tablename__ = "dispatch_requests"
    __table_args__ = {"schema": SCHEMA}

    request_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    remedy: str = Field(sa_column=Column(Text, nullable=False))
    market: str = Field(sa_column=Column(Text, nullable=False))
    items: list[dict[str, Any]] = _json_list()
    passing_over: list[str] = _json_list()  # warehouses that already failed the case
    state: str = Field(default="pending", sa_column=Column(Text, nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    routed_at: datetime | None = _when()


class Shipment(SQLModel, table=True):
    """A part or unit to pick, pack and ship from a local warehouse: a staff task.

    status: requested → picked → packed → shipped; or problem (stock released).
    """

    __tablename__ = "shipments"
    __table_args__ = {"schema": SCHEMA}

    shipment_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    remedy: str = Field(sa_column=Column(Text, nullable=False))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    pick_list: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    requested_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    market: str = _text("")
    items: list[dict[str, Any]] = _json_list()
    carrier: str = _text("")
    service: str = _text("")
    service_code: str = _text("")
    postage_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    postage_currency: str = _text("")
    promised_by: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    weight_g: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    tracking_number: str | None = _text()
    picked_by: str | None = _text()
    picked_at: datetime | None = _when()
    packed_by: str | None = _text()
    packed_at: datetime | None = _when()
    shipped_by: str | None = _text()
    shipped_at: datetime | None = _when()
    problem: str | None = _text()
    problem_note: str | None = _text()


class ReturnParcel(SQLModel, table=True):
    """A return authorised with a prepaid label, then scanned in at the warehouse."""

    __tablename__ = "returns"
    __table_args__ = {"schema": SCHEMA}

    rma_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    carrier: str = Field(sa_column=Column(Text, nullable=False))
    tracking_number: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    issued_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    received_at: datetime | None = _when()
    condition_note: str = _text("")
    market: str = _text("")
    currency: str = _text("")
    items: list[dict[str, Any]] = _json_list()
    route: str = _text("local")
    service: str = _text("")
    postage_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    postage_currency: str = _text("")
    photos: list[str] = _json_list()
    received_by: str | None = _text()
    pickup_day: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    pickup_starts: time | None = Field(default=None, sa_column=Column(Time, nullable=True))
    pickup_ends: time | None = Field(default=None, sa_column=Column(Time, nullable=True))
    pickup_confirmation: str | None = _text()


class HeldParcel(SQLModel, table=True):
    """A parcel scanned in that matched no RMA or tracking number: kept, not lost, until
    staff match it to a return."""

    __tablename__ = "held_parcels"
    __table_args__ = {"schema": SCHEMA}

    holding_id: str = Field(sa_column=Column(Text, primary_key=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False, index=True))
    scanned_code: str = Field(sa_column=Column(Text, nullable=False))
    condition_note: str = _text("")
    photos: list[str] = _json_list()
    held_by: str = Field(sa_column=Column(Text, nullable=False))
    held_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    matched_rma: str | None = _text()
    matched_at: datetime | None = _when()


class WarehouseEndpoint(SQLModel, table=True):
    """A warehouse's own system, registered to get each dispatch task by signed webhook."""

    __tablename__ = "warehouse_endpoints"
    __table_args__ = {"schema": SCHEMA}

    warehouse: str = Field(sa_column=Column(Text, primary_key=True))
    url: str = Field(sa_column=Column(Text, nullable=False))
    secret: str = Field(sa_column=Column(Text, nullable=False))  # Standard Webhooks "whsec_…"
    registered_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class WarehouseDelivery(SQLModel, table=True):
    """A dispatch task pushed to a warehouse's own system by signed webhook (pending
    until delivered, or failed after the last attempt)."""

    __tablename__ = "warehouse_deliveries"
    __table_args__ = {"schema": SCHEMA}

    delivery_id: str = Field(sa_column=Column(Text, primary_key=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    url: str = Field(sa_column=Column(Text, nullable=False))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="pending", sa_column=Column(Text, nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    delivered_at: datetime | None = _when()


class DeliveryAttempt(SQLModel, table=True):
    """The delivery log: one row per webhook attempt, with what the warehouse answered."""

    __tablename__ = "warehouse_delivery_attempts"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    delivery_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    attempt: int = Field(sa_column=Column(Integer, nullable=False))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    error: str | None = _text()
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))


class OriginConsolidation(SQLModel, table=True):
    """Units going back to the factory from one warehouse, shipped together with one
    commercial invoice. status: open → dispatched."""

    __tablename__ = "origin_consolidations"
    __table_args__ = {"schema": SCHEMA}

    consolidation_id: str = Field(sa_column=Column(Text, primary_key=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    invoice_number: str | None = _text()
    carrier: str | None = _text()
    tracking_number: str | None = _text()
    dispatched_by: str | None = _text()
    dispatched_at: datetime | None = _when()


class OriginUnit(SQLModel, table=True):
    """A returned unit refurbish routed back to origin, waiting in a consolidation."""

    __tablename__ = "origin_units"
    __table_args__ = {"schema": SCHEMA}

    rma_id: str = Field(sa_column=Column(Text, primary_key=True))
    consolidation_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    items: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    currency: str = Field(sa_column=Column(Text, nullable=False))
    added_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
