"""Column helpers: nullable exactly when the default is None."""

from sqlalchemy import BigInteger, DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB

from shared.columns import big_integer, integer, json, moment, text

FIELDS = {
    "sample_id": text(primary_key=True),
    "name": text(),
    "note": text(""),
    "nickname": text(None),
    "count": integer(0),
    "total": big_integer(None, index=True),
    "at": moment(),
    "seen_at": moment(None),
    "items": json(),
}


def column(name: str):
    return FIELDS[name].sa_column


def test_nullable_only_where_the_default_is_none():
    nullable = {name for name in FIELDS if column(name).nullable}
    assert nullable == {"nickname", "total", "seen_at"}


def test_each_helper_names_its_type():
    assert isinstance(column("name").type, Text) and isinstance(column("count").type, Integer)
    assert isinstance(column("total").type, BigInteger) and isinstance(column("items").type, JSONB)
    assert isinstance(column("at").type, DateTime) and column("at").type.timezone
    assert column("sample_id").primary_key and not column("sample_id").nullable
    assert column("total").index


def test_defaults_reach_the_field():
    assert FIELDS["note"].default == "" and FIELDS["count"].default == 0
    assert FIELDS["nickname"].default is None
    assert FIELDS["items"].default_factory is list
    assert FIELDS["at"].is_required() and not FIELDS["seen_at"].is_required()
