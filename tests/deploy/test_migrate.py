"""The cluster's migration Job (`python -m deploy.prepare --schemas-only`) migrates every
schema and needs no broker: the topics are Strimzi's KafkaTopics, not the Job's."""

import asyncio
import os
import subprocess
import sys

import asyncpg
from sqlalchemy.engine import make_url

from deploy.components import free_port, fresh_database
from shared.migrations import HISTORIES
from tests.conftest import TEST_DATABASE


async def drop_database(server_url: str, name: str) -> None:
    plain = make_url(server_url).set(drivername="postgresql")
    connection = await asyncpg.connect(plain.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def test_the_migration_job_migrates_every_schema_without_a_broker(components):
    _, server_url = components
    database_url = await fresh_database(server_url, f"{TEST_DATABASE}_migrate_job")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # Nothing listens there: creating a topic would fail the Job.
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
    }
    job = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "deploy.prepare", "--schemas-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert job.returncode == 0, job.stderr
    plain = make_url(database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(plain.render_as_string(hide_password=False))
    try:
        rows = await connection.fetch("SELECT schema_name FROM information_schema.schemata")
        versions = {
            schema: await connection.fetchval(f'SELECT count(*) FROM "{schema}".alembic_version')
            for schema in HISTORIES
        }
    finally:
        await connection.close()
        await drop_database(server_url, f"{TEST_DATABASE}_migrate_job")
    assert set(HISTORIES) <= {row["schema_name"] for row in rows}
    assert set(versions.values()) == {1}
