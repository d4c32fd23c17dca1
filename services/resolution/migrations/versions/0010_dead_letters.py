"""The dead letters this service's consumer parks, kept for the operators' recovery tools.

Revision ID: 0010
"""

from shared.migrations import create_dead_letters_table, drop_dead_letters_table

revision = "0010"
down_revision = "0009"
SCHEMA = "resolution"


def upgrade() -> None:
    create_dead_letters_table(SCHEMA)


def downgrade() -> None:
    drop_dead_letters_table(SCHEMA)
