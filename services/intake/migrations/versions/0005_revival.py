"""Failed deliveries revived: by an operator's retry or by the marketplace delivering them
again. `revived_at` starts their tries' time budget anew; a revival wakes the delivery
worker of the channel's lane as an insert does; failed deliveries are found by an index.

Revision ID: revival
"""

import sqlalchemy as sa
from alembic import op

revision = "revival"
down_revision = "onboarding"
SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("revived_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.execute(
        f"""
        CREATE TRIGGER deliveries_notify_revived AFTER UPDATE OF state ON {SCHEMA}.deliveries
            FOR EACH ROW
            WHEN (OLD.state IS DISTINCT FROM NEW.state AND NEW.state = 'accepted')
            EXECUTE FUNCTION {SCHEMA}.notify_delivery()
        """
    )
    op.create_index(
        "deliveries_failed",
        "deliveries",
        ["received_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'failed'"),
    )


def downgrade() -> None:
    op.drop_index("deliveries_failed", "deliveries", schema=SCHEMA)
    op.execute(f"DROP TRIGGER deliveries_notify_revived ON {SCHEMA}.deliveries")
    op.drop_column("deliveries", "revived_at", schema=SCHEMA)
