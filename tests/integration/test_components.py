"""The embedded components a fresh machine falls back to, started the way `make run` does."""

import asyncpg

from deploy.components import postgres


async def test_embedded_postgresql_starts_when_no_database_url_is_set(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with postgres("test-embedded-pgdata") as url:
        connection = await asyncpg.connect(url)
        try:
            version = await connection.fetchval("SHOW server_version")
        finally:
            await connection.close()
    assert int(version.split(".")[0]) >= 16


async def test_database_url_wins_when_set(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example:5432/x")
    with postgres() as url:
        assert url == "postgresql://someone@db.example:5432/x"
