"""Events intake consumes (`handlers/events.py`), through FastStream's test broker and the
real PostgreSQL: what a decision and a returned unit owe the marketplace's return, per
remedy, marketplace and reason, and how a later decision moves what was owed before."""

import uuid
from datetime import UTC, datetime, timedelta

from faststream.kafka import TestKafkaBroker
from sqlalchemy import select

from services.intake.domain.marketplace_side import ReturnAction
from services.intake.domain.return_actions import action_id_of
from services.intake.tables import ReturnActionRecord
from shared.events import Envelope, Remedy, ReturnReceived
from shared.messaging_tables import utc_now
from tests.factories import envelope_bytes, resolution_decided
from tests.handlers.intake.marketplace_side.conftest import stored_case


async def publish(broker, payload, topic: str, at: datetime | None = None) -> None:
    envelope = Envelope.wrap(payload)
    if at is not None:  # when resolution decided it
        envelope = envelope.model_copy(update={"time": at})
    await broker.publish(envelope_bytes(envelope), topic, key=payload.case_id.encode())


REFUNDED = {
    Remedy.PARTIAL_REFUND: 500,
    Remedy.REFUND_WITHOUT_RETURN: 4999,
    Remedy.RETURN_FULL_REFUND: 4999,
}


def decided(case_id: str, remedy: Remedy):
    return resolution_decided("BT-SPK-200-BLK", remedy).model_copy(
        update={"case_id": case_id, "refund_minor": REFUNDED.get(remedy, 0)}
    )


async def decide(broker, case_id: str, remedy: Remedy, at: datetime | None = None) -> None:
    await publish(broker, decided(case_id, remedy), "resolution.events", at)


def states_of(actions: list[ReturnActionRecord]) -> dict[str, tuple[str, str | None]]:
    return {row.action: (row.state, row.error) for row in actions}


async def mark(service, action_id: str, state: str) -> None:
    """The worker's doing, as far as these tests go."""
    async with service.transaction() as session:
        row = await session.get(ReturnActionRecord, action_id)
        row.state = state


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


async def shopify_case(service, **changes):
    return await stored_case(
        service,
        channel="shopify",
        account="linen-home.myshopify.com",
        return_id=f"gid://shopify/Return/{uuid.uuid4().int % 10**9}",
        **changes,
    )


async def ebay_case(service, reason: str):
    return_id = str(uuid.uuid4().int % 10**10)
    return await stored_case(
        service, channel="ebay", account="lumahome-us", return_id=return_id, reason=reason
    )


async def test_a_shopify_case_resolved_without_the_unit_owes_closing_its_return(intake_api):
    service = intake_api.service
    case = await shopify_case(service)
    async with TestKafkaBroker(service.broker) as broker:
        await decide(broker, case.case_id, Remedy.PARTIAL_REFUND)
    (close,) = await actions_of(service, case.case_id)
    assert (close.action, close.state, close.note, close.remedy) == (
        "close",
        "owed",
        "resolved by partial refund",
        "partial_refund",
    )
    assert close.decided_at is not None


async def test_an_ebay_return_not_as_described_is_never_declined(intake_api):
    service = intake_api.service
    refunded = await ebay_case(service, reason="damaged")
    kept = await ebay_case(service, reason="defective")
    remorse = await ebay_case(service, reason="changed_mind")
    async with TestKafkaBroker(service.broker) as broker:
        await decide(broker, refunded.case_id, Remedy.PARTIAL_REFUND)
        await decide(broker, kept.case_id, Remedy.TROUBLESHOOTING)
        await decide(broker, remorse.case_id, Remedy.EXCHANGE)
    # The partial refund closes the return: the close is owed (eBay's refund does it).
    assert states_of(await actions_of(service, refunded.case_id)) == {"close": ("owed", None)}
    # Kept without a refund: eBay takes no decline of a SNAD return; nothing is sent.
    [(state, why)] = states_of(await actions_of(service, kept.case_id)).values()
    assert state == "not_needed"
    assert why.startswith("eBay lets no seller decline a return opened as not as described")
    # A remorse return resolved otherwise is declined.
    assert states_of(await actions_of(service, remorse.case_id)) == {"decline": ("owed", None)}


