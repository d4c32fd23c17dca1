"""The outbox and inbox tables, present in every service's schema."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, Integer, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class OutboxMessage(SQLModel, table=True):
    """An event, written in the same transaction as its cause; kept once published
    (`published_at` set) for OUTBOX_RETENTION_DAYS, so that it can be published again
    after the broker lost it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    event_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    topic: str = Field(sa_column=Column(Text, nullable=False))
    key: str = Field(sa_column=Column(Text, nullable=False))
    envelope: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    headers: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class OutboxMark(SQLModel, table=True):
    """Where the relay's last batch landed in a partition: the partition's end offset is at
    least this (the batch's first offset + 1). A partition whose end falls below its mark
    has lost events the outbox still holds."""

    __tablename__ = "outbox_marks"

    topic: str = Field(sa_column=Column(Text, primary_key=True))
    partition: int = Field(sa_column=Column(Integer, primary_key=True))
    end_at_least: int = Field(sa_column=Column(BigInteger, nullable=False))
    recorded_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class InboxMessage(SQLModel, table=True):
    """An event a consumer has applied; its row commits with the effect."""

    __tablename__ = "inbox"
    __table_args__ = (Index("inbox_by_case", "case_id", "applied_at"),)

    consumer: str = Field(sa_column=Column(Text, primary_key=True))
    event_id: str = Field(sa_column=Column(Text, primary_key=True))
    event_type: str = Field(sa_column=Column(Text, nullable=False))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    # The case's trace, so that later work on the case (a scan, a grade) joins it.
    trace_headers: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    applied_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
