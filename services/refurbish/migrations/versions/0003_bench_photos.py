"""The photos technicians take of the units at the bench.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
SCHEMA = "refurbish"


def upgrade() -> None:
    op.create_table(
        "bench_photos",
        sa.Column("inspection_id", sa.Text, primary_key=True),
        sa.Column("photo_id", sa.Text, primary_key=True),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("taken_by", sa.Text, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("bench_photos", schema=SCHEMA)
