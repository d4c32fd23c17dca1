"""Every service's migrations, and the audit trail's, go down to nothing and back up on a
real PostgreSQL."""

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest
from alembic import command

from deploy.components import fresh_database
from shared.migrations import HISTORIES, alembic_config, upgrade_service
from shared.settings import ServiceSettings


def down_and_up(service: str, settings: ServiceSettings) -> None:
    upgrade_service(service, settings)
    config = alembic_config(service, settings)
    command.downgrade(config, "base")
    command.upgrade(config, "head")


@pytest.mark.parametrize("service", HISTORIES)
async def test_migrations_go_down_and_back_up(components, service):
    _, server_url = components
    url = await fresh_database(server_url, f"aftersales_migrations_{service}")
    settings = ServiceSettings(database_url=url)
    await asyncio.to_thread(down_and_up, service, settings)


NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


async def test_intake_keeps_its_rows_when_the_seller_account_joins_the_keys(components):
    """Intake's `account_keys`, onboarding and revival over rows written before them: every
    row kept, cases keep their ids, a revival wakes the delivery worker."""
    _, server_url = components
    url = await fresh_database(server_url, "aftersales_migrations_intake_keys")
    config = alembic_config("intake", ServiceSettings(database_url=url))
    await asyncio.to_thread(command.upgrade, config, "0002")
    plain = ServiceSettings(database_url=url).plain_database_url
    connection = await asyncpg.connect(plain)
    try:
        await connection.execute(
            "INSERT INTO intake.channel_accounts VALUES ('generic', 'acme', 'acme', 'x', 'US')"
        )
        for state in ("accepted", "failed", "applied"):
            await connection.execute(
                "INSERT INTO intake.deliveries (channel, delivery_id, account, kind, content,"
                " trace_headers, state, attempts, next_attempt_at, received_at)"
                " VALUES ('generic', $1, 'acme', 'parsed', 'x', '{}', $2, 1, $3, $3)",
                f"amazon:{state}",
                state,
                NOW,
            )
        await connection.execute(
            "INSERT INTO intake.cases (case_id, channel, case_key, account, order_id, market,"
            ' buyer_ref, confidence, needs_agent, marketplace_status, opened_at, "case")'
            " VALUES ('case-old', 'generic', 'amazon:applied', 'acme', 'o-1', 'US', 'b', 1,"
            " false, 'requested', $1, '{}')",
            NOW,
        )
        await asyncio.to_thread(command.upgrade, config, "head")

        deliveries = await connection.fetch(
            "SELECT delivery_id, state, legacy_case_id, revived_at FROM intake.deliveries"
            " ORDER BY delivery_id"
        )
        assert [tuple(row) for row in deliveries] == [
            ("amazon:accepted", "accepted", True, None),
            ("amazon:applied", "applied", True, None),
            ("amazon:failed", "failed", True, None),
        ]
        assert await connection.fetchval("SELECT case_id FROM intake.cases") == "case-old"
        account = await connection.fetchrow("SELECT * FROM intake.channel_accounts")
        assert (account["managed_by"], account["disabled_at"]) == ("file", None)
        assert account["created_at"] is not None

        # Another seller may now use the same delivery id and case key.
        await connection.execute(
            "INSERT INTO intake.deliveries (channel, account, delivery_id, kind, content,"
            " trace_headers, next_attempt_at, received_at)"
            " VALUES ('generic', 'other', 'amazon:applied', 'parsed', 'x', '{}', $1, $1)",
            NOW,
        )
        assert not await connection.fetchval(
            "SELECT legacy_case_id FROM intake.deliveries WHERE account = 'other'"
        )
        await connection.execute(
            "INSERT INTO intake.cases (case_id, channel, case_key, account, order_id, market,"
            ' buyer_ref, confidence, needs_agent, marketplace_status, opened_at, "case")'
            " VALUES ('case-new', 'generic', 'amazon:applied', 'other', 'o-1', 'US', 'b', 1,"
            " false, 'requested', $1, '{}')",
            NOW,
        )
        assert await connection.fetchval("SELECT count(*) FROM intake.cases") == 2

        # A revival wakes the delivery worker of the channel's lane, as an insert does.
        heard: asyncio.Queue[str] = asyncio.Queue()
        await connection.add_listener("deliveries_intake", lambda *args: heard.put_nowait(args[3]))
        await connection.execute(
            "UPDATE intake.deliveries SET attempts = 2 WHERE delivery_id = 'amazon:failed'"
        )
        await connection.execute(
            "UPDATE intake.deliveries SET state = 'accepted' WHERE delivery_id = 'amazon:failed'"
        )
        assert await asyncio.wait_for(heard.get(), timeout=5) == "generic"
        await asyncio.sleep(0.2)
        assert heard.empty()  # nothing for the change that revived nothing
    finally:
        await connection.close()
