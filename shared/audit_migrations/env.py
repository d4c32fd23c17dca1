from shared.migrations import run_migrations_for

run_migrations_for("audit")
