"""Database access: one PostgreSQL schema per service, SQLModel sessions over asyncpg."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.settings import ServiceSettings
from shared.tenancy import INFO_KEY, enter_wall


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
        pool_timeout=settings.database_pool_timeout_seconds,
        connect_args={"server_settings": {"search_path": service}},
    )


class ServiceSession(Session):
    """A service's session: one whose `info` names walled sellers reads under the reader
    role, walled to them (`shared/tenancy.py`)."""


@event.listens_for(ServiceSession, "after_begin")
def wall_reads(session: Session, _transaction: Any, connection: Connection) -> None:
    sellers = session.info.get(INFO_KEY)
    if sellers is not None:
        enter_wall(connection, sellers)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, class_=AsyncSession, sync_session_class=ServiceSession, expire_on_commit=False
    )


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session inside one transaction: committed on success, rolled back on error."""
    async with sessions() as session, session.begin():
        yield session
