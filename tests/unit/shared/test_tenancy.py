"""The second wall (`shared/tenancy.py`): a session walled to sellers reads only their rows
of a walled table, even with a query that forgets to ask, and writes nothing; the owner's
sessions (writes, consumers, workers) are not walled. Against the tests' database, its
migrations applied."""

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.db import create_service_engine, session_factory
from shared.identity import Principal, Role
from shared.service import RequestSessions
from shared.tenancy import INFO_KEY, walled_sellers

SELLERS = (f"wall-a-{uuid.uuid4().hex[:6]}", f"wall-b-{uuid.uuid4().hex[:6]}")
ROWS = "SELECT seller_account FROM resolution.policies WHERE seller_account = ANY(:s)"


@pytest.fixture
async def sessions(settings):
    engine = create_service_engine("resolution", settings, pool_size=2)
    factory = session_factory(engine)
    async with factory() as session, session.begin():
        for seller in SELLERS:
            await session.execute(
                text(
                    "INSERT INTO resolution.policies (seller_account, version, policy, "
                    "created_at, created_by) VALUES (:s, 1, '{}', now(), 'test') "
                    "ON CONFLICT DO NOTHING"
                ),
                {"s": seller},
            )
    yield factory
    await engine.dispose()


async def rows(session) -> set[str]:
    found = await session.execute(text(ROWS), {"s": list(SELLERS)})
    return set(found.scalars())


async def test_a_walled_read_sees_only_its_sellers_rows(sessions):
    a, b = SELLERS
    async with sessions() as owner:
        assert await rows(owner) == {a, b}
    async with sessions(info={INFO_KEY: (a,)}) as walled:
        assert await rows(walled) == {a}
    async with sessions(info={INFO_KEY: ()}) as nobody:
        assert await rows(nobody) == set()


async def test_a_walled_session_writes_nothing(sessions):
    async with sessions(info={INFO_KEY: (SELLERS[0],)}) as walled:
        with pytest.raises(DBAPIError, match="permission denied"):
            await walled.execute(
                text("DELETE FROM resolution.policies WHERE seller_account = :s"),
                {"s": SELLERS[1]},
            )


@pytest.mark.parametrize(
    ("roles", "method", "walled"),
    [
        ((Role.AGENT,), "GET", ("A1",)),
        ((Role.OPERATIONS,), "HEAD", ("A1",)),
        ((Role.AGENT,), "POST", None),  # writes keep the owner's role
        ((Role.PLATFORM_ADMIN,), "GET", None),  # every seller
        ((Role.SERVICE,), "GET", None),
        ((Role.WAREHOUSE_STAFF,), "GET", None),  # walled by warehouse, in the queries
    ],
)
def test_who_reads_behind_the_wall(roles, method, walled):
    principal = Principal("s", "s", frozenset(roles), sellers=frozenset({"A1"}))
    assert walled_sellers(principal, method) == walled
    assert walled_sellers(None, "GET") is None


async def test_a_request_s_sessions_are_walled_to_its_caller(sessions):
    a, _ = SELLERS
    caller = Principal("li", "li", frozenset({Role.AGENT}), sellers=frozenset({a}))
    request = SimpleNamespace(method="GET", state=SimpleNamespace(principal=caller))
    async with RequestSessions(sessions, request)() as session:
        assert await rows(session) == {a}
    request.method = "POST"
    async with RequestSessions(sessions, request)() as session:
        assert await rows(session) == set(SELLERS)
