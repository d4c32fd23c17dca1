"""The broker killed and started again empty loses nothing and doubles nothing: the relays
see their partitions end below where they last published and publish their retained
outboxes again; the consumer groups, their offsets gone, read from the earliest offset; the
inboxes drop what was applied already."""

from sqlalchemy.ext.asyncio import create_async_engine

from deploy.components import TansuBroker, free_port
from shared.topics import create_topics
from tests.conftest import eventually, isolated_settings
from tests.factories import AGENT, post_case, webhook
from tests.integration.conftest import Stack, counter_total, rows, scalar

FLOW = sorted(["case.opened", "resolution.offered", "case.buyer_messaged"])
SERVICES = ("intake", "resolution", "analytics")


async def open_cases(stack: Stack, count: int) -> list[str]:
    case_ids = []
    for _ in range(count):
        response = await post_case(stack.clients["intake"], webhook(reason_code="COSMETIC_DAMAGE"))
        assert response.status_code == 202, response.text
        case_ids.append(response.json()["case_id"])
    return case_ids


async def timelines(stack: Stack, case_ids: list[str]) -> dict[str, list[str]]:
    seen = {}
    for case_id in case_ids:
        response = await stack.clients["analytics"].get(f"/cases/{case_id}/timeline", headers=AGENT)
        events = response.json()["events"] if response.status_code == 200 else []
        seen[case_id] = sorted(event["type"] for event in events)
    return seen


async def test_a_broker_restarted_empty_loses_no_event_and_applies_none_twice(settings):
    broker = TansuBroker(free_port())
    own = await isolated_settings(
        settings, "broker_loss", broker.start(), outbox_broker_check_seconds=1.0
    )
    database = create_async_engine(own.async_database_url)
    stack = Stack(own)
    try:
        for name in SERVICES:
            await stack.start(name)
        # Consumed everywhere before the crash: published again after it, applied once.
        consumed = await open_cases(stack, 3)
        seen = {}

        async def through(case_ids, flow):
            seen.update(await timelines(stack, case_ids))
            return all(seen[case_id] == flow for case_id in case_ids)

        assert await eventually(lambda: through(consumed, FLOW), timeout=60), seen

        # Published before the crash, never consumed by resolution (stopped meanwhile).
        await stack.stop("resolution")
        waiting = await open_cases(stack, 3)
        assert await eventually(lambda: through(waiting, ["case.opened"]), timeout=30), seen
        marks = await scalar(database, "SELECT count(*) FROM intake.outbox_marks")
        assert marks > 0

        broker.kill()
        assert broker.start() == own.kafka_bootstrap_servers  # empty: no topic, no offset
        await create_topics(own)  # the admin step after a broker loss (make migrate)
        await stack.start("resolution")

        every = consumed + waiting
        assert await eventually(lambda: through(every, FLOW), timeout=90), seen

        # Each effect once: one decision, one offer, one message to the buyer per case.
        for sql in (
            "SELECT case_id, count(*) FROM resolution.decisions "
            "WHERE case_id = ANY(:ids) GROUP BY case_id",
            "SELECT key, count(*) FROM resolution.outbox "
            "WHERE key = ANY(:ids) AND envelope->>'type' = 'resolution.offered' GROUP BY key",
            "SELECT key, count(*) FROM intake.outbox "
            "WHERE key = ANY(:ids) AND envelope->>'type' = 'case.buyer_messaged' GROUP BY key",
        ):
            assert dict(await rows(database, sql, ids=every)) == dict.fromkeys(every, 1), sql
        # The retained events did come again, and the inboxes dropped those applied before.
        assert counter_total(stack.metrics["intake"], "outbox.republished") > 0
        assert counter_total(stack.metrics["analytics"], "events.duplicates") > 0
    finally:
        await stack.stop_all()
        await database.dispose()
        broker.stop()
