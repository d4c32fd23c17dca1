"""The knowledge base by symptom: each case keeps the symptoms its buyer names, and every
edit of a seller's guide is kept as a version (the guides standing today become their
version 1), walled between sellers like the guides.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.tenancy import build_walls, take_down_walls

revision = "0006"
down_revision = "0005"
SCHEMA = "resolution"
WALLED = {"guide_versions": "seller_account"}


def upgrade() -> None:
    op.add_column(
        "decisions",
        sa.Column("symptoms", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        schema=SCHEMA,
    )
    op.create_table(
        "guide_versions",
        sa.Column("seller_account", sa.Text, primary_key=True),
        sa.Column("guide_id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("guide", JSONB),  # NULL: the guide was removed
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("created_by", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.execute(
        f"INSERT INTO {SCHEMA}.guide_versions "
        "(seller_account, guide_id, version, guide, created_at, created_by) "
        f"SELECT seller_account, guide_id, 1, guide, updated_at, '' FROM {SCHEMA}.guides"
    )
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
    op.drop_table("guide_versions", schema=SCHEMA)
    op.drop_column("decisions", "symptoms", schema=SCHEMA)
