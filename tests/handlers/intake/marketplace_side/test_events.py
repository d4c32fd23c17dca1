"""Events intake consumes (`handlers/events.py`), through FastStream's test broker and the
real PostgreSQL: what a decision and a returned unit owe the marketplace's return."""

import uuid
from datetime import UTC, datetime

from faststream.kafka import TestKafkaBroker
from sqlalchemy import select

from services.intake.domain.marketplace_side import ReturnAction
from services.intake.domain.return_actions import action_id_of
from services.intake.tables import ReturnActionRecord
from shared.events import Envelope, Remedy, ReturnReceived
from tests.factories import envelope_bytes, resolution_decided
from tests.handlers.intake.marketplace_side.conftest import stored_case


async def publish(broker, payload, topic: str) -> None:
    raw = envelope_bytes(Envelope.wrap(payload))
    await broker.publish(raw, topic, key=payload.case_id.encode())


def decided(case_id: str, remedy: Remedy):
    return resolution_decided("BT-SPK-200-BLK", remedy).model_copy(update={"case_id": case_id})


def received(case_id: str) -> ReturnReceived:
    return ReturnReceived(
        case_id=case_id, rma_id="RMA-1", warehouse="BOS1", received_at=datetime.now(UTC)
    )


async def actions_of(service, case_id: str) -> list[ReturnActionRecord]:
    async with service.sessions() as session:
        rows = await session.scalars(
            select(ReturnActionRecord)
            .where(ReturnActionRecord.case_id == case_id)
            .order_by(ReturnActionRecord.owed_at)
        )
        return list(rows)


async def test_a_unit_coming_back_owes_an_approval_then_a_receipt_once_each(intake_api):
    service = intake_api.service
    case = await stored_case(service, channel="ebay", account="lumahome-us", return_id="5000123")
    async with TestKafkaBroker(service.broker) as broker:
        for _ in range(2):  # a redelivery owes nothing new
            await publish(
                broker, decided(case.case_id, Remedy.RETURN_FULL_REFUND), "resolution.events"
            )
            await publish(broker, received(case.case_id), "fulfillment.events")
    approve, mark = await actions_of(service, case.case_id)
    assert (approve.action, approve.state, approve.action_id) == (
        "approve",
        "owed",
        action_id_of(case.case_id, ReturnAction.APPROVE),
    )
    assert (approve.channel, approve.account, approve.order_id, approve.return_id) == (
        "ebay",
        "lumahome-us",
        case.order_id,
        "5000123",
    )
    assert approve.note == "resolved by return full refund"
    assert (mark.action, mark.state, mark.note) == (
        "mark_received",
        "owed",
        "received at BOS1 under RMA-1",
    )


async def test_a_case_resolved_without_the_unit_owes_a_decline(intake_api):
    service = intake_api.service
    case = await stored_case(
        service,
        channel="shopify",
        account="linen-home.myshopify.com",
        return_id="gid://shopify/Return/1",
    )
    async with TestKafkaBroker(service.broker) as broker:
        await publish(broker, decided(case.case_id, Remedy.PARTIAL_REFUND), "resolution.events")
    (decline,) = await actions_of(service, case.case_id)
    assert (decline.action, decline.state, decline.note) == (
        "decline",
        "owed",
        "resolved by partial refund",
    )


async def test_nothing_is_acted_on_where_the_marketplace_holds_no_open_return(intake_api):
    service = intake_api.service
    generic = await stored_case(service)  # no return id
    closed = await stored_case(
        service,
        channel="ebay",
        account="lumahome-us",
        return_id="5000124",
        marketplace_status="closed",
    )
    async with TestKafkaBroker(service.broker) as broker:
        for case in (generic, closed):
            await publish(broker, decided(case.case_id, Remedy.EXCHANGE), "resolution.events")
    (nothing,) = await actions_of(service, generic.case_id)
    assert (nothing.state, nothing.error) == (
        "not_needed",
        "the marketplace holds no return for this case",
    )
    (ended,) = await actions_of(service, closed.case_id)
    assert (ended.state, ended.error) == (
        "not_needed",
        "the marketplace's return is closed already",
    )


async def test_an_event_about_a_case_intake_never_opened_owes_nothing(intake_api):
    service = intake_api.service
    case_id = f"case-{uuid.uuid4()}"
    async with TestKafkaBroker(service.broker) as broker:
        await publish(broker, decided(case_id, Remedy.PARTIAL_REFUND), "resolution.events")
        await publish(broker, received(case_id), "fulfillment.events")
    assert await actions_of(service, case_id) == []
