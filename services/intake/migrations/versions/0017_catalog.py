"""The seller's catalog: products and their variants per seller account, walled like every
seller's data; and, on each case, the SKUs of its items the catalog did not know.

Revision ID: catalog
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.tenancy import build_walls, take_down_walls

revision = "catalog"
down_revision = "seller_walls"
SCHEMA = "intake"
WALLED = {"catalog_products": "account", "catalog_variants": "account"}
NOW = sa.text("now()")
EMPTY = sa.text("'{}'::jsonb")


def moment(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=NOW)


def upgrade() -> None:
    op.create_table(
        "catalog_products",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("product_id", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("seller", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("titles", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("category", sa.Text),
        sa.Column("source_category", sa.Text),
        moment("updated_at"),
        schema=SCHEMA,
    )
    op.create_index(
        "catalog_products_by_seller", "catalog_products", ["seller", "category"], schema=SCHEMA
    )
    op.create_table(
        "catalog_variants",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("sku", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("seller", sa.Text, nullable=False),
        sa.Column("product_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("titles", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("asin", sa.Text),
        sa.Column("fnsku", sa.Text),
        sa.Column("listing_ids", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("attributes", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("prices", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("landed_costs", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("weight_g", sa.Integer),
        sa.Column("dimensions_mm", JSONB),
        sa.Column("hs_code", sa.Text),
        sa.Column("origin_country", sa.Text),
        sa.Column("available", sa.Boolean),
        moment("updated_at"),
        schema=SCHEMA,
    )
    op.create_index("catalog_variants_by_sku", "catalog_variants", ["seller", "sku"], schema=SCHEMA)
    op.create_index(
        "catalog_variants_by_product",
        "catalog_variants",
        ["account", "product_id"],
        schema=SCHEMA,
    )
    op.add_column(
        "cases",
        sa.Column("unknown_skus", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        schema=SCHEMA,
    )
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
    op.drop_column("cases", "unknown_skus", schema=SCHEMA)
    op.drop_table("catalog_variants", schema=SCHEMA)
    op.drop_table("catalog_products", schema=SCHEMA)
