"""Lookups at a million cases (`make bench-scale`): each case's count of kept events on its
row, so the summary counts the cases only, and trigram indexes on what the live case list
searches (case id, SKU, title), so a search reads the matching rows, not the table.

Revision ID: 0021_lookups_at_scale
Revises: 0018_guide_publications
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_lookups_at_scale"
down_revision = "0020_phrase_tallies"
SCHEMA = "analytics"
SEARCHED = ("case_id", "sku", "title")


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column("events_kept", sa.Integer(), nullable=False, server_default=sa.text("0")),
        schema=SCHEMA,
    )
    op.execute(
        f"""UPDATE {SCHEMA}.cases SET events_kept = kept.events
            FROM (SELECT case_id, count(*) AS events FROM {SCHEMA}.events GROUP BY case_id) kept
            WHERE cases.case_id = kept.case_id"""
    )
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        op.create_index(
            f"cases_{column}_trigrams",
            "cases",
            [column],
            schema=SCHEMA,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    for column in SEARCHED:
        op.drop_index(f"cases_{column}_trigrams", "cases", schema=SCHEMA)
    op.drop_column("cases", "events_kept", schema=SCHEMA)
