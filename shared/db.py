"""Database access: one PostgreSQL schema per service, SQLModel sessions over asyncpg."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.settings import ServiceSettings


def create_service_engine(
    service: str, settings: ServiceSettings, pool_size: int = 20
) -> AsyncEngine:
    """An engine whose connections see the service's own schema first.

    Domain tables name their schema explicitly; the outbox and inbox tables are
    created in every service schema and found through this search_path.
    """
    return create_async_engine(
        settings.async_database_url,
        pool_size=pool_size,
        # No overflow: a connection opened and closed per request under load costs far
        # more than waiting a moment for a pooled one.
        max_overflow=0,
        connect_args={"server_settings": {"search_path": service}},
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session inside one transaction: committed on success, rolled back on error."""
    async with sessions() as session, session.begin():
        yield session
