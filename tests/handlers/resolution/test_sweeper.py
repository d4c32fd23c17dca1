"""The sweeper (`workers/sweeper.py`) against the real PostgreSQL: time moved by calling
the sweep with a chosen moment; offers lapse, clocks alert."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from faststream.kafka import TestKafkaBroker
from sqlalchemy import delete, select

from services.resolution.tables import CaseClock, Offer
from services.resolution.workers import sweeper
from services.resolution.workflows import offering, timekeeping
from shared.events import CaseDeadline, Scenario
from shared.service import Service
from shared.wakeup import due_time_in
from tests.factories import case_opened
from tests.handlers.conftest import outbox_of
from tests.handlers.resolution.conftest import publish, row, types_of


async def test_an_offer_lapses_at_its_expiry_and_not_before(resolution):
    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    offer = await only_offer(resolution, case.case_id)
    assert offer.remedy == "exchange"
    assert offer.expires_at - offer.offered_at == timedelta(hours=48)  # the default policy

    await sweeper.sweep(resolution, offer.expires_at - timedelta(seconds=1))
    assert (await row(resolution, Offer, offer.offer_id)).state == "open"
    await sweeper.sweep(resolution, offer.expires_at)
    assert (await row(resolution, Offer, offer.offer_id)).state == "expired"
    await sweeper.sweep(resolution, offer.expires_at + timedelta(hours=1))  # nothing twice
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events).count("resolution.declined") == 1
    assert events[-1]["type"] == "resolution.decided"
    assert events[-1]["data"]["remedy"] == "return_full_refund"


async def only_offer(service: Service, case_id: str) -> Offer:
    async with service.sessions() as session:
        (offer,) = await session.scalars(select(Offer).where(Offer.case_id == case_id))
    return offer


async def test_clocks_alert_near_breach_then_breach_once_each(resolution):
    opened = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York
    case = case_opened(scenario=None).model_copy(
        update={
            "opened_at": opened,
            "deadlines": [CaseDeadline(name="amazon_reply", due_at=opened + timedelta(hours=24))],
        }
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)  # unclassified: nobody answers the buyer yet
    async with resolution.sessions() as session:
        clocks = {
            c.name: c
            for c in await session.scalars(
                select(CaseClock).where(CaseClock.case_id == case.case_id)
            )
        }
    assert set(clocks) == {"first_reply", "amazon_reply"}
    assert clocks["first_reply"].due_at == opened + timedelta(hours=4)  # business hours

    await sweeper.sweep(resolution, clocks["first_reply"].warn_at)
    await sweeper.sweep(resolution, clocks["first_reply"].warn_at + timedelta(minutes=1))
    await sweeper.sweep(resolution, opened + timedelta(hours=25))
    alerts = [
        (e["data"]["clock"], e["data"]["level"])
        for e in await outbox_of(resolution, case.case_id)
        if e["type"] == "resolution.deadline_alert"
    ]
    assert alerts[0] == ("first_reply", "near_breach")
    # The last sweep is past both due times; the Amazon clock skips its warning.
    assert sorted(alerts[1:]) == [("amazon_reply", "breached"), ("first_reply", "breached")]


async def test_a_deadline_already_past_at_import_is_breached_at_once_even_when_answered(
    resolution,
):
    opened = datetime.now(UTC)
    late = CaseDeadline(name="ebay_respond_by", due_at=opened - timedelta(days=2))
    ahead = CaseDeadline(name="ebay_refund_by", due_at=opened + timedelta(days=2))
    # Answered as it opens (an offer goes out at once), yet its deadline was missed already.
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
        update={"opened_at": opened, "deadlines": [late, ahead]}
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, case)  # redelivered: no second alert
    async with resolution.sessions() as session:
        clocks = {
            c.name: c.state
            for c in await session.scalars(
                select(CaseClock).where(CaseClock.case_id == case.case_id)
            )
        }
    assert clocks == {"ebay_respond_by": "breached"}  # no sweep has run
    alerts = [
        (e["data"]["clock"], e["data"]["level"])
        for e in await outbox_of(resolution, case.case_id)
        if e["type"] == "resolution.deadline_alert"
    ]
    assert alerts == [("ebay_respond_by", "breached")]


async def test_the_sweeper_wakes_for_the_first_offer_to_lapse_or_clock_to_alert(resolution):
    """The database holds other tests' cases: these are due before any of them."""
    offer_id = await open_offer_due(resolution, datetime(2001, 1, 1, tzinfo=UTC))
    case_id = f"case-{uuid.uuid4()}"
    clocks = [
        clock_row(case_id, "first_reply", "running", warn_at=datetime(2000, 6, 1, tzinfo=UTC)),
        clock_row(case_id, "amazon_reply", "near_breach", due_at=datetime(2000, 3, 1, tzinfo=UTC)),
    ]
    try:
        async with resolution.sessions() as session:
            assert await offering.next_lapse(session) == datetime(2001, 1, 1, tzinfo=UTC)
        await add_clock(resolution, clocks[0])
        async with resolution.sessions() as session:
            assert await timekeeping.next_alert(session) == datetime(2000, 6, 1, tzinfo=UTC)
        await add_clock(resolution, clocks[1])  # near breach: due when it breaches
        async with resolution.sessions() as session:
            assert await timekeeping.next_alert(session) == datetime(2000, 3, 1, tzinfo=UTC)
        due = await sweeper.next_due(resolution)  # past: in a moment, not at once
        assert due is not None and due > datetime.now(UTC)
    finally:
        async with resolution.transaction() as session:
            await session.execute(delete(Offer).where(Offer.offer_id == offer_id))
            await session.execute(delete(CaseClock).where(CaseClock.case_id == case_id))


