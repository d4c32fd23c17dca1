"""Messages to buyers: owed by the events intake consumes (`handlers/events.py`, through
FastStream's test broker), sent by the message worker (`workers/outgoing_messages.py`)
through each case's channel: e-mail to the session's local SMTP server
(`deploy/mail_server.py`), parsed back; eBay's return messages and Amazon's relay address
at the emulators. Listed for agents (`handlers/outgoing_messages.py`)."""

import email
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
import sqlalchemy
from faststream.kafka import TestKafkaBroker
from sqlalchemy import select, update

from deploy.mail_server import BOUNCE, CLOSING, TRANSIENT
from services.intake.adapters.mail import RelaySession
from services.intake.domain.case import EraseBuyer
from services.intake.tables import BuyerRecord, CaseRecord, OutgoingMessage
from services.intake.workers.outgoing_messages import MessageWorker
from services.intake.workflows import cases
from shared.events import (
    Envelope,
    RefundIssued,
    Remedy,
    ResolutionHeldForAgent,
    ResolutionOffered,
    ReturnLabelIssued,
    Scenario,
    Shipped,
)
from shared.markets import Currency
from shared.messaging_tables import utc_now
from tests.factories import AGENT, envelope_bytes, resolution_decided
from tests.handlers.conftest import outbox_of
from tests.handlers.intake.marketplace_side.conftest import stored_case

SENDER = "Luma Home <care@lumahome.example>"
OFFER_TEXT = (
    "Hallo Ana,\n\nWir bieten Ihnen eine Teilerstattung von 7,50 € an; Sie behalten den "
    "Artikel.\n\nMit freundlichen Grüßen"
)


@pytest.fixture(autouse=True)
def no_faults(mail_server):
    mail_server.faults.clear()
    yield
    mail_server.faults.clear()


@pytest.fixture
async def seller(intake_api) -> str:
    """A generic-channel account whose messages go from the seller's own address."""
    account = f"shop-{uuid.uuid4().hex[:8]}"
    answer = await intake_api.post(
        "/channel-accounts",
        json={
            "channel": "generic",
            "account": account,
            "seller": "luma-home",
            "secrets": [f"secret-{uuid.uuid4().hex}"],
            "credentials": {"mail_from": SENDER},
        },
        headers=AGENT,
    )
    assert answer.status_code == 201, answer.text
    return account


async def case_with_buyer(
    intake,
    channel: str = "generic",
    account: str = "test-seller",
    email_address: str | None = "ana.ruiz@example.de",
    language: str = "de",
    market: str = "DE",
    return_id: str | None = None,
    scenario: str = "minor_defect",
) -> CaseRecord:
    """A case as intake keeps it, with its buyer's sealed contact."""
    service = intake.service
    case = await stored_case(service, channel=channel, account=account, return_id=return_id)
    details = {
        **case.case,
        "buyer_language": language,
        "items": [{"sku": "BT-SPK-200", "title": "Bluetooth speaker", "quantity": 1}],
    }
    contact = {"name": "Ana Ruiz", "email": email_address}
    buyer_ref = f"buyer-{uuid.uuid4().hex[:10]}"
    async with service.transaction() as session:
        await session.execute(
            update(CaseRecord)
            .where(CaseRecord.case_id == case.case_id)
            .values(case=details, market=market, scenario=scenario, buyer_ref=buyer_ref)
        )
        session.add(
            BuyerRecord(
                channel=channel,
                account=account,
                buyer_ref=buyer_ref,
                contact=intake.vault.seal(contact),
            )
        )
    async with service.sessions() as session:
        return await session.get(CaseRecord, case.case_id)


def offered(case_id: str, needs_answer: bool = True) -> ResolutionOffered:
    return ResolutionOffered(
        case_id=case_id,
        offer_id=f"offer-{uuid.uuid4().hex[:8]}",
        step=1,
        remedy=Remedy.PARTIAL_REFUND,
        amount_minor=750,
        currency=Currency.EUR,
        language="de",
        message=OFFER_TEXT,
        expires_at=datetime.now(UTC) + timedelta(hours=48),
        needs_answer=needs_answer,
    )


async def publish(service, payload, topic: str, envelope: Envelope | None = None) -> Envelope:
    envelope = envelope or Envelope.wrap(payload)
    async with TestKafkaBroker(service.broker) as broker:
        await broker.publish(envelope_bytes(envelope), topic, key=payload.case_id.encode())
    return envelope


