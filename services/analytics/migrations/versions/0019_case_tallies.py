"""The period reports read cases already tallied per seller and UTC day opened
(`workflows/tallies.py`): a tally of the cases by what the reports group them by, with
their costs, recoveries and ratings; a tally of their first-reply durations (exact, to
the microsecond); and a tally of their breached service-level clocks, which each case row
now counts as its deadline alerts are applied (`breaches`, clock → alerts).

A statement-level trigger on the cases keeps the tallies: it takes the replaced rows'
contribution out and puts the new rows' in, in the writing transaction. A rebuild (or a
bulk load) defers it (`SET LOCAL analytics.tallies = 'deferred'`) and folds the tallies
again at its end.

Revision ID: 0019_case_tallies
Revises: 0018_guide_publications
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.tenancy import build_walls, take_down_walls

revision = "0019_case_tallies"
down_revision = "0018_guide_publications"
SCHEMA = "analytics"
WALLED = {
    "case_tallies": "seller_account",
    "first_reply_tallies": "seller_account",
    "breach_tallies": "seller_account",
}
# What the case tally groups by besides the seller and the day (workflows/tallies.KEYS).
KEYS = (
    "sku",
    "asin",
    "title",
    "category",
    "market",
    "reason",
    "reason_code",
    "scenario",
    "remedy",
    "currency",
    "grade",
    "disposition",
)
STARS = range(1, 6)
DAY = "(opened_at AT TIME ZONE 'UTC')::date"
REPLY_US = (
    "((extract(epoch FROM first_offer_at) - extract(epoch FROM opened_at)) * 1000000)::bigint"
)
COSTED = "cost_minor IS NOT NULL AND baseline_minor IS NOT NULL"
# A tally row's key as one value: titles are unbounded, too long for a key of columns.
TALLY_KEY = (
    "md5("
    + " || '|' || ".join(
        [
            "coalesce(length(seller_account)::text || ':' || seller_account, '~')",
            "coalesce((day - date '2000-01-01')::text, '~')",
            *(f"coalesce(length({k})::text || ':' || {k}, '~')" for k in KEYS),
        ]
    )
    + ")::uuid"
)
MEASURES = (
    "cases",
    "costed",
    "cost_minor",
    "baseline_minor",
    "recovered",
    "recovery_minor",
    *(f"rated_{star}" for star in STARS),
)


def _case_tally_delta() -> str:
    columns = ", ".join(("seller_account", "day", *KEYS, *MEASURES))
    measures = ", ".join(
        (
            "sum(sign)",
            f"coalesce(sum(sign) FILTER (WHERE {COSTED}), 0)",
            f"coalesce(sum(sign * cost_minor) FILTER (WHERE {COSTED}), 0)",
            f"coalesce(sum(sign * baseline_minor) FILTER (WHERE {COSTED}), 0)",
            "coalesce(sum(sign) FILTER (WHERE recovery_minor IS NOT NULL), 0)",
            "coalesce(sum(sign * recovery_minor), 0)",
            *(f"coalesce(sum(sign) FILTER (WHERE rating = {star}), 0)" for star in STARS),
        )
    )
    groups = ", ".join(str(n) for n in range(1, 3 + len(KEYS)))
    changed = " OR ".join(f"d.{m} <> 0" for m in MEASURES)
    added = ", ".join(f"{m} = t.{m} + excluded.{m}" for m in MEASURES)
    return f"""
        INSERT INTO {SCHEMA}.case_tallies AS t ({columns})
        SELECT * FROM (
            SELECT seller_account, {DAY}, {", ".join(KEYS)}, {measures}
            FROM %1$s AS s WHERE sku IS NOT NULL GROUP BY {groups}
        ) AS d ({columns})
        WHERE {changed}
        ORDER BY {groups}
        ON CONFLICT (tally_key) DO UPDATE SET {added}"""


FIRST_REPLY_DELTA = f"""
        INSERT INTO {SCHEMA}.first_reply_tallies AS t (seller_account, day, market, reply_us, cases)
        SELECT seller_account, {DAY}, market, {REPLY_US}, sum(sign)
        FROM %1$s AS s
        WHERE sku IS NOT NULL AND first_offer_at IS NOT NULL AND opened_at IS NOT NULL
        GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (seller_account, day, market, reply_us)
        DO UPDATE SET cases = t.cases + excluded.cases"""

BREACH_DELTA = f"""
        INSERT INTO {SCHEMA}.breach_tallies AS t (seller_account, day, market, clock, breaches)
        SELECT seller_account, {DAY}, market, b.key, sum(sign * b.value::bigint)
        FROM %1$s AS s, jsonb_each_text(s.breaches) AS b
        WHERE sku IS NOT NULL
        GROUP BY 1, 2, 3, 4 HAVING sum(sign * b.value::bigint) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (seller_account, day, market, clock)
        DO UPDATE SET breaches = t.breaches + excluded.breaches"""

# The rows a statement wrote, signed: +1 the new ones, -1 those they replaced.
SOURCES = {
    "INSERT": "(SELECT 1 AS sign, n.* FROM new_cases n)",
    "UPDATE": "(SELECT 1 AS sign, n.* FROM new_cases n UNION ALL SELECT -1, o.* FROM old_cases o)",
    "DELETE": "(SELECT -1 AS sign, o.* FROM old_cases o)",
}


def _trigger_function() -> str:
    statements = "\n".join(
        f"    EXECUTE format($sql${delta}$sql$, source);"
        for delta in (_case_tally_delta(), FIRST_REPLY_DELTA, BREACH_DELTA)
    )
    sources = "\n".join(
        f"    {'IF' if n == 0 else 'ELSIF'} TG_OP = '{op_}' THEN source := '{source}';"
        for n, (op_, source) in enumerate(SOURCES.items())
    )
    return f"""
