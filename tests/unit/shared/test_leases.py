"""`LeasedWork.record_done`: what a worker did outside is recorded once the database answers
again, within the lease; a wrong statement is not tried again."""

from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from shared.leases import LeasedWork


class Database:
    """The service's transactions, out of reach for the first `down` of them."""

    def __init__(self, down: int) -> None:
        self.down = down
        self.committed: list[str] = []

    @asynccontextmanager
    async def transaction(self):
        if self.down:
            self.down -= 1
            raise OperationalError("BEGIN", {}, ConnectionRefusedError("the server restarts"))
        done: list[str] = []
        yield done
        self.committed.extend(done)


def worker_on(database: Database) -> LeasedWork:
    worker = LeasedWork.__new__(LeasedWork)
    worker.service = database
    worker.model = SimpleNamespace(__tablename__="outgoing_messages")
    return worker


async def sent(done: list[str]) -> None:
    done.append("sent")


async def test_an_outcome_is_recorded_once_the_database_answers_again():
    database = Database(down=3)
    await worker_on(database).record_done(sent, within=10)
    assert database.committed == ["sent"]


async def test_an_outcome_the_database_never_takes_in_time_raises():
    database = Database(down=100)
    with pytest.raises(OperationalError):
        await worker_on(database).record_done(sent, within=0.5)
    assert database.committed == []


async def test_a_wrong_statement_is_not_tried_again():
    database = Database(down=0)
    calls = []

    async def duplicate(done: list[str]) -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, ValueError("duplicate key"))

    with pytest.raises(IntegrityError):
        await worker_on(database).record_done(duplicate, within=10)
    assert calls == [1]