async def messages_of(service, case_id: str) -> list[OutgoingMessage]:
    async with service.sessions() as session:
        rows = await session.scalars(
            select(OutgoingMessage)
            .where(OutgoingMessage.case_id == case_id)
            .order_by(OutgoingMessage.queued_at, OutgoingMessage.kind)
        )
        return list(rows)


async def send_all(intake) -> None:
    """The message worker's tries of everything due now."""
    worker = MessageWorker(intake)
    while await worker.work_once():
        pass


async def due_now(service, message_id: str) -> None:
    """Time moves on to the message's next try."""
    async with service.transaction() as session:
        await session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.message_id == message_id)
            .values(next_attempt_at=utc_now())
        )


def mail_for(mail_server, message_id_header: str) -> list[EmailMessage]:
    found = []
    for path in mail_server.messages():
        parsed = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if parsed["Message-ID"] == message_id_header:
            found.append(parsed)
    return found


async def test_an_offer_is_sent_once_by_email_with_both_parts_and_threading_headers(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller)
    payload = offered(case.case_id)
    envelope = await publish(service, payload, "resolution.events")
    await publish(service, payload, "resolution.events", envelope)  # redelivered
    [message] = await messages_of(service, case.case_id)
    assert (message.kind, message.state, message.way) == ("offer_made", "queued", "email")

    await send_all(intake)
    await publish(service, payload, "resolution.events", envelope)  # and again, once sent
    await send_all(intake)

    [message] = await messages_of(service, case.case_id)
    assert message.state == "sent" and message.sent_at is not None
    assert OFFER_TEXT.splitlines()[2] in message.body_text  # kept for the case's timeline
    header = intake.buyer_links.message_id(case.case_id, message.message_id)
    [mail] = mail_for(mail_server, header)  # one message, however often the event came
    assert mail["From"] == SENDER and mail["To"] == "ana.ruiz@example.de"
    assert mail["Subject"] == "Ihr Fall zu Bluetooth speaker: unser Angebot"
    assert mail["Reply-To"] == intake.buyer_links.reply_address(case.case_id)
    assert intake.buyer_links.case_of_message_id(mail["Message-ID"]) == case.case_id
    assert mail["Content-Language"] == "de"
    assert mail["List-Unsubscribe"] is None  # about what the case owes: no opt-out
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Teilerstattung von 7,50 €" in text and "Teilerstattung von 7,50 €" in html
    [page] = [
        line for line in text.splitlines() if line.startswith(intake.buyer_links.page_base_url)
    ]
    assert f'href="{page}"' in html
    link = intake.buyer_links.open_page(page.rsplit("/", 1)[1])  # signed, for this case
    assert (link.case_id, link.language) == (case.case_id, "de")

    # Announced once for the case's conversation: what it said, not to whom nor the link.
    [told] = await messages_told(service, case.case_id)
    assert (told["message_id"], told["kind"], told["state"]) == (
        message.message_id,
        "offer_made",
        "sent",
    )
    assert (told["channel"], told["way"], told["language"]) == ("generic", "email", "de")
    assert told["subject"] == mail["Subject"] and "Teilerstattung von 7,50 €" in told["text"]
    assert "ana.ruiz@example.de" not in str(told) and page not in told["text"]
    assert "/buyer/" not in told["text"]


async def messages_told(service, case_id: str) -> list[dict]:
    """The `case.buyer_messaged` events intake wrote for the case: their data."""
    events = await outbox_of(service, case_id)
    return [e["data"] for e in events if e["type"] == "case.buyer_messaged"]


