"""Photos buyers add to their cases from their page, sealed.

Revision ID: case_photos
"""

import sqlalchemy as sa
from alembic import op

revision = "case_photos"
down_revision = "amazon_fba"
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "case_photos",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("photo_id", sa.Text, primary_key=True),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("case_photos_by_case", "case_photos", ["case_id", "uploaded_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("case_photos", schema=SCHEMA)
