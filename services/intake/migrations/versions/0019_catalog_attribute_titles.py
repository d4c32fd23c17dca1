"""Catalog variants' attributes in the buyers' languages (the seller's translations of a
variant's size or colour), for the exchange picker.

Revision ID: catalog_attribute_titles
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "catalog_attribute_titles"
down_revision = "message_actions"
SCHEMA = "intake"
TABLE = "catalog_variants"


def upgrade() -> None:
    column = sa.Column(
        "attribute_titles", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")
    )
    op.add_column(TABLE, column, schema=SCHEMA)


def downgrade() -> None:
    op.drop_column(TABLE, "attribute_titles", schema=SCHEMA)
