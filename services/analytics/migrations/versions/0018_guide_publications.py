"""The troubleshooting and setup guides published to a listing's buyers beside its FAQ
entries (the text as published, the return reasons it answers, when), for the public page,
the marketplace exports and the FAQ effect report.

Revision ID: 0018_guide_publications
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018_guide_publications"
down_revision = "0017"
SCHEMA = "analytics"


def upgrade() -> None:
    op.create_table(
        "guide_publications",
        sa.Column("seller_account", sa.Text(), primary_key=True),
        sa.Column("sku", sa.Text(), primary_key=True),
        sa.Column("guide_id", sa.Text(), primary_key=True),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("steps", JSONB(), nullable=False),
        sa.Column("covers", JSONB(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("guide_publications", schema=SCHEMA)
