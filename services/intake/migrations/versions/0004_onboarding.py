"""Sellers' channel accounts onboarded through the API: when each was made and changed,
whether it is disabled, and whether CHANNEL_ACCOUNTS_FILE still keeps it up to date.

The accounts there are came from the file, and stay the file's until the API changes them.

Revision ID: onboarding
"""

import sqlalchemy as sa
from alembic import op

revision = "onboarding"
down_revision = "account_keys"
SCHEMA = "intake"


def upgrade() -> None:
    for name, type_, default in (
        ("managed_by", sa.Text, sa.text("'file'")),
        ("created_at", sa.DateTime(timezone=True), sa.func.now()),
        ("updated_at", sa.DateTime(timezone=True), sa.func.now()),
    ):
        op.add_column(
            "channel_accounts",
            sa.Column(name, type_, nullable=False, server_default=default),
            schema=SCHEMA,
        )
        op.alter_column("channel_accounts", name, server_default=None, schema=SCHEMA)
    op.add_column(
        "channel_accounts", sa.Column("disabled_at", sa.DateTime(timezone=True)), schema=SCHEMA
    )


def downgrade() -> None:
    for name in ("disabled_at", "updated_at", "created_at", "managed_by"):
        op.drop_column("channel_accounts", name, schema=SCHEMA)
