"""Column helpers for the services' `tables.py`: a SQLModel field on a PostgreSQL column,
nullable exactly when its default is None (so the two cannot disagree)."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine
from sqlmodel import Field

REQUIRED: Any = ...


def column(
    type_: TypeEngine | type[TypeEngine],
    default: Any = REQUIRED,
    *,
    default_factory: Callable[[], Any] | None = None,
    primary_key: bool = False,
    **options: Any,
) -> Any:
    """A field on a column of `type_`; `options` go to the column (index, unique...)."""
    nullable = default is None and not primary_key
    sa_column = Column(type_, primary_key=primary_key, nullable=nullable, **options)
    if default_factory is not None:
        return Field(default_factory=default_factory, sa_column=sa_column)
    return Field(default=default, sa_column=sa_column)


def text(default: Any = REQUIRED, **options: Any) -> Any:
    return column(Text, default, **options)


def integer(default: Any = REQUIRED, **options: Any) -> Any:
    return column(Integer, default, **options)


def big_integer(default: Any = REQUIRED, **options: Any) -> Any:
    return column(BigInteger, default, **options)


def moment(default: Any = REQUIRED, **options: Any) -> Any:
    """A point in time, with its time zone (`timestamptz`)."""
    return column(DateTime(timezone=True), default, **options)


def json(default_factory: Callable[[], Any] = list, **options: Any) -> Any:
    """A JSONB value never NULL: an empty list (or what `default_factory` makes) at first."""
    return column(JSONB, default_factory=default_factory, **options)
