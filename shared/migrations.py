"""Alembic migrations, one history per schema: each service's, and shared's audit trail.

Each service keeps `migrations/` beside its tables; its env.py calls
`run_migrations_for(schema)` and its first revision calls `create_messaging_tables`.
The audit trail's schema (`audit`, written by every service) has its history in
`shared/audit_migrations/`, migrated before the services'.
"""

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.outbox import outbox_channel
from shared.settings import SERVICE_NAMES, ServiceSettings

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
AUDIT_MIGRATIONS = Path(__file__).resolve().parent / "audit_migrations"
# Every history, in the order they are migrated: a schema's name is its history's.
HISTORIES = ("audit", *SERVICE_NAMES)


def create_messaging_tables(schema: str) -> None:
    """Create the outbox and inbox in a service schema (called from a first migration).

    Spelled out rather than derived from the models, so that this revision never
    changes when the models do.
    """
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        schema=schema,
    )
    op.create_index(
        "outbox_unpublished",
        "outbox",
        ["id"],
        schema=schema,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("trace_headers", JSONB, nullable=False),
        sa.Column(
            "applied_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=schema,
    )
    op.create_index("inbox_by_case", "inbox", ["case_id", "applied_at"], schema=schema)
    # Wake the outbox relay once per inserting statement; NOTIFY is delivered on commit.
    op.execute(
        f"""
        CREATE FUNCTION "{schema}".wake_outbox_relay() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{outbox_channel(schema)}', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER outbox_inserted AFTER INSERT ON "{schema}".outbox
            FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".wake_outbox_relay()
        """
    )


def create_outbox_marks(schema: str) -> None:
    """Where the relay last published in each partition (`shared/outbox.py`), to tell a
    broker that lost events; spelled out, as `create_messaging_tables`."""
    op.create_table(
        "outbox_marks",
        sa.Column("topic", sa.Text, primary_key=True),
        sa.Column("partition", sa.Integer, primary_key=True),
        sa.Column("end_at_least", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        schema=schema,
    )


def drop_outbox_marks(schema: str) -> None:
    op.drop_table("outbox_marks", schema=schema)


def index_outbox_by_case(schema: str) -> None:
    """The outbox by event key (the case): a request on a case this service opened, before
    any event of it came back, finds the case's first trace in the event it emitted."""
    op.create_index("outbox_by_key", "outbox", ["key", "id"], schema=schema)


def drop_outbox_by_case(schema: str) -> None:
    op.drop_index("outbox_by_key", "outbox", schema=schema)


def notify_on_insert(schema: str, table: str, channel: str) -> None:
    """Wake a worker that LISTENs on `channel` when rows are inserted (on commit)."""
    function = f"{schema}.notify_{table}_inserted"
    op.execute(
        f"""
        CREATE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('{channel}', '');
            RETURN NULL;
        END $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_inserted AFTER INSERT ON {schema}.{table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )


def drop_notify_on_insert(schema: str, table: str) -> None:
    """After the table is dropped (which drops its trigger)."""
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.notify_{table}_inserted()")


def add_key_column(schema: str, table: str, column: str, key: list[str]) -> None:
    """A new text column (empty in the rows there are) that joins the table's primary key."""
    op.add_column(
        table, sa.Column(column, sa.Text, nullable=False, server_default=""), schema=schema
    )
    op.drop_constraint(f"{table}_pkey", table, schema=schema)
    op.create_primary_key(f"{table}_pkey", table, [*key, column], schema=schema)


def drop_key_column(schema: str, table: str, column: str, key: list[str]) -> None:
    """Undo add_key_column: the rows that needed the column go with it."""
    op.execute(f"DELETE FROM {schema}.{table} WHERE {column} <> ''")
    op.drop_constraint(f"{table}_pkey", table, schema=schema)
    op.create_primary_key(f"{table}_pkey", table, key, schema=schema)
    op.drop_column(table, column, schema=schema)


def create_dead_letters_table(schema: str) -> None:
    """The dead letters a service's consumer parked (`shared/messaging_tables.py`),
    spelled out so that this never changes when the model does."""
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("event_id", sa.Text, nullable=True),
        sa.Column("event_type", sa.Text, nullable=True),
        sa.Column("case_id", sa.Text, nullable=True),
        sa.Column("cause", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("redrives", sa.Integer, nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.Text, nullable=True),
        sa.Column("discard_reason", sa.Text, nullable=True),
        sa.UniqueConstraint("consumer", "topic", "partition", "offset", name="dead_letters_once"),
        schema=schema,
    )
    op.create_index(
        "dead_letters_waiting",
        "dead_letters",
        ["topic", "dead_at"],
        schema=schema,
        postgresql_where=sa.text("state = 'waiting'"),
    )


def drop_dead_letters_table(schema: str) -> None:
    op.drop_table("dead_letters", schema=schema)


def drop_messaging_tables(schema: str) -> None:
    op.drop_table("inbox", schema=schema)
    op.drop_table("outbox", schema=schema)
    op.execute(f'DROP FUNCTION IF EXISTS "{schema}".wake_outbox_relay()')


def run_migrations_for(schema: str) -> None:
    """Body of every service's env.py: migrate the schema online over asyncpg."""
    url = context.config.get_main_option("sqlalchemy.url")

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, version_table_schema=schema, include_schemas=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await connection.commit()
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())


def migrations_of(history: str) -> Path:
    return AUDIT_MIGRATIONS if history == "audit" else SERVICES_DIR / history / "migrations"


def alembic_config(service: str, settings: ServiceSettings) -> Config:
    """The configuration of a history: a service's, or `audit`."""
    config = Config()
    config.set_main_option("script_location", str(migrations_of(service)))
    config.set_main_option("sqlalchemy.url", settings.async_database_url.replace("%", "%%"))
    return config


def upgrade_service(service: str, settings: ServiceSettings) -> None:
    command.upgrade(alembic_config(service, settings), "head")


async def upgrade_all(settings: ServiceSettings) -> None:
    """Bring every schema to its latest revision (alembic runs its own loop)."""
    for service in HISTORIES:
        await asyncio.to_thread(upgrade_service, service, settings)
