"""A batch of events applied together (`workflows/batches.py`, `shared/batch_writes.py`)
against the real PostgreSQL: the same rows and events as applied one by one, nothing twice
when redelivered, a bad event dead-lettered with its cause while the rest are applied, and
a statement count that does not grow with the batch."""

from types import SimpleNamespace

from aiokafka import ConsumerRecord
from faststream.kafka import TestKafkaBroker
from sqlalchemy import event, select

from services.resolution.tables import CaseClock, CaseDecision, Offer, Refund
from shared.events import BuyerAnswer, Envelope, EventPayload, Remedy, Scenario, StockUnavailable
from shared.messaging_tables import DeadLetterRecord
from shared.service import Service
from shared.telemetry import CASE_TRACE
from tests.factories import case_opened, envelope_bytes
from tests.handlers.conftest import outbox_of
from tests.handlers.resolution.conftest import reply

SCENARIOS = [
    Scenario.MINOR_DEFECT,  # a partial refund offered
    Scenario.MINOR_DEFECT,
    Scenario.QUALITY_DEFECT,  # the part that mends it offered
    Scenario.SIZE_STYLE_MISMATCH,  # an exchange offered
    None,  # for an agent to classify: clocks run
]


def story() -> tuple[list[EventPayload], list[EventPayload]]:
    """Cases opened and some answered in the same batch, then answers to the offers."""
    opened = [case_opened(scenario=scenario) for scenario in SCENARIOS]
    ids = [case.case_id for case in opened]
    first = [
        *opened,
        reply(ids[0], BuyerAnswer.ACCEPT),  # the case opened a few records before
        reply(ids[1], BuyerAnswer.DECLINE),
    ]
    then = [
        reply(ids[1], BuyerAnswer.DECLINE),  # the return is owed already: nothing open
        reply(ids[3], BuyerAnswer.ACCEPT),
        reply(ids[0], BuyerAnswer.ACCEPT),  # nothing open any more: nothing happens
        StockUnavailable(
            case_id=ids[3], remedy=Remedy.EXCHANGE, region="NA", missing_skus=["BT-SPK-200-BLK"]
        ),
    ]
    return first, then