async def test_every_step_owes_its_message_and_a_quality_refund_its_follow_up(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    case = await case_with_buyer(
        intake, account=seller, language="fr", market="FR", scenario="quality_defect"
    )
    label = ReturnLabelIssued(
        case_id=case.case_id,
        rma_id="RMA-77",
        warehouse="NUE1",
        carrier="DHL",
        tracking_number="00340434161094042557",
    )
    shipped = Shipped(
        case_id=case.case_id,
        shipment_id="shp-1",
        remedy=Remedy.EXCHANGE,
        warehouse="NUE1",
        carrier="DHL",
        service="Paket",
        tracking_number="00340434161094099999",
        postage_minor=490,
        postage_currency=Currency.EUR,
        by="ana",
        at=datetime.now(UTC),
    )
    refund = RefundIssued(
        case_id=case.case_id,
        refund_id="refund-1",
        marketplace="generic",
        marketplace_refund_id="re-1",
        amount_minor=4999,
        currency=Currency.EUR,
        remedy=Remedy.RETURN_FULL_REFUND,
        at=datetime.now(UTC),
    )
    await publish(service, label, "fulfillment.events")
    await publish(service, shipped, "fulfillment.events")
    await publish(service, refund, "resolution.events")
    await send_all(intake)

    sent = {row.kind: row for row in await messages_of(service, case.case_id)}
    assert set(sent) == {
        "return_label_issued",
        "parcel_shipped",
        "refund_issued",
        "quality_follow_up",
    }
    assert {row.state for row in sent.values()} == {"sent"}
    assert "RMA-77" in sent["return_label_issued"].body_text
    assert "00340434161094099999" in sent["parcel_shipped"].body_text
    assert "49,99 €" in sent["refund_issued"].subject
    follow_up = sent["quality_follow_up"]
    [mail] = mail_for(
        mail_server, intake.buyer_links.message_id(case.case_id, follow_up.message_id)
    )
    reply = intake.buyer_links.reply_address(case.case_id)
    assert mail["List-Unsubscribe"] == f"<mailto:{reply}?subject=unsubscribe>"


async def test_a_transient_smtp_failure_is_tried_again_then_sent(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller)
    await publish(service, offered(case.case_id), "resolution.events")
    mail_server.faults.answer_next(TRANSIENT)
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert (message.state, message.attempts) == ("queued", 1)
    assert "451" in message.error and message.next_attempt_at > utc_now()
    header = intake.buyer_links.message_id(case.case_id, message.message_id)
    assert mail_for(mail_server, header) == []

    await due_now(service, message.message_id)
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert (message.state, message.attempts) == ("sent", 2)
    assert len(mail_for(mail_server, header)) == 1


async def test_an_unreachable_relay_is_tried_again_until_the_last_try_fails_it(
    intake_api, intake, seller
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller)
    await publish(service, offered(case.case_id), "resolution.events")
    intake.mail.port, port = 1, intake.mail.port  # nothing listens there
    try:
        for _ in range(service.settings.buyer_message_max_attempts):
            [message] = await messages_of(service, case.case_id)
            await due_now(service, message.message_id)
            await send_all(intake)
    finally:
        intake.mail.port = port
    [message] = await messages_of(service, case.case_id)
    assert message.state == "failed" and "unreachable" in message.error

    retried = await intake_api.post(f"/messages/{message.message_id}/retry", headers=AGENT)
    assert retried.json() == {"message_id": message.message_id, "state": "queued"}
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert message.state == "sent"


async def test_a_bounce_marks_the_message_bounced(intake_api, intake, seller, mail_server):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller, email_address="gone@example.de")
    mail_server.faults.refuse("gone@example.de", BOUNCE)
    await publish(service, offered(case.case_id), "resolution.events")
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert message.state == "bounced" and "550" in message.error
    assert message.attempts == 1  # not tried again
    assert [told["state"] for told in await messages_told(service, case.case_id)] == ["bounced"]


async def test_an_erased_buyer_gets_nothing(intake_api, intake, seller, mail_server):
    service = intake_api.service
    before = len(mail_server.messages())
    erased = await case_with_buyer(intake, account=seller)
    async with service.transaction() as session:
        await session.execute(
            update(BuyerRecord)
            .where(BuyerRecord.buyer_ref == erased.buyer_ref, BuyerRecord.account == seller)
            .values(contact=None, erased_at=utc_now())
        )
    await publish(service, offered(erased.case_id), "resolution.events")
    # One owed before the erasure arrived is not sent either.
    later = await case_with_buyer(intake, account=seller)
    await publish(service, offered(later.case_id), "resolution.events")
    async with service.transaction() as session:
        await session.execute(
            update(BuyerRecord)
            .where(BuyerRecord.buyer_ref == later.buyer_ref, BuyerRecord.account == seller)
            .values(contact=None, erased_at=utc_now())
        )
    await send_all(intake)
    for case in (erased, later):
        [message] = await messages_of(service, case.case_id)
        assert message.state == "not_sent" and "erased" in message.error
        assert message.body_text is None  # nothing rendered for nobody
    assert len(mail_server.messages()) == before


