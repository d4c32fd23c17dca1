"""The audit trail, append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (superusers
included), and the role that migrates, which the services connect as, keeps INSERT and
SELECT only.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0001"
down_revision = None
SCHEMA = "audit"


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("roles", ARRAY(sa.Text), nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("case_id", sa.Text, nullable=True),
        sa.Column("path_params", JSONB, nullable=False),
        sa.Column("personal_data", sa.Text, nullable=True),
        sa.Column("client_address", sa.Text, nullable=True),
        schema=SCHEMA,
    )
    op.create_index("entries_by_case", "entries", ["case_id", "at"], schema=SCHEMA)
    op.create_index("entries_by_subject", "entries", ["subject", "at"], schema=SCHEMA)
    op.create_index("entries_by_service", "entries", ["service", "at"], schema=SCHEMA)
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        f"ON {SCHEMA}.entries FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change()"
    )
    op.execute(f"REVOKE ALL ON {SCHEMA}.entries FROM PUBLIC")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {SCHEMA}.entries FROM CURRENT_USER")


def downgrade() -> None:
    op.drop_table("entries", schema=SCHEMA)
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.refuse_change()")
