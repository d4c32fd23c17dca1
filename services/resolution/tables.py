"""Resolution's tables, in the `resolution` schema."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

SCHEMA = "resolution"


class CaseDecision(SQLModel, table=True):
    """The remedy chosen for a case; a later fallback replaces it."""

    __tablename__ = "decisions"
    __table_args__ = {"schema": SCHEMA}

    case_id: str = Field(sa_column=Column(Text, primary_key=True))
    market: str = Field(sa_column=Column(Text, nullable=False))
    region: str = Field(sa_column=Column(Text, nullable=False))
    currency: str = Field(sa_column=Column(Text, nullable=False))
    scenario: str = Field(sa_column=Column(Text, nullable=False))
    remedy: str = Field(sa_column=Column(Text, nullable=False))
    refund_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    rule: str = Field(sa_column=Column(Text, nullable=False))
    items: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