async def test_a_buyer_without_an_address_gets_nothing_and_an_agent_sees_why(
    intake_api, intake, seller
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller, email_address=None)
    await publish(service, offered(case.case_id), "resolution.events")
    await send_all(intake)
    listed = await intake_api.get(f"/cases/{case.case_id}/messages", headers=AGENT)
    [message] = listed.json()
    assert message["state"] == "not_sent" and "no e-mail address" in message["error"]


async def test_a_message_the_lint_holds_back_never_leaves(intake_api, intake, seller, mail_server):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller, language="en", market="UK")
    bad = offered(case.case_id).model_copy(
        update={"message": "Hello,\n\nA full refund, no questions asked.", "language": "en"}
    )
    await publish(service, bad, "resolution.events")
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert message.state == "failed"
    assert message.error == "held by the compliance lint: banned_promise: no questions asked"
    header = intake.buyer_links.message_id(case.case_id, message.message_id)
    assert mail_for(mail_server, header) == []


async def test_agents_read_a_cases_messages_filtered_by_seller(intake_api, intake, seller):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller)
    await publish(service, offered(case.case_id), "resolution.events")
    await send_all(intake)
    mine = await intake_api.get(
        "/messages", params={"seller": "luma-home", "case_id": case.case_id}, headers=AGENT
    )
    [message] = mine.json()
    assert message["subject"] == "Ihr Fall zu Bluetooth speaker: unser Angebot"
    assert message["body_text"].startswith("Hallo Ana,")
    others = await intake_api.get(
        "/messages", params={"seller": "another-seller", "case_id": case.case_id}, headers=AGENT
    )
    assert others.json() == []
    assert (await intake_api.get(f"/cases/{case.case_id}/messages")).status_code in (401, 403)


async def test_an_agent_answers_politely_when_nothing_is_owed(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller, language="it", market="IT")
    path = f"/cases/{case.case_id}/messages/nothing-owed"
    body = {"why": "il periodo di reso è terminato il 2 novembre"}
    headers = {**AGENT, "Idempotency-Key": "agent-answer-1"}
    first = await intake_api.post(path, json=body, headers=headers)
    again = await intake_api.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["message_id"] == again.json()["message_id"]
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert message.state == "sent"
    assert "conserva la garanzia legale" in message.body_text
    assert "il periodo di reso è terminato" in message.body_text
    missing = await intake_api.post(
        "/cases/case-00000000-0000-0000-0000-000000000000/messages/nothing-owed",
        json=body,
        headers=AGENT,
    )
    assert missing.status_code == 404


async def test_an_ebay_buyer_reads_the_message_in_the_returns_conversation(
    intake_api, intake, emulators
):
    service = intake_api.service
    return_id = f"52{uuid.uuid4().int % 10**8:08d}"
    case = await case_with_buyer(
        intake, channel="ebay", account="lumahome-us", return_id=return_id, language="en"
    )
    await publish(
        service, offered(case.case_id).model_copy(update={"language": "en"}), "resolution.events"
    )
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert (message.way, message.state) == ("ebay", "delivered"), message.error
    assert message.delivered_at is not None
    http = intake.marketplaces.http
    held = (await http.get(f"{emulators}/_emulator/ebay/returns/{return_id}")).json()
    history = held["detail"]["responseHistory"]
    steps = [s for s in history if s["activity"] == "SELLER_SEND_MESSAGE"]
    assert len(steps) == 1 and "Teilerstattung von 7,50 €" in steps[0]["notes"]
    sent = await http.get(f"{emulators}/_emulator/ebay/messages", params={"return_id": return_id})
    assert [m["language"] for m in sent.json()["messages"]] == ["en"]
    told = await messages_told(service, case.case_id)
    assert [(t["way"], t["state"]) for t in told] == [("ebay", "delivered")]


async def amazon_case(intake, seller_id: str, **messaging) -> CaseRecord:
    """A DE case of a new Amazon order; `messaging` sets what the order offers (actions,
    the buyer's locale) at the emulator."""
    order_id = f"304-{uuid.uuid4().int % 10**7:07d}-{uuid.uuid4().int % 10**7:07d}"
    case = await case_with_buyer(intake, channel="amazon", account=seller_id, email_address=None)
    async with intake.service.transaction() as session:
        await session.execute(
            update(CaseRecord).where(CaseRecord.case_id == case.case_id).values(order_id=order_id)
        )
    if messaging:
        http = intake.marketplaces.http
        base = intake.service.settings.amazon_sp_api_base_url.removesuffix("/amazon")
        answer = await http.put(f"{base}/_emulator/amazon/messaging/{order_id}", json=messaging)
        assert answer.status_code == 204, answer.text
    async with intake.service.sessions() as session:
        return await session.get(CaseRecord, case.case_id)


