"""Every service's migrations go down to nothing and back up on a real PostgreSQL."""

import asyncio

import pytest
from alembic import command

from shared.migrations import alembic_config, upgrade_service
from shared.settings import SERVICE_NAMES, ServiceSettings
from tests.conftest import recreate_database


def down_and_up(service: str, settings: ServiceSettings) -> None:
    upgrade_service(service, settings)
    config = alembic_config(service, settings)
    command.downgrade(config, "base")
    command.upgrade(config, "head")


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_migrations_go_down_and_back_up(components, service):
    _, server_url = components
    url = await recreate_database(server_url, f"aftersales_migrations_{service}")
    settings = ServiceSettings(database_url=url)
    await asyncio.to_thread(down_and_up, service, settings)
