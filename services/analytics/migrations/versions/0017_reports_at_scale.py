"""Reports and the console at a million cases (`make bench-scale`): the live case list read
latest first from an index, a listing's cases around an FAQ entry's publication found by
listing, and the breached service-level clocks found without reading every kept event.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
SCHEMA = "analytics"


def upgrade() -> None:
    op.create_index(
        "cases_latest_first",
        "cases",
        [sa.text("updated_at DESC"), "case_id"],
        schema=SCHEMA,
    )
    op.create_index(
        "cases_by_seller_and_listing",
        "cases",
        ["seller_account", "sku", "opened_at"],
        schema=SCHEMA,
    )
    op.create_index(
        "events_deadline_alerts",  # reports.breaches_in
        "events",
        ["case_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("type = 'resolution.deadline_alert'"),
    )


def downgrade() -> None:
    op.drop_index("events_deadline_alerts", "events", schema=SCHEMA)
    op.drop_index("cases_by_seller_and_listing", "cases", schema=SCHEMA)
    op.drop_index("cases_latest_first", "cases", schema=SCHEMA)