CREATE FUNCTION {SCHEMA}.tally_cases() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    source text;
BEGIN
    IF current_setting('analytics.tallies', true) = 'deferred' THEN
        RETURN NULL;  -- a rebuild or a bulk load folds the tallies again at its end
    END IF;
{sources}
    END IF;
    -- Tally rows are shared by every writer: one at a time, no deadlock between two
    -- transactions each holding a row the other's next statement wants.
    PERFORM pg_advisory_xact_lock(hashtext('analytics.tallies'));
{statements}
    RETURN NULL;
END
$body$"""


def _refold_function() -> str:
    """Every tally folded again from the cases, set-based: for a rebuild, a bulk load."""
    source = f"(SELECT 1 AS sign, c.* FROM {SCHEMA}.cases c)"
    statements = "\n".join(
        f"    {delta.replace('%1$s', source)};"
        for delta in (_case_tally_delta(), FIRST_REPLY_DELTA, BREACH_DELTA)
    )
    return f"""
CREATE FUNCTION {SCHEMA}.refold_tallies() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    LOCK TABLE {", ".join(f"{SCHEMA}.{t}" for t in WALLED)} IN EXCLUSIVE MODE;
    DELETE FROM {SCHEMA}.case_tallies;
    DELETE FROM {SCHEMA}.first_reply_tallies;
    DELETE FROM {SCHEMA}.breach_tallies;
{statements}
END
$body$"""


ADDED_COUNTS = f"""
CREATE FUNCTION {SCHEMA}.added_counts(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE (
        SELECT jsonb_object_agg(key, total) FROM (
            SELECT key, sum(value::bigint) AS total
            FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) e
            GROUP BY key
        ) s
    ) END
$$"""

BACKFILL_BREACHES = f"""
UPDATE {SCHEMA}.cases AS c SET breaches = b.counts
FROM (
    SELECT case_id, jsonb_object_agg(clock, alerts) AS counts FROM (
        SELECT case_id, data ->> 'clock' AS clock, count(*) AS alerts
        FROM {SCHEMA}.events
        WHERE type = 'resolution.deadline_alert' AND data ->> 'level' = 'breached'
        GROUP BY 1, 2
    ) a GROUP BY case_id
) b
WHERE c.case_id = b.case_id"""


def _tables() -> None:
    day = sa.Column("day", sa.Date)
    op.create_table(
        "case_tallies",
        sa.Column("seller_account", sa.Text),
        day,
        *(sa.Column(key, sa.Text) for key in KEYS),
        *(sa.Column(m, sa.BigInteger, nullable=False) for m in MEASURES),
        sa.Column("tally_key", sa.Uuid, sa.Computed(TALLY_KEY, persisted=True)),
        schema=SCHEMA,
    )
    tallies = "case_tallies"
    op.create_index("case_tallies_by_key", tallies, ["tally_key"], unique=True, schema=SCHEMA)
    op.create_index("case_tallies_by_day", tallies, ["seller_account", "day"], schema=SCHEMA)
    for table, value, measure in (
        ("first_reply_tallies", sa.Column("reply_us", sa.BigInteger), "cases"),
        ("breach_tallies", sa.Column("clock", sa.Text), "breaches"),
    ):
        op.create_table(
            table,
            sa.Column("seller_account", sa.Text),
            sa.Column("day", sa.Date),
            sa.Column("market", sa.Text),
            value,
            sa.Column(measure, sa.BigInteger, nullable=False),
            schema=SCHEMA,
        )
        op.execute(
            f"CREATE UNIQUE INDEX {table}_by_key ON {SCHEMA}.{table}"
            f" (seller_account, day, market, {value.name}) NULLS NOT DISTINCT"
        )


def upgrade() -> None:
    op.add_column("cases", sa.Column("breaches", JSONB), schema=SCHEMA)
    op.execute(ADDED_COUNTS)
    op.execute(BACKFILL_BREACHES)
    _tables()
    op.execute(_trigger_function())
    for event, referencing in (
        ("INSERT", "NEW TABLE AS new_cases"),
        ("UPDATE", "OLD TABLE AS old_cases NEW TABLE AS new_cases"),
        ("DELETE", "OLD TABLE AS old_cases"),
    ):
        op.execute(
            f"CREATE TRIGGER cases_tallied_on_{event.lower()} AFTER {event} ON {SCHEMA}.cases"
            f" REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.tally_cases()"
        )
    op.execute(_refold_function())
    op.execute(f"SELECT {SCHEMA}.refold_tallies()")  # the cases held so far
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER cases_tallied_on_{event} ON {SCHEMA}.cases")
    op.execute(f"DROP FUNCTION {SCHEMA}.refold_tallies()")
    op.execute(f"DROP FUNCTION {SCHEMA}.tally_cases()")
    for table in ("breach_tallies", "first_reply_tallies", "case_tallies"):
        op.drop_table(table, schema=SCHEMA)
    op.execute(f"DROP FUNCTION {SCHEMA}.added_counts(jsonb, jsonb)")
    op.drop_column("cases", "breaches", schema=SCHEMA)