# The case's first trace, as intake's events carry it (`shared/telemetry.py`).
HEADERS = [(CASE_TRACE, b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]


def records_of(events: list[EventPayload], start: int = 0) -> list[ConsumerRecord]:
    return [
        ConsumerRecord(
            "intake.events", 0, start + i, 0, 0, b"k", envelope_bytes(e), None, 0, 0, HEADERS
        )
        for i, e in enumerate(Envelope.wrap(event) for event in events)
    ]


async def apply(service: Service, records: list[ConsumerRecord]) -> list[bool]:
    """Apply the records as one batch; returns how the consumer applied them
    ([False]: together, [False, True]: together failed, then one at a time)."""
    consumer = service.consumer
    calls: list[bool] = []
    apply_all = consumer._apply_all

    async def spy(session, deliveries, one_by_one):
        calls.append(one_by_one)
        await apply_all(session, deliveries, one_by_one)

    consumer._apply_all = spy
    try:
        async with TestKafkaBroker(service.broker):
            await consumer.consume_batch(SimpleNamespace(raw_message=records))
    finally:
        consumer._apply_all = apply_all
    return calls


async def outcome(service: Service, case_ids: list[str]) -> list[tuple]:
    """Each case as resolution left it, without its ids and moments."""
    found = []

    async def events_of(case_id: str) -> list[dict]:
        return await outbox_of(service, case_id)

    async with service.sessions() as session:
        for case_id in case_ids:
            decision = await session.get(CaseDecision, case_id)
            offers = await session.scalars(
                select(Offer).where(Offer.case_id == case_id).order_by(Offer.step)
            )
            refunds = await session.scalars(select(Refund).where(Refund.case_id == case_id))
            clocks = await session.scalars(
                select(CaseClock).where(CaseClock.case_id == case_id).order_by(CaseClock.name)
            )
            found.append(
                (
                    (decision.state, decision.remedy, decision.refund_minor, decision.step),
                    [(o.step, o.remedy, o.amount_minor, o.state) for o in offers],
                    [(r.remedy, r.amount_minor, r.state) for r in refunds],
                    [(c.name, c.state) for c in clocks],
                    [
                        (e["type"], e["data"].get("remedy"))
                        for e in await outbox_of(service, case_id)
                    ],
                )
            )
    return found


async def test_a_batch_of_several_cases_leaves_the_same_as_one_event_at_a_time(resolution):
    together, alone = story(), story()
    assert await apply(resolution, records_of(together[0])) == [False]
    assert await apply(resolution, records_of(together[1], 100)) == [False]
    for i, one in enumerate([*alone[0], *alone[1]]):
        assert await apply(resolution, records_of([one], 200 + i)) == [False]
    cases_together = [e.case_id for e in together[0][: len(SCENARIOS)]]
    cases_alone = [e.case_id for e in alone[0][: len(SCENARIOS)]]
    left_together = await outcome(resolution, cases_together)
    assert left_together == await outcome(resolution, cases_alone)
    # What the story does, so that the comparison compares something.
    accepted, declined_twice, part, exchanged, waiting = left_together
    assert accepted[0][:2] == ("decided", "partial_refund") and accepted[2]
    assert [o[3] for o in declined_twice[1]] == ["declined", "accepted"]  # the return, owed
    assert part[1] == [(1, "part_shipment", 0, "open")]
    assert [o[3] for o in exchanged[1]] == ["accepted", "accepted"]  # out of stock: the return
    assert waiting[0][0] == "waiting" and waiting[3] == [("first_reply", "running")]


async def test_a_redelivered_batch_applies_nothing_twice(resolution):
    first, then = story()
    records = [*records_of(first), *records_of(then, len(first))]
    assert await apply(resolution, records) == [False]
    case_ids = [e.case_id for e in first[: len(SCENARIOS)]]
    once = await outcome(resolution, case_ids)
    assert await apply(resolution, records) == [False]  # every event a duplicate
    assert await outcome(resolution, case_ids) == once


async def test_a_bad_event_among_good_ones_is_dead_lettered_and_the_rest_applied(resolution):
    good, expected = story()[0], story()[0]
    orphan = reply("case-nobody-opened", BuyerAnswer.ACCEPT)
    records = records_of([*good[:3], orphan, *good[3:]])
    assert await apply(resolution, records) == [False, True]
    assert await apply(resolution, records_of(expected, 50)) == [False]
    ids = [e.case_id for e in good[: len(SCENARIOS)]]
    assert await outcome(resolution, ids) == await outcome(
        resolution, [e.case_id for e in expected[: len(SCENARIOS)]]
    )
    async with resolution.sessions() as session:
        dead = (
            await session.scalars(
                select(DeadLetterRecord).where(DeadLetterRecord.case_id == orphan.case_id)
            )
        ).all()
    assert [(d.offset, d.cause) for d in dead] == [
        (3, "rejected by resolution: no case case-nobody-opened in resolution")
    ]


async def test_a_batch_reads_and_writes_each_table_once_whatever_its_size(resolution):
    async def statements_for(cases: int) -> int:
        opened = [case_opened(scenario=Scenario.MINOR_DEFECT) for _ in range(cases)]
        await apply(resolution, records_of(opened))
        answers = [reply(case.case_id, BuyerAnswer.ACCEPT) for case in opened]
        seen: list[str] = []

        def count(conn, cursor, statement, *_):
            seen.append(statement)

        engine = resolution.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert await apply(resolution, records_of(answers)) == [False]
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    # the inbox; decisions and open offers read; outbox and refunds inserted; decisions
    # and offers updated
    assert await statements_for(2) == await statements_for(12) == 7
