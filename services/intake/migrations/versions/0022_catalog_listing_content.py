"""Catalog variants' listing content per market (title, bullets, description, size chart,
attributes as each marketplace shows them), for analytics' listing audit.

Revision ID: catalog_listing_content
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "catalog_listing_content"
down_revision = "dead_letters"
SCHEMA = "intake"
TABLE = "catalog_variants"


def upgrade() -> None:
    column = sa.Column("listings", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))
    op.add_column(TABLE, column, schema=SCHEMA)


def downgrade() -> None:
    op.drop_column(TABLE, "listings", schema=SCHEMA)