async def test_walmart_and_amazon_returns_need_no_action_and_say_why(intake_api):
    service = intake_api.service
    walmart = await stored_case(service, channel="walmart", account="wm-1", return_id="RO-1")
    amazon = await stored_case(service, channel="amazon", account="A1", return_id="RMA-1")
    fba = await stored_case(
        service, channel="amazon", account="A1", return_id="LPN-1", marketplace="amazon_fba"
    )
    async with TestKafkaBroker(service.broker) as broker:
        await decide(broker, walmart.case_id, Remedy.RETURN_FULL_REFUND)
        await decide(broker, amazon.case_id, Remedy.PARTIAL_REFUND)
        await decide(broker, fba.case_id, Remedy.RETURN_FULL_REFUND)
        for case in (walmart, amazon):
            await publish(broker, received(case.case_id), "fulfillment.events")
    wm = states_of(await actions_of(service, walmart.case_id))
    assert wm["approve"][0] == "not_needed"
    assert wm["approve"][1].startswith("Walmart authorises every return itself")
    assert wm["mark_received"] == (
        "not_needed",
        "Walmart's Returns API has no call to mark a return received",
    )
    az = states_of(await actions_of(service, amazon.case_id))
    assert az["close"][0] == "not_needed"
    assert az["close"][1].startswith("Amazon closes a seller-fulfilled return with its refund")
    assert az["mark_received"][0] == "not_needed"
    assert states_of(await actions_of(service, fba.case_id)) == {
        "approve": ("not_needed", "Amazon takes an FBA unit back and refunds the buyer itself")
    }


async def test_a_later_decision_drops_what_it_no_longer_owes_and_owes_its_own(intake_api):
    """An exchange decided (the return closed), then out of stock: a return with a full
    refund decided instead. The close not performed yet is dropped, the approval owed;
    the first decision delivered again afterwards changes nothing."""
    service = intake_api.service
    case = await shopify_case(service)
    first = utc_now() - timedelta(minutes=5)
    async with TestKafkaBroker(service.broker) as broker:
        await decide(broker, case.case_id, Remedy.EXCHANGE, at=first)
        assert states_of(await actions_of(service, case.case_id)) == {"close": ("owed", None)}
        later = first + timedelta(seconds=1)
        await decide(broker, case.case_id, Remedy.RETURN_FULL_REFUND, at=later)
        await decide(broker, case.case_id, Remedy.EXCHANGE, at=first)  # redelivered late
    actions = states_of(await actions_of(service, case.case_id))
    assert actions == {
        "close": ("dropped", "not performed: the case is resolved by return full refund since"),
        "approve": ("owed", None),
    }


async def test_a_decision_back_to_an_earlier_remedy_owes_its_action_again(intake_api):
    service = intake_api.service
    case = await shopify_case(service)
    at = utc_now() - timedelta(minutes=5)
    async with TestKafkaBroker(service.broker) as broker:
        for step, remedy in enumerate(
            (Remedy.PARTIAL_REFUND, Remedy.RETURN_FULL_REFUND, Remedy.EXCHANGE)
        ):
            await decide(broker, case.case_id, remedy, at=at + timedelta(seconds=step))
    actions = await actions_of(service, case.case_id)
    assert states_of(actions) == {
        "close": ("owed", None),
        "approve": ("dropped", "not performed: the case is resolved by exchange since"),
    }
    close = next(row for row in actions if row.action == "close")
    assert (close.note, close.remedy) == ("resolved by exchange", "exchange")


async def test_an_action_performed_is_not_undone_and_the_next_owed_where_the_marketplace_lets(
    intake_api,
):
    service = intake_api.service
    approved = await shopify_case(service)
    declined = await ebay_case(service, reason="changed_mind")
    at = utc_now() - timedelta(minutes=5)
    async with TestKafkaBroker(service.broker) as broker:
        await decide(broker, approved.case_id, Remedy.RETURN_FULL_REFUND, at=at)
        await decide(broker, declined.case_id, Remedy.EXCHANGE, at=at)
        await mark(service, action_id_of(approved.case_id, ReturnAction.APPROVE), "done")
        await mark(service, action_id_of(declined.case_id, ReturnAction.DECLINE), "done")
        later = at + timedelta(minutes=1)
        await decide(broker, approved.case_id, Remedy.PARTIAL_REFUND, at=later)
        await decide(broker, declined.case_id, Remedy.RETURN_FULL_REFUND, at=later)
    # Shopify closes the return it approved (returnClose): owed.
    assert states_of(await actions_of(service, approved.case_id)) == {
        "approve": ("done", None),
        "close": ("owed", None),
    }
    # eBay approves no return declined before: not needed, with why.
    after = states_of(await actions_of(service, declined.case_id))
    assert after["decline"] == ("done", None)
    assert after["approve"][0] == "not_needed"
    assert after["approve"][1].startswith("eBay's return was ended (decline) before the decision")


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
    assert (nothing.action, nothing.state, nothing.error) == (
        "close",
        "not_needed",
        "the marketplace holds no return for this case",
    )
    (ended,) = await actions_of(service, closed.case_id)
    assert (ended.action, ended.state, ended.error) == (
        "close",
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
