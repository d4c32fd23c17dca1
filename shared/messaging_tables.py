"""The outbox, inbox and dead-letter tables, present in every service's schema."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
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
        Index("outbox_by_key", "key", "id"),
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


WAITING = "waiting"  # a dead letter nobody has settled yet
REDRIVEN = "redriven"  # republished to its topic through the outbox
DISCARDED = "discarded"  # set aside by an operator, with the reason


class DeadLetterRecord(SQLModel, table=True):
    """An event this service's consumer could not apply and parked on the dead-letter
    topic: kept here too, so that operators list, re-drive or discard it without reading
    Kafka (`shared/recovery.py`). One row per record a consumer parked."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        UniqueConstraint("consumer", "topic", "partition", "offset", name="dead_letters_once"),
        Index(
            "dead_letters_waiting", "topic", "dead_at", postgresql_where=text("state = 'waiting'")
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    consumer: str = Field(sa_column=Column(Text, nullable=False))
    topic: str = Field(sa_column=Column(Text, nullable=False))  # the original topic
    partition: int = Field(sa_column=Column(Integer, nullable=False))
    offset: int = Field(sa_column=Column(BigInteger, nullable=False))
    # From the envelope when it could be read (an unreadable one has none).
    event_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    event_type: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    case_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    cause: str = Field(sa_column=Column(Text, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the record's value, as text
    headers: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    dead_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    state: str = Field(default=WAITING, sa_column=Column(Text, nullable=False))
    redrives: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    settled_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    settled_by: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    discard_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
