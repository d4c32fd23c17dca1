"""The dead letters this service's consumer parks, kept for the operators' recovery tools.

Revision ID: dead_letters
"""

from shared.migrations import create_dead_letters_table, drop_dead_letters_table

revision = "dead_letters"
down_revision = "outbox_marks"
SCHEMA = "fulfillment"


def upgrade() -> None:
    create_dead_letters_table(SCHEMA)


def downgrade() -> None:
    drop_dead_letters_table(SCHEMA)
