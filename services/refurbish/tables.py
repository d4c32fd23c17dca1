"""Refurbish's tables, in the `refurbish` schema. A lifecycle's column holds the value of
its state in the domain (`domain/inspections`, `repairs`, `outlets`); rows read back hold
the plain string."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, LargeBinary
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import SQLModel

from shared.columns import column, integer, json, moment, text

SCHEMA = "refurbish"
# One open lot per warehouse, category, grade and currency: the partial unique index's
# predicate, which an upsert opening a lot names too.
ONE_OPEN_LOT = sql("status = 'open'")


class Inspection(SQLModel, table=True):
    """One returned parcel on a technician's bench.

    status: open → decided, or open → repairing → open (graded again after the repair), or
    open → held (`held_reason`: a buyer's unit in for a repair the shop cannot do).
    `for_repair`: the buyer's own unit, repaired and sent back, never sold.
    """

    __tablename__ = "inspections"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = text(primary_key=True)
    case_id: str = text(index=True)
    rma_id: str = text(unique=True)
    warehouse: str = text()
    status: str = text()  # InspectionState
    grade: str | None = text(None)
    disposition: str | None = text(None)
    notes: str = text("")
    opened_at: datetime = moment()
    graded_at: datetime | None = moment(None)
    items: list[dict[str, Any]] = json()
    currency: str = text("")
    route: str = text("local")
    photos: list[str] = json()
    checklist: dict[str, Any] | None = column(JSONB, None)
    computed_grade: str | None = text(None)
    reasons: list[str] = json()
    override_reason: str | None = text(None)
    technician: str | None = text(None)
    net_minor: int | None = integer(None)
    alternatives: list[dict[str, Any]] = json()
    repairs_done: int = integer(0)
    decided_at: datetime | None = moment(None)
    for_repair: bool = column(Boolean, False)
    held_reason: str | None = text(None)


class RepairJob(SQLModel, table=True):
    """A repair worth more than it costs: parts and labour, then the unit is re-inspected."""

    __tablename__ = "repair_jobs"
    __table_args__ = {"schema": SCHEMA}

    repair_id: str = text(primary_key=True)
    inspection_id: str = text(index=True)
    case_id: str = text()
    warehouse: str = text()
    status: str = text()  # RepairState: open → done
    parts: list[dict[str, Any]] = json()
    labour_minutes: int = integer()
    cost_minor: int = integer()
    currency: str = text()
    ordered_at: datetime = moment()
    done_by: str | None = text(None)
    done_at: datetime | None = moment(None)


class RelabelTask(SQLModel, table=True):
    """A like-new unit to label with the marketplace's FNSKU and send to its warehouse."""

    __tablename__ = "relabel_tasks"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = text(primary_key=True)
    case_id: str = text()
    warehouse: str = text(index=True)
    fnsku: str = text()
    title: str = text()
    quantity: int = integer()
    status: str = text()  # RelabelState: open → done
    created_at: datetime = moment()
    done_by: str | None = text(None)
    done_at: datetime | None = moment(None)


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
            postgresql_where=ONE_OPEN_LOT,
        ),
        {"schema": SCHEMA},
    )

    lot_id: str = text(primary_key=True)
    warehouse: str = text()
    category: str = text()
    grade: str = text()
    currency: str = text()
    status: str = text()  # LotState
    opened_at: datetime = moment()
    closed_by: str | None = text(None)
    closed_at: datetime | None = moment(None)


class LotUnit(SQLModel, table=True):
    __tablename__ = "lot_units"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = text(primary_key=True)
    lot_id: str = text(index=True)
    case_id: str = text()
    items: list[dict[str, Any]] = json()
    expected_minor: int = integer()
    added_at: datetime = moment()


class BenchPhoto(SQLModel, table=True):
    """A photo the technician took of a unit at the bench (the device's camera), named by
    its content: the same photo sent twice is kept once."""

    __tablename__ = "bench_photos"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = text(primary_key=True)
    photo_id: str = text(primary_key=True)
    content_type: str = text()
    content: bytes = column(LargeBinary)
    taken_by: str = text()
    taken_at: datetime = moment()