async def made_through_actions(intake, emulators, order_id: str) -> list[dict]:
    made = await intake.marketplaces.http.get(
        f"{emulators}/_emulator/amazon/buyer-messages", params={"order_id": order_id}
    )
    return made.json()["messages"]


async def test_an_amazon_buyer_is_written_to_at_the_relay_address_read_with_an_rdt(
    intake_api, intake, mail_server, emulators, amazon_seller
):
    service = intake_api.service
    case = await amazon_case(intake, amazon_seller)
    await publish(service, offered(case.case_id), "resolution.events")
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert (message.way, message.state, message.action) == ("amazon", "sent", None), message.error
    [mail] = mail_for(mail_server, intake.buyer_links.message_id(case.case_id, message.message_id))
    assert mail["To"].endswith("@marketplace.amazon.de")
    text = mail.get_body(("plain",)).get_content()
    assert "http" not in text  # Amazon takes no links but those completing the order
    assert intake.buyer_links.page_url(case.case_id, "de").split("/buyer/")[0] not in text
    assert await made_through_actions(intake, emulators, case.order_id) == []


async def test_a_notice_of_a_remedy_owed_goes_once_through_amazons_unexpected_problem(
    intake_api, intake, mail_server, emulators, amazon_seller
):
    service = intake_api.service
    case = await amazon_case(intake, amazon_seller)
    notice = offered(case.case_id, needs_answer=False)
    envelope = await publish(service, notice, "resolution.events")
    await send_all(intake)
    await publish(service, notice, "resolution.events", envelope)  # redelivered
    await send_all(intake)

    [message] = await messages_of(service, case.case_id)
    assert (message.kind, message.state) == ("remedy_owed", "sent"), message.error
    assert (message.action, message.action_tried_at) == ("unexpectedProblem", None)
    [made] = await made_through_actions(intake, emulators, case.order_id)
    assert (made["action"], made["marketplace_id"]) == ("unexpectedProblem", "A1PA6795UKMFR9")
    assert made["seller"] == amazon_seller
    assert "Teilerstattung von 7,50 €" in made["text"] and made["text"] == made["text"].strip()
    header = intake.buyer_links.message_id(case.case_id, message.message_id)
    assert mail_for(mail_server, header) == []  # not by the relay as well
    listed = await intake_api.get(f"/cases/{case.case_id}/messages", headers=AGENT)
    assert [(m["state"], m["action"]) for m in listed.json()] == [("sent", "unexpectedProblem")]


@pytest.mark.parametrize(
    "messaging",
    [
        {"actions": ["warranty", "legalDisclosure"]},  # the order offers no fitting action
        {"locale": "en-GB"},  # the notice is not in the buyer's language of preference
    ],
)
async def test_a_notice_goes_to_the_relay_when_no_amazon_action_fits(
    intake_api, intake, mail_server, emulators, amazon_seller, messaging
):
    service = intake_api.service
    case = await amazon_case(intake, amazon_seller, **messaging)
    await publish(service, offered(case.case_id, needs_answer=False), "resolution.events")
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert (message.state, message.action) == ("sent", None), message.error
    [mail] = mail_for(mail_server, intake.buyer_links.message_id(case.case_id, message.message_id))
    assert mail["To"].endswith("@marketplace.amazon.de")
    assert await made_through_actions(intake, emulators, case.order_id) == []


async def test_a_shipment_is_told_through_confirm_delivery_details_in_the_buyers_language(
    intake_api, intake, emulators, amazon_seller
):
    service = intake_api.service
    case = await amazon_case(intake, amazon_seller, locale="fr-FR")  # a DE order, a French buyer
    shipped = Shipped(
        case_id=case.case_id,
        shipment_id=f"shp-{uuid.uuid4().hex[:6]}",
        remedy=Remedy.RESHIP,
        warehouse="NUE1",
        carrier="DHL",
        service="Paket",
        tracking_number="00340434161094077777",
        postage_minor=490,
        postage_currency=Currency.EUR,
        by="ana",
        at=datetime.now(UTC),
    )
    await publish(service, shipped, "fulfillment.events")
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert (message.state, message.action, message.language) == (
        "sent",
        "confirmDeliveryDetails",
        "fr",
    ), message.error
    [made] = await made_through_actions(intake, emulators, case.order_id)
    assert made["action"] == "confirmDeliveryDetails"
    assert "00340434161094077777" in made["text"] and "DHL" in made["text"]
    assert made["text"] == message.body_text.strip()


