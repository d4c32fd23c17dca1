"""The sweeper wakes when an offer or a clock comes due earlier than it planned: a new
offer's or clock's insert notifies `resolution_due` with the earliest due time it added
(on commit; none when nothing it added is due), so the sweeper sleeps until the next due
time instead of polling.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
SCHEMA = "resolution"
CHANNEL = "resolution_due"

# Table → the due time of each inserted row the sweeper will look at.
DUE_TIMES = {
    "offers": "CASE WHEN state = 'open' THEN expires_at END",
    "clocks": "CASE state WHEN 'running' THEN warn_at WHEN 'near_breach' THEN due_at END",
}


def upgrade() -> None:
    for table, due in DUE_TIMES.items():
        op.execute(
            f"""
            CREATE FUNCTION {SCHEMA}.notify_{table}_due() RETURNS trigger AS $$
            DECLARE
                first_due timestamptz := (SELECT min({due}) FROM added);
            BEGIN
                IF first_due IS NOT NULL THEN
                    PERFORM pg_notify('{CHANNEL}', first_due::text);
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_due AFTER INSERT ON {SCHEMA}.{table} "
            f"REFERENCING NEW TABLE AS added "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.notify_{table}_due()"
        )


def downgrade() -> None:
    for table in DUE_TIMES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_due ON {SCHEMA}.{table}")
        op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.notify_{table}_due()")