async def test_a_new_offer_or_clock_tells_the_sweeper_when_it_is_due(resolution, settings):
    """Migration 0012's triggers: the earliest due time added, as the notification's
    payload; an offer already answered is due never, and says nothing."""
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(settings.plain_database_url)
    await listener.add_listener(sweeper.DUE_CHANNEL, lambda *args: heard.put_nowait(args[-1]))
    lapse_at = datetime.now(UTC) + timedelta(hours=3)
    case_id = f"case-{uuid.uuid4()}"
    try:
        answered = await open_offer_due(resolution, lapse_at, state="accepted")
        offer_id = await open_offer_due(resolution, lapse_at)
        assert due_time_in(await asyncio.wait_for(heard.get(), 5)) == lapse_at
        warn_at = datetime.now(UTC) + timedelta(hours=2)
        await add_clock(resolution, clock_row(case_id, "first_reply", "running", warn_at=warn_at))
        assert due_time_in(await asyncio.wait_for(heard.get(), 5)) == warn_at
        assert heard.empty()
    finally:
        await listener.close()
        async with resolution.transaction() as session:
            await session.execute(delete(Offer).where(Offer.offer_id.in_([answered, offer_id])))
            await session.execute(delete(CaseClock).where(CaseClock.case_id == case_id))


def clock_row(case_id: str, name: str, state: str, **at: datetime) -> CaseClock:
    moment = next(iter(at.values()))
    times = {"started_at": moment, "warn_at": moment, "due_at": moment} | at
    return CaseClock(case_id=case_id, name=name, state=state, **times)


async def add_clock(service: Service, clock: CaseClock) -> None:
    async with service.transaction() as session:
        session.add(clock)


async def open_offer_due(service: Service, expires_at: datetime, state: str = "open") -> str:
    offer_id = f"offer-{uuid.uuid4()}"
    async with service.transaction() as session:
        session.add(
            Offer(
                offer_id=offer_id, case_id=f"case-{uuid.uuid4()}", step=1, remedy="exchange",
                amount_minor=0, currency="USD", language="en", message="", state=state,
                offered_at=datetime.now(UTC), expires_at=expires_at,
            )
        )  # fmt: skip
    return offer_id