async def test_an_amazon_action_refused_goes_by_the_relay_and_a_throttled_one_later(
    intake_api, intake, mail_server, emulators, amazon_seller
):
    service = intake_api.service
    refused = await amazon_case(intake, amazon_seller, refuse_with=400, refusals=1)
    throttled = await amazon_case(intake, amazon_seller, refuse_with=429, refusals=1)
    for case in (refused, throttled):
        await publish(service, offered(case.case_id, needs_answer=False), "resolution.events")
    await send_all(intake)

    [by_relay] = await messages_of(service, refused.case_id)
    assert (by_relay.state, by_relay.action) == ("sent", None), by_relay.error
    header = intake.buyer_links.message_id(refused.case_id, by_relay.message_id)
    [mail] = mail_for(mail_server, header)
    assert mail["To"].endswith("@marketplace.amazon.de")
    assert await made_through_actions(intake, emulators, refused.order_id) == []

    [later] = await messages_of(service, throttled.case_id)
    assert (later.state, later.action, later.action_tried_at) == (
        "queued",
        "unexpectedProblem",
        None,
    )
    assert "429" in later.error
    await due_now(service, later.message_id)
    await send_all(intake)
    [sent] = await messages_of(service, throttled.case_id)
    assert (sent.state, sent.action) == ("sent", "unexpectedProblem"), sent.error
    assert len(await made_through_actions(intake, emulators, throttled.order_id)) == 1


async def test_an_amazon_action_whose_answer_is_lost_is_not_sent_again_until_an_agent_says(
    intake_api, intake, emulators, amazon_seller
):
    service = intake_api.service
    http = intake.marketplaces.http
    case = await amazon_case(intake, amazon_seller)
    lost = {"seller": amazon_seller, "operation": "createUnexpectedProblem", "times": 1}
    assert (await http.put(f"{emulators}/_emulator/amazon/lost-answers", json=lost)).is_success
    await publish(service, offered(case.case_id, needs_answer=False), "resolution.events")
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert message.state == "failed" and "Seller Central" in message.error
    assert message.action_tried_at is not None
    await due_now(service, message.message_id)
    await send_all(intake)
    assert len(await made_through_actions(intake, emulators, case.order_id)) == 1

    retried = await intake_api.post(f"/messages/{message.message_id}/retry", headers=AGENT)
    assert retried.status_code == 200, retried.text
    await send_all(intake)  # the agent found nothing in Seller Central: sent again
    [message] = await messages_of(service, case.case_id)
    assert (message.state, message.action_tried_at) == ("sent", None), message.error
    assert len(await made_through_actions(intake, emulators, case.order_id)) == 2


async def test_a_try_that_began_and_was_never_answered_is_left_to_an_agent(
    intake_api, intake, emulators, amazon_seller
):
    service = intake_api.service
    case = await amazon_case(intake, amazon_seller)
    await publish(service, offered(case.case_id, needs_answer=False), "resolution.events")
    [message] = await messages_of(service, case.case_id)
    async with service.transaction() as session:  # intake stopped right after recording it
        await session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.message_id == message.message_id)
            .values(action="unexpectedProblem", action_tried_at=utc_now())
        )
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert message.state == "failed" and "Seller Central" in message.error
    assert await made_through_actions(intake, emulators, case.order_id) == []


async def test_erasing_a_buyer_forgets_what_their_messages_said_and_sends_no_more(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller)
    await publish(service, offered(case.case_id), "resolution.events")
    await send_all(intake)
    await publish(service, offered(case.case_id), "resolution.events")  # the next offer
    before = len(mail_server.messages())
    async with service.transaction() as session:
        await cases.erase_buyer(
            session,
            "generic",
            EraseBuyer(seller_account=seller, buyer_ref=case.buyer_ref),
            "a test",
            utc_now(),
        )
    await send_all(intake)
    states = sorted(
        (m.state, m.body_text, m.facts) for m in await messages_of(service, case.case_id)
    )
    assert [state for state, _, _ in states] == ["not_sent", "sent"]
    assert all(text is None and facts == {} for _, text, facts in states)
    assert len(mail_server.messages()) == before


