"""Refurbish's tables, in the `refurbish` schema."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, Integer, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

SCHEMA = "refurbish"


def _when() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


def _maybe_text() -> Any:
    return Field(default=None, sa_column=Column(Text, nullable=True))


def _json(default: Any = list) -> Any:
    return Field(default_factory=default, sa_column=Column(JSONB, nullable=False))


class Inspection(SQLModel, table=True):
    """One returned parcel on a technician's bench.

    status: open → decided, or open → repairing → open (graded again after the repair).
    """

    __tablename__ = "inspections"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    rma_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    grade: str | None = _maybe_text()
    disposition: str | None = _maybe_text()
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    graded_at: datetime | None = _when()
    items: list[dict[str, Any]] = _json()
    currency: str = Field(default="", sa_column=Column(Text, nullable=False))
    route: str = Field(default="local", sa_column=Column(Text, nullable=False))
    photos: list[str] = _json()
    checklist: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    computed_grade: str | None = _maybe_text()
    reasons: list[str] = _json()
    override_reason: str | None = _maybe_text()
    technician: str | None = _maybe_text()
    net_minor: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    alternatives: list[dict[str, Any]] = _json()
    repairs_done: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    decided_at: datetime | None = _when()


class RepairJob(SQLModel, table=True):
    """A repair worth more than it costs: parts and labour, then the unit is re-inspected."""

    __tablename__ = "repair_jobs"
    __table_args__ = {"schema": SCHEMA}

    repair_id: str = Field(sa_column=Column(Text, primary_key=True))
    inspection_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))  # open → done
    parts: list[dict[str, Any]] = _json()
    labour_minutes: int = Field(sa_column=Column(Integer, nullable=False))
    cost_minor: int = Field(sa_column=Column(Integer, nullable=False))
    currency: str = Field(sa_column=Column(Text, nullable=False))
    ordered_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    done_by: str | None = _maybe_text()
    done_at: datetime | None = _when()


class RelabelTask(SQLModel, table=True):
    """A like-new unit to label with the marketplace's FNSKU and send to its warehouse."""

    __tablename__ = "relabel_tasks"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    warehouse: str = Field(sa_column=Column(Text, nullable=False, index=True))
    fnsku: str = Field(sa_column=Column(Text, nullable=False))
    title: str = Field(sa_column=Column(Text, nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))  # open → done
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    done_by: str | None = _maybe_text()
    done_at: datetime | None = _when()


class LiquidationLot(SQLModel, table=True):
    """Units of one category and grade, at one warehouse, sold together to a local
    liquidation channel. status: open → closed."""

    __tablename__ = "liquidation_lots"
    __table_args__ = (
        Index(
            "liquidation_lots_one_open",
            "warehouse",
            "category",
            "grade",
            "currency",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        {"schema": SCHEMA},
    )

    lot_id: str = Field(sa_column=Column(Text, primary_key=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(sa_column=Column(Text, nullable=False))
    grade: str = Field(sa_column=Column(Text, nullable=False))
    currency: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closed_by: str | None = _maybe_text()
    closed_at: datetime | None = _when()


class LotUnit(SQLModel, table=True):
    __tablename__ = "lot_units"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = Field(sa_column=Column(Text, primary_key=True))
    lot_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    items: list[dict[str, Any]] = _json()
    expected_minor: int = Field(sa_column=Column(Integer, nullable=False))
    added_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
