"""The sweeper (`workers/sweeper.py`) against the real PostgreSQL: time moved by calling
the sweep with a chosen moment; offers lapse, clocks alert."""

from datetime import UTC, datetime, timedelta

from faststream.kafka import TestKafkaBroker
from sqlalchemy import select

from services.resolution.tables import CaseClock, Offer
from services.resolution.workers import sweeper
from shared.events import CaseDeadline, Scenario
from shared.service import Service
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
