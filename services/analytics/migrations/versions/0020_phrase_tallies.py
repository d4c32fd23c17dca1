"""The phrases buyers wrote, counted once as their texts are applied, per seller, listing,
market, return reason and UTC day the case opened, with the texts counted alike: the
listings and markets reports rank them without reading every text again
(`workflows/phrase_tallies.py`). Empty when made: `make analytics-rebuild` once after
upgrading counts the texts already kept.

Revision ID: 0020_phrase_tallies
Revises: 0018_guide_publications
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from shared.tenancy import build_walls, take_down_walls

revision = "0020_phrase_tallies"
down_revision = "0019_case_tallies"
SCHEMA = "analytics"
KEY = ("seller_account", "sku", "market", "reason", "day")
WALLED = {"phrase_tallies": "seller_account", "buyer_text_tallies": "seller_account"}


def _key() -> list[sa.Column]:
    return [
        sa.Column("seller_account", sa.Text()),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("market", sa.Text()),
        sa.Column("reason", sa.Text()),
        sa.Column("day", sa.Date()),
    ]


def upgrade() -> None:
    op.create_table(
        "phrase_tallies",
        *_key(),
        sa.Column("phrase", ARRAY(sa.Text()), nullable=False),
        sa.Column("texts", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "phrase_tallies_key",
        "phrase_tallies",
        [*KEY, "phrase"],
        unique=True,
        postgresql_nulls_not_distinct=True,
        schema=SCHEMA,
    )
    _spent_index("phrase_tallies")
    op.create_table(
        "buyer_text_tallies",
        *_key(),
        sa.Column("texts", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "buyer_text_tallies_key",
        "buyer_text_tallies",
        list(KEY),
        unique=True,
        postgresql_nulls_not_distinct=True,
        schema=SCHEMA,
    )
    _spent_index("buyer_text_tallies")
    build_walls(op.execute, SCHEMA, WALLED)


def _spent_index(table: str) -> None:
    """Counts come to nothing found at once, to be dropped."""
    op.create_index(
        f"{table}_spent",
        table,
        ["sku"],
        postgresql_where=sa.text("texts <= 0"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
    op.drop_table("buyer_text_tallies", schema=SCHEMA)
    op.drop_table("phrase_tallies", schema=SCHEMA)