async def test_a_notice_of_a_remedy_owed_is_not_followed_by_its_decision_again(
    intake_api, intake, seller
):
    service = intake_api.service
    noticed = await case_with_buyer(intake, account=seller)
    accepted = await case_with_buyer(intake, account=seller)
    await publish(service, offered(noticed.case_id, needs_answer=False), "resolution.events")
    await publish(service, offered(accepted.case_id), "resolution.events")
    for case in (noticed, accepted):
        decision = resolution_decided("BT-SPK-200", Remedy.PARTIAL_REFUND).model_copy(
            update={"case_id": case.case_id, "refund_minor": 750, "currency": Currency.EUR}
        )
        await publish(service, decision, "resolution.events")
    assert [m.kind for m in await messages_of(service, noticed.case_id)] == ["remedy_owed"]
    kinds = sorted(m.kind for m in await messages_of(service, accepted.case_id))
    assert kinds == ["offer_made", "remedy_decided"]


def held_for_agent(case_id: str, told: bool) -> ResolutionHeldForAgent:
    """Resolution's hold; `told`: nothing is owed, with its answer to the German buyer."""
    from services.resolution.domain import nothing_owed
    from services.resolution.domain.law import rights_of
    from shared.markets import Market

    if not told:
        findings = ["banned_promise: lifetime warranty"]
        return ResolutionHeldForAgent(
            case_id=case_id, remedy=None, findings=findings, at=datetime.now(UTC)
        )
    delivered = datetime(2026, 3, 2, 10, tzinfo=UTC)
    rights = rights_of(Market.DE, delivered, delivered + timedelta(days=60), "generic")
    reason = nothing_owed.NothingOwedReason.RETURN_WINDOW_CLOSED
    answer = nothing_owed.draft(reason, rights, "de", "Bluetooth speaker", Scenario.CHANGED_MIND)
    return ResolutionHeldForAgent(
        case_id=case_id,
        remedy=None,
        findings=[nothing_owed.finding_of(reason, rights.return_closed_on)],
        at=datetime.now(UTC),
        nothing_owed=reason.value,
        language=answer.language,
        message=answer.message,
    )


async def test_a_buyer_owed_nothing_hears_it_once_in_resolution_s_words(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller, scenario="changed_mind")
    payload = held_for_agent(case.case_id, told=True)
    envelope = await publish(service, payload, "resolution.events")
    await publish(service, payload, "resolution.events", envelope)  # redelivered
    await send_all(intake)

    [message] = await messages_of(service, case.case_id)
    assert (message.kind, message.state) == ("nothing_owed", "sent")
    assert "Frist" in message.body_text and "1. April 2026" in message.body_text  # why
    assert "behalten Sie Ihre gesetzliche Gewährleistung" in message.body_text  # rights kept
    assert message.body_text.count("Guten Tag") == 1  # resolution's frame, not a second
    header = intake.buyer_links.message_id(case.case_id, message.message_id)
    [mail] = mail_for(mail_server, header)
    assert mail["Subject"] == "Ihre Anfrage zu Bluetooth speaker"


async def test_a_case_held_for_any_other_reason_says_nothing_to_the_buyer(
    intake_api, intake, seller
):
    service = intake_api.service
    case = await case_with_buyer(intake, account=seller)
    await publish(service, held_for_agent(case.case_id, told=False), "resolution.events")
    assert await messages_of(service, case.case_id) == []


# ------------------------------------------------------- a claimed batch, one SMTP session


async def owed_to(intake, seller: str, *addresses: str) -> list[OutgoingMessage]:
    """An offer owed to each buyer, in this order of their tries."""
    service = intake.service
    owed = []
    for address in addresses:
        case = await case_with_buyer(intake, account=seller, email_address=address)
        await publish(service, offered(case.case_id), "resolution.events")
        [message] = await messages_of(service, case.case_id)
        owed.append(message)
    return owed


async def now_of(service, owed: list[OutgoingMessage]) -> list[OutgoingMessage]:
    async with service.sessions() as session:
        return [await session.get(OutgoingMessage, message.message_id) for message in owed]


