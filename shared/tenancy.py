"""The second wall between sellers: PostgreSQL row-level security on the HTTP read paths.

The first wall is in every query (`Principal.sellers_in`). This one holds even where a
query forgets it: a GET or HEAD of someone scoped to sellers (an agent, a seller admin,
operations) reads in a transaction under the role `aftersales_reader`, which may only
SELECT, and whose policies on the seller-owned tables admit only the rows of the sellers in
the transaction's `aftersales.sellers` setting (a JSON list). Writes, event consumers,
workers, the platform admin and the services keep the login role, the tables' owner, which
row-level security does not restrict.

Each service's migrations wall their tables with `build_walls` (the reader may read the
rest of their schema) and take them down with `take_down_walls`.
"""

import json
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, text

from shared.identity import Principal, Role

READER = "aftersales_reader"
SELLERS_SETTING = "aftersales.sellers"
INFO_KEY = "walled_sellers"  # in a session's `info`: the sellers its reads are walled to
READS = frozenset({"GET", "HEAD"})
SCOPED_ROLES = frozenset({Role.AGENT, Role.SELLER_ADMIN, Role.OPERATIONS})


def walled_sellers(principal: Principal | None, method: str) -> tuple[str, ...] | None:
    """The sellers a request's reads are walled to; None: not walled."""
    if principal is None or method not in READS or principal.every_seller:
        return None
    if not principal.roles & SCOPED_ROLES:
        return None
    return tuple(sorted(principal.sellers))


def enter_wall(connection: Connection, sellers: Iterable[str]) -> None:
    """What a walled transaction runs first (both LOCAL: gone at its end)."""
    connection.exec_driver_sql(f"SET LOCAL ROLE {READER}")
    connection.execute(
        text(f"SELECT set_config('{SELLERS_SETTING}', :sellers, true)"),
        {"sellers": json.dumps(list(sellers))},
    )


def reader_sql(schema: str) -> list[str]:
    """The reader role (made once per cluster), allowed to read every table of `schema`,
    today's and those made later by the same owner. Two databases of one cluster migrated
    at once (parallel test runs) race on the role: whoever loses finds it made, and a
    role that could not be made at all fails the GRANTs after it, saying so."""
    return [
        f"""DO $$ BEGIN
            CREATE ROLE {READER} NOLOGIN;
        EXCEPTION WHEN OTHERS THEN NULL;
        END $$""",
        f"""DO $$ BEGIN
            EXECUTE format('GRANT {READER} TO %I', current_user);
        EXCEPTION WHEN OTHERS THEN NULL;
        END $$""",
        f"GRANT USAGE ON SCHEMA {schema} TO {READER}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {READER}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {READER}",
    ]


def wall_sql(table: str, seller_column: str) -> list[str]:
    """Row-level security on `table` (schema-qualified): the reader sees the rows of the
    sellers in its transaction's setting, none without it."""
    setting = f"current_setting('{SELLERS_SETTING}', true)::jsonb"
    admitted = f"(SELECT jsonb_array_elements_text({setting}))"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS sellers_only ON {table}",
        f"CREATE POLICY sellers_only ON {table} FOR SELECT TO {READER} "
        f"USING ({seller_column} = ANY (ARRAY{admitted}))",
    ]


def unwall_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS sellers_only ON {table}",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def build_walls(execute: Callable[[str], object], schema: str, walled: dict[str, str]) -> None:
    """The reader role on `schema`, and each of its `walled` tables (name → seller column)
    walled; `execute` runs one statement (a migration's `op.execute`)."""
    for statement in reader_sql(schema):
        execute(statement)
    for table, column in walled.items():
        for statement in wall_sql(f"{schema}.{table}", column):
            execute(statement)


def take_down_walls(execute: Callable[[str], object], schema: str, walled: dict[str, str]) -> None:
    for table in walled:
        for statement in unwall_sql(f"{schema}.{table}"):
            execute(statement)
