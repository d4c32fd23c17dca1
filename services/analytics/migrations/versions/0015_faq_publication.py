"""When a listing's FAQ entry was published to its buyers (none: not published): the public
page and the marketplace exports show published entries only, and the FAQ effect report
compares the listing's return reasons before and after that moment.

Revision ID: 0015_faq_publication
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_faq_publication"
down_revision = "0014"
SCHEMA = "analytics"


def upgrade() -> None:
    op.add_column(
        "faq_entries", sa.Column("published_at", sa.DateTime(timezone=True)), schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_column("faq_entries", "published_at", schema=SCHEMA)