def sent_in(mail_server, intake, owed: list[OutgoingMessage]) -> list:
    return [
        path
        for message in owed
        for path in mail_server.messages()
        if intake.buyer_links.message_id(message.case_id, message.message_id).encode()
        in path.read_bytes()
    ]


async def test_a_batch_of_messages_goes_over_one_smtp_session_and_each_is_recorded_once(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    owed = await owed_to(intake, seller, *(f"buyer-{n}@example.de" for n in range(5)))
    await send_all(intake)
    await send_all(intake)  # nothing left: none is sent again
    assert [m.state for m in await now_of(service, owed)] == ["sent"] * 5
    taken = sent_in(mail_server, intake, owed)
    assert len(taken) == 5 and len(mail_server.sessions_of(taken)) == 1
    told = [await messages_told(service, m.case_id) for m in owed]
    assert [[t["state"] for t in each] for each in told] == [["sent"]] * 5


async def test_a_recipient_refused_mid_batch_bounces_alone(intake_api, intake, seller, mail_server):
    service = intake_api.service
    mail_server.faults.refuse("gone-mid-batch@example.de", BOUNCE)
    addresses = ("first@example.de", "gone-mid-batch@example.de", "third@example.de")
    owed = await owed_to(intake, seller, *addresses)
    await send_all(intake)
    first, gone, third = await now_of(service, owed)
    assert (first.state, gone.state, third.state) == ("sent", "bounced", "sent")
    assert "550" in gone.error
    taken = sent_in(mail_server, intake, owed)
    assert len(taken) == 2 and len(mail_server.sessions_of(taken)) == 1


async def test_a_session_dropped_mid_batch_leaves_the_rest_to_try_again(
    intake_api, intake, seller, mail_server
):
    service = intake_api.service
    mail_server.faults.refuse("drops@example.de", CLOSING)
    addresses = ("before@example.de", "drops@example.de", "after@example.de")
    owed = await owed_to(intake, seller, *addresses)
    await send_all(intake)
    before, drops, after = await now_of(service, owed)
    assert before.state == "sent"
    assert (drops.state, after.state) == ("queued", "queued")
    assert "421" in drops.error and "not tried" in after.error
    assert after.next_attempt_at > utc_now()  # later, as any relay that cannot take it now
    assert len(sent_in(mail_server, intake, owed)) == 1

    mail_server.faults.clear()
    for message in (drops, after):
        await due_now(service, message.message_id)
    await send_all(intake)
    assert [m.state for m in await now_of(service, owed)] == ["sent"] * 3
    assert len(sent_in(mail_server, intake, owed)) == 3  # each once


async def test_a_batch_reads_and_records_its_messages_in_a_few_statements(
    intake_api, intake, seller, mail_server
):
    """Statements per message, counted at the engine: the batch's cases and buyers are read
    together and its outcomes recorded in one transaction."""
    service = intake_api.service
    owed = await owed_to(intake, seller, *(f"counted-{n}@example.de" for n in range(10)))
    statements: list[str] = []

    def counted(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sqlalchemy.event.listen(service.engine.sync_engine, "before_cursor_execute", counted)
    try:
        await send_all(intake)
    finally:
        sqlalchemy.event.remove(service.engine.sync_engine, "before_cursor_execute", counted)
    assert [m.state for m in await now_of(service, owed)] == ["sent"] * 10
    print(f"{len(statements)} statements for 10 messages")
    assert len(statements) <= 7 * 10  # 102 before the batch was read and recorded together


async def test_each_message_of_a_batch_is_recorded_sent_before_the_next_goes(
    intake_api, intake, seller, mail_server, monkeypatch
):
    """Intake stopped mid-batch (kill -9) must find every message already out recorded, or
    a worker sends it again when the lease runs out: each is recorded before the next."""
    service = intake_api.service
    owed = await owed_to(intake, seller, *(f"in-order-{n}@example.de" for n in range(3)))
    states_at_each_send: list[list[str]] = []
    real_send = RelaySession._send

    async def send(self, message, envelope) -> str:  # as the message goes over SMTP
        states_at_each_send.append([m.state for m in await now_of(service, owed)])
        return await real_send(self, message, envelope)

    monkeypatch.setattr(RelaySession, "_send", send)
    await send_all(intake)
    assert [m.state for m in await now_of(service, owed)] == ["sent"] * 3
    sent_before = [states.count("sent") for states in states_at_each_send]
    assert sent_before == [0, 1, 2]
