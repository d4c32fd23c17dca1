"""Fulfillment's tables, in the `fulfillment` schema."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

SCHEMA = "fulfillment"


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


class Shipment(SQLModel, table=True):
    """A part or exchange unit to pick, pack and ship from a local warehouse."""

    __tablename__ = "shipments"
    __table_args__ = {"schema": SCHEMA}

    shipment_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    remedy: str = Field(sa_column=Column(Text, nullable=False))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    pick_list: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    requested_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ReturnParcel(SQLModel, table=True):
    """A return authorised with a prepaid label, then scanned in at the warehouse."""

    __tablename__ = "returns"
    __table_args__ = {"schema": SCHEMA}

    rma_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    carrier: str = Field(sa_column=Column(Text, nullable=False))
    tracking_number: str = Field(sa_column=Column(Text, nullable=False))
    issued_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    received_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    condition_note: str = Field(default="", sa_column=Column(Text, nullable=False))
