"""Refurbish's tables, in the `refurbish` schema."""

from datetime import datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel

SCHEMA = "refurbish"


class Inspection(SQLModel, table=True):
    """One returned unit on a technician's bench: opened, then graded once."""

    __tablename__ = "inspections"
    __table_args__ = {"schema": SCHEMA}

    inspection_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    rma_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    warehouse: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    grade: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    disposition: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    graded_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
