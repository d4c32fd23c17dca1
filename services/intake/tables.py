"""Intake's tables, in the `intake` schema."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

SCHEMA = "intake"


class CaseRecord(SQLModel, table=True):
    """A case as received; (marketplace, marketplace_event_id) makes redelivery harmless."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("marketplace", "marketplace_event_id", name="cases_delivery_once"),
        {"schema": SCHEMA},
    )

    case_id: str = Field(sa_column=Column(Text, primary_key=True))
    marketplace: str = Field(sa_column=Column(Text, nullable=False))
    marketplace_event_id: str = Field(sa_column=Column(Text, nullable=False))
    order_id: str = Field(sa_column=Column(Text, nullable=False))
    market: str = Field(sa_column=Column(Text, nullable=False))
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # The full canonical case, exactly as published in case.opened.
    case: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
