"""The outbox keeps what it published for the retention window and purges it after, in
batches; a relay that finds the broker behind where it last published marks every
retained event for publishing again; an operator republishes a service's outbox from a
time. Against a broker and a database of the module's own."""

import json
import uuid
from datetime import timedelta

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import text

from deploy.components import TansuBroker, free_port
from deploy.republish import moment, republish_since
from services.refurbish.app import SPEC as REFURBISH
from shared.messaging_tables import utc_now
from shared.service import Service
from shared.telemetry import setup_telemetry
from tests.conftest import isolated_settings
from tests.integration.conftest import counter_total

DAY = timedelta(days=1)
# An event type counted as a business metric (`counted_as`) as it is published.
DECIDED = "resolution.decided"
DATA = {"remedy": "full_refund", "scenario": "minor_defect"}


@pytest.fixture(scope="module")
async def own(settings):
    broker = TansuBroker(free_port())
    yield await isolated_settings(settings, "outbox", broker.start(), outbox_purge_batch=2)
    broker.stop()


@pytest.fixture
async def refurbish(own):
    reader = InMemoryMetricReader()
    service = Service(REFURBISH, own, setup_telemetry("refurbish", own, metric_reader=reader))
    service.metrics = reader
    await service.broker.start()
    async with service.transaction() as session:  # each test starts from an empty outbox
        await session.execute(text("DELETE FROM outbox"))
        await session.execute(text("DELETE FROM outbox_marks"))
    yield service
    await service.relay.stop_watching()
    await service.broker.stop()
    await service.engine.dispose()


async def add_events(service: Service, **published_ago: timedelta | None) -> dict[str, str]:
    """One event per name, published that long ago (None: not published); their ids."""
    ids = {name: f"evt-{name}-{uuid.uuid4().hex[:8]}" for name in published_ago}
    async with service.transaction() as session:
        for name, ago in published_ago.items():
            await session.execute(
                text(
                    "INSERT INTO outbox (event_id, topic, key, envelope, headers, created_at, "
                    "published_at) VALUES (:id, 'refurbish.events', :key, "
                    "CAST(:envelope AS jsonb), '{}', :created, :published)"
                ),
                {
                    "id": ids[name],
                    "key": "case-1",  # one partition: a case's events keep their order
                    "envelope": json.dumps({"id": ids[name], "type": DECIDED, "data": DATA}),
                    "created": utc_now() - (ago or timedelta()) - timedelta(minutes=1),
                    "published": None if ago is None else utc_now() - ago,
                },
            )
    return ids


async def published(service: Service, ids: dict[str, str]) -> dict[str, bool]:
    """Which of the events are there and marked published (absent ones are left out)."""
    async with service.sessions() as session:
        found = await session.execute(
            text(
                "SELECT event_id, published_at IS NOT NULL FROM outbox WHERE event_id = ANY(:ids)"
            ),
            {"ids": list(ids.values())},
        )
    by_id = dict(found.all())
    return {name: by_id[event_id] for name, event_id in ids.items() if event_id in by_id}


async def test_published_events_are_kept_for_the_retention_window_then_purged_in_batches(
    refurbish,
):
    ids = await add_events(
        refurbish,
        old_1=8 * DAY,
        old_2=9 * DAY,
        old_3=30 * DAY,
        recent=6 * DAY,
        unpublished=None,
    )
    # Three past retention, two per batch: two statements, the second one short.
    assert await refurbish.relay.purge_expired() == 3
    assert await published(refurbish, ids) == {"recent": True, "unpublished": False}
    assert await refurbish.relay.purge_expired() == 0


async def test_the_relay_keeps_what_it_publishes_and_marks_where_it_landed(refurbish):
    ids = await add_events(refurbish, first=None, second=None)
    assert await refurbish.relay.publish_pending() == 2
    assert await published(refurbish, ids) == {"first": True, "second": True}
    async with refurbish.sessions() as session:
        marks = (await session.execute(text("SELECT sum(end_at_least) FROM outbox_marks"))).scalar()
    assert marks == 1  # a fresh topic: the batch began at its first offset


async def test_a_batch_landing_below_the_marks_has_every_retained_event_published_again(
    refurbish,
):
    ids = await add_events(refurbish, earlier=None)
    await refurbish.relay.publish_pending()
    # As if the broker had held a thousand more records before it lost them.
    async with refurbish.transaction() as session:
        await session.execute(text("UPDATE outbox_marks SET end_at_least = end_at_least + 1000"))
    ids |= await add_events(refurbish, later=None)
    await refurbish.relay.publish_pending()
    assert await published(refurbish, ids) == {"earlier": False, "later": False}
    assert counter_total(refurbish.metrics, "outbox.republished") == 2
    # Published again, in order, and the marks now say where: no loss seen any more.
    assert await refurbish.relay.publish_pending() == 2
    assert await published(refurbish, ids) == {"earlier": True, "later": True}
    # Each counted once as a business metric, on its first publishing.
    assert counter_total(refurbish.metrics, "resolution.decisions") == 2
    assert await refurbish.relay.check_broker() == 0


async def test_the_broker_watch_sees_partitions_ending_below_their_marks(refurbish):
    ids = await add_events(refurbish, sent=None)
    await refurbish.relay.publish_pending()
    assert await refurbish.relay.check_broker() == 0  # the broker has what the relay sent
    async with refurbish.transaction() as session:
        await session.execute(text("UPDATE outbox_marks SET end_at_least = end_at_least + 5"))
    assert await refurbish.relay.check_broker() == 1
    assert await published(refurbish, ids) == {"sent": False}
    async with refurbish.sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM outbox_marks"))).scalar() == 0


async def test_the_operator_republishes_a_services_outbox_since_a_time(refurbish, own):
    ids = await add_events(refurbish, before=3 * timedelta(hours=1), after=timedelta(hours=1))
    since = moment((utc_now() - 2 * timedelta(hours=1)).isoformat())
    assert await republish_since("refurbish", since, own) == 1
    assert await published(refurbish, ids) == {"before": True, "after": False}
