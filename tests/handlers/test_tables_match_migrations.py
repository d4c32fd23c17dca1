"""Each service's migrations at head build the schema its `tables.py` describes (and the
audit trail's, the table of `shared/audit.py`).

Alembic's `compare_metadata` reads the migrated schema back from PostgreSQL and compares it
with the service's tables plus the outbox and inbox every service schema holds: columns,
types, nullability, keys, unique constraints and indexes. It leaves out partial indexes'
predicates and check constraints, compared here after it. Server defaults are left out: the
migrations set them to fill the rows that existed when a column was added, and the services
always write their own values.
"""

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, MetaData, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from shared.messaging_tables import DeadLetterRecord, InboxMessage, OutboxMark, OutboxMessage
from shared.migrations import HISTORIES

MESSAGING_TABLES = (
    OutboxMessage.__table__,
    OutboxMark.__table__,
    InboxMessage.__table__,
    DeadLetterRecord.__table__,
)


def described(service: str) -> MetaData:
    """What the service's code says its schema holds: its tables, the outbox and inbox (the
    audit trail's schema: its one table)."""
    importlib.import_module("shared.audit" if service == "audit" else f"services.{service}.tables")
    metadata = MetaData()
    for table in SQLModel.metadata.tables.values():
        if table.schema == service:
            table.to_metadata(metadata)
    for table in MESSAGING_TABLES if service != "audit" else ():
        table.to_metadata(metadata, schema=service)
    return metadata


def differences(connection: Connection, service: str, metadata: MetaData) -> list[Any]:
    def in_schema(name: str | None, type_: str, parent: dict[str, Any]) -> bool:
        if type_ == "schema":
            return name == service
        if type_ == "table":
            return parent["schema_name"] == service and name != "alembic_version"
        return True

    context = MigrationContext.configure(
        connection,
        opts={"include_schemas": True, "include_name": in_schema, "compare_type": True},
    )
    return compare_metadata(context, metadata)


def said(difference: Any) -> str:
    """One difference in words: `add_*` is in tables.py only, `remove_*` in the database only."""
    if isinstance(difference, list):  # a column's changes come as a list
        return "; ".join(said(each) for each in difference)
    kind, *details = difference
    names = [d if isinstance(d, str) else getattr(d, "name", None) for d in details]
    changes = [repr(d) for d in details[-2:]] if kind.startswith("modify_") else []
    return " ".join([kind, ".".join(n for n in names if n), *changes])


def predicate_of(connection: Connection, schema: str, index: str) -> str | None:
    return connection.execute(
        text(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index "
            "WHERE indexrelid = CAST(:i AS regclass)"
        ),
        {"i": f'"{schema}"."{index}"'},
    ).scalar_one()


def checks_of(connection: Connection, schema: str, table: str) -> dict[str, str]:
    return dict(
        connection.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'c'"
            ),
            {"t": f'"{schema}"."{table}"'},
        ).all()
    )


def different_conditions(connection: Connection, service: str, metadata: MetaData) -> list[str]:
    """Partial indexes' predicates and check constraints that differ (Alembic compares neither).
    Each condition of the code is written by PostgreSQL on a probe (rolled back) and read back
    the way the migrated one is, so that both are spelled alike."""
    dialect = postgresql.dialect()

    def sql(condition: Any) -> str:
        return str(condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    found = []
    with connection.begin_nested() as probes:
        for table in metadata.tables.values():
            where = f'"{service}"."{table.name}"'
            for index in table.indexes:
                predicate = index.dialect_options["postgresql"]["where"]
                if predicate is not None:
                    connection.exec_driver_sql(
                        f'CREATE INDEX "probe_{index.name}" ON {where} '
                        f'("{next(iter(table.columns)).name}") WHERE {sql(predicate)}'
                    )
                    predicate = predicate_of(connection, service, f"probe_{index.name}")
                migrated = predicate_of(connection, service, index.name)
                if migrated != predicate:
                    found.append(
                        f"{table.name}.{index.name}: WHERE {migrated} in the database, "
                        f"WHERE {predicate} in tables.py"
                    )
            for check in table.constraints:
                if isinstance(check, CheckConstraint):
                    connection.exec_driver_sql(
                        f'ALTER TABLE {where} ADD CONSTRAINT "probe_{check.name}" '
                        f"CHECK ({sql(check.sqltext)}) NOT VALID"
                    )
            checks = checks_of(connection, service, table.name)
            in_code = {
                name.removeprefix("probe_"): check.removesuffix(" NOT VALID")
                for name, check in checks.items()
                if name.startswith("probe_")
            }
            migrated = {n: check for n, check in checks.items() if not n.startswith("probe_")}
            if migrated != in_code:
                found.append(
                    f"{table.name} checks: {migrated} in the database, {in_code} in tables.py"
                )
        probes.rollback()
    return found


@pytest.mark.parametrize("service", HISTORIES)
async def test_migrations_at_head_build_the_tables_the_code_describes(settings, service):
    metadata = described(service)
    engine = create_async_engine(settings.async_database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences, service, metadata)
            found = [said(difference) for difference in found]
            if not found:
                found = await connection.run_sync(different_conditions, service, metadata)
    finally:
        await engine.dispose()
    assert found == [], f"{service}: migrations at head and tables.py differ: {found}"
