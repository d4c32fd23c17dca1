"""Buyers' replies by e-mail, over the session's PostgreSQL: through intake's own mail
server (a real SMTP conversation) and Mailgun's and Mandrill's signed inbound webhooks
(`handlers/inbound_mail.py`, `workers/inbound_mail.py`, `workflows/inbound_replies.py`)."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage
from urllib.parse import urlencode

import aiosmtplib
import pytest
from pydantic import SecretStr
from sqlalchemy import text

from services.intake.adapters import mail_providers as providers
from services.intake.domain.case import Channel
from services.intake.tables import DeliveryRecord, OutgoingMessage
from services.intake.workers.deliveries import DeliveryWorker
from services.intake.workers.inbound_mail import InboundMailServer
from tests.handlers.intake.conftest import running_intake

MAILGUN_KEY = "mailgun-signing-key"
MANDRILL_KEY = "mandrill-webhook-key"
MANDRILL_URL = "https://intake.example.com/inbound-mail/mandrill"
MANDRILL_EVENTS_KEY = "mandrill-events-key"
MANDRILL_EVENTS_URL = "https://intake.example.com/inbound-mail/mandrill/events"
FORM = {"content-type": "application/x-www-form-urlencoded"}
LARGEST = 8 * 1024


@pytest.fixture
async def intake(settings) -> AsyncIterator:
    async with running_intake(
        settings,
        buyer_link_secret=SecretStr("buyer-link-secret"),
        reply_domain="replies.example",
        mailgun_webhook_signing_key=SecretStr(f"old-key,{MAILGUN_KEY}"),
        mandrill_webhook_key=SecretStr(MANDRILL_KEY),
        mandrill_webhook_url=MANDRILL_URL,
        mandrill_events_webhook_key=SecretStr(MANDRILL_EVENTS_KEY),
        mandrill_events_webhook_url=MANDRILL_EVENTS_URL,
        inbound_mail_max_bytes=LARGEST,
    ) as client:
        yield client


@pytest.fixture
async def case_id(intake, seller) -> str:
    """A case of the seller's, opened by its generic webhook and applied."""
    answer = await seller.post(intake)
    assert answer.status_code == 202, answer.text
    worker = DeliveryWorker(intake.service.context, (Channel.GENERIC,))
    worker.due += (DeliveryRecord.__table__.c.account == seller.account,)
    while await worker.work_once():
        pass
    return answer.json()["case_id"]


@pytest.fixture
def links(intake):
    return intake.service.context.buyer_links


@pytest.fixture
async def smtp_server(intake, links) -> AsyncIterator[InboundMailServer]:
    server = InboundMailServer(intake.service, links, "127.0.0.1", 0, LARGEST)
    task = asyncio.create_task(server.run())
    await asyncio.wait_for(server.listening.wait(), 10)
    yield server
    server.stop()
    await task


def reply_mail(to: str, words: str, **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Buyer <buyer@example.com>"
    message["To"] = to
    message["Subject"] = "Re: your return"
    message["Message-ID"] = f"<{uuid.uuid4()}@mail.example.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(words)
    return message


async def replies_of(intake, case_id: str) -> list[tuple[str, str, str]]:
    async with intake.service.engine.connect() as connection:
        stored = await connection.execute(
            text(
                "SELECT message_id, answer, text FROM intake.buyer_messages"
                " WHERE case_id = :c AND kind = 'reply' ORDER BY at"
            ),
            {"c": case_id},
        )
        return [tuple(row) for row in stored]


async def events_of(intake, case_id: str) -> list[dict]:
    async with intake.service.engine.connect() as connection:
        stored = await connection.execute(
            text(
                "SELECT envelope FROM intake.outbox WHERE key = :c"
                " AND envelope->>'type' = 'case.buyer_replied' ORDER BY id"
            ),
            {"c": case_id},
        )
        return [row[0]["data"] for row in stored]


async def test_a_reply_by_smtp_is_recorded_once_and_read(intake, case_id, links, smtp_server):
    quoted = "Oui, d'accord.\n\nLe lun. 1 juin 2026, Shop <shop@example.com> a écrit :\n> ?"
    message = reply_mail(links.reply_address(case_id), quoted)
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_server.port)
    async with client:
        _, answer = await client.send_message(message)
        assert "recorded" in answer and case_id in answer
        _, again = await client.send_message(message)  # sent again: the same Message-ID
        assert "received before" in again
    [(key, answer, words)] = await replies_of(intake, case_id)
    assert (key, answer, words) == (
        f"mail:{message['Message-ID'][1:-1]}",
        "accept",
        "Oui, d'accord.",
    )
    [event] = await events_of(intake, case_id)
    assert (event["answer"], event["language"]) == ("accept", "fr")


async def test_smtp_refuses_unknown_recipients_and_oversized_mail(
    intake, case_id, links, smtp_server
):
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_server.port)
    forged = links.reply_address(case_id).replace("reply+", "reply+a", 1)
    async with client:
        for recipient in (forged, "shop@example.com", "reply+x@replies.example"):
            with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
                await client.send_message(reply_mail(recipient, "Yes"))
            [error] = refused.value.recipients
            assert error.code == 550
        large = reply_mail(links.reply_address(case_id), "Yes, I accept.\n" + "x" * LARGEST)
        with pytest.raises(aiosmtplib.SMTPResponseException) as too_large:
            await client.send_message(large)
        assert too_large.value.code == 552
        image = reply_mail(links.reply_address(case_id), "")
        image.clear_content()
        image.set_content(b"\x89PNG\x00", maintype="image", subtype="png")
        with pytest.raises(aiosmtplib.SMTPDataError) as unreadable:
            await client.send_message(image)
        assert unreadable.value.code == 554
    assert await replies_of(intake, case_id) == []


def mailgun_form(key: str = MAILGUN_KEY, when: float | None = None, **fields) -> bytes:
    timestamp, token = str(int(when or time.time())), uuid.uuid4().hex + "x" * 18
    signed = {
        "timestamp": timestamp,
        "token": token,
        "signature": providers.mailgun_signature(key, timestamp, token),
        "sender": "buyer@example.com",
        "Message-Id": f"<{uuid.uuid4()}@mail.example.com>",
        **fields,
    }
    return urlencode(signed).encode()


async def test_a_mailgun_reply_threads_by_in_reply_to_and_a_retry_applies_once(
    intake, case_id, links
):
    form = mailgun_form(
        recipient="shop@example.com",  # the buyer answered another address
        **{
            "In-Reply-To": links.message_id(case_id, "offer-1"),
            "body-plain": "Nein danke, ich lehne ab.\n\n-- \nHans Muster",
        },
    )
    first = await intake.post("/inbound-mail/mailgun", content=form, headers=FORM)
    assert first.status_code == 200, first.text
    assert (first.json()["case_id"], first.json()["answer"]) == (case_id, "decline")
    retry = await intake.post("/inbound-mail/mailgun", content=form, headers=FORM)
    assert retry.status_code == 200 and retry.json()["duplicate"] is True
    [(_, answer, words)] = await replies_of(intake, case_id)
    assert (answer, words) == ("decline", "Nein danke, ich lehne ab.")
    assert len(await events_of(intake, case_id)) == 1


async def test_a_mailgun_question_goes_to_the_agents_with_its_words(intake, case_id, links):
    form = mailgun_form(
        recipient=links.reply_address(case_id), **{"body-plain": "¿Cuándo llega el dinero?"}
    )
    answer = await intake.post("/inbound-mail/mailgun", content=form, headers=FORM)
    assert (answer.json()["reading"], answer.json()["answer"]) == ("question", "message")
    [event] = await events_of(intake, case_id)
    assert (event["answer"], event["text"], event["language"]) == (
        "message",
        "¿Cuándo llega el dinero?",
        "es",
    )


async def test_forged_stale_or_unthreaded_mailgun_posts_apply_nothing(intake, case_id, links):
    to = {"recipient": links.reply_address(case_id), "body-plain": "Yes"}
    forged = await intake.post(
        "/inbound-mail/mailgun", content=mailgun_form("not the key", **to), headers=FORM
    )
    stale = await intake.post(
        "/inbound-mail/mailgun", content=mailgun_form(when=time.time() - 600, **to), headers=FORM
    )
    assert (forged.status_code, forged.json()["error"]) == (401, "bad_signature")
    assert (stale.status_code, stale.json()["error"]) == (401, "stale_request")
    stranger = {**to, "recipient": "reply+aaaa.bbbb@replies.example"}
    unknown = await intake.post(
        "/inbound-mail/mailgun", content=mailgun_form(**stranger), headers=FORM
    )
    assert (unknown.status_code, unknown.json()["error"]) == (406, "not_threaded")
    huge = mailgun_form(**{**to, "body-plain": "x" * LARGEST})
    assert (
        await intake.post("/inbound-mail/mailgun", content=huge, headers=FORM)
    ).status_code == 413
    assert await replies_of(intake, case_id) == []


def mandrill_body(raw: str, recipient: str, key: str = MANDRILL_KEY) -> tuple[bytes, dict]:
    event = {
        "event": "inbound",
        "ts": int(time.time()),
        "msg": {"raw_msg": raw, "email": recipient},
    }
    fields = {"mandrill_events": json.dumps([event])}
    signature = providers.mandrill_signature(key, MANDRILL_URL, fields)
    return urlencode(fields).encode(), {**FORM, "x-mandrill-signature": signature}


async def test_a_mandrill_reply_is_recorded_and_a_forged_one_refused(intake, case_id, links):
    assert (await intake.head("/inbound-mail/mandrill")).status_code == 200
    raw = reply_mail(links.reply_address(case_id), "Sì, accetto.").as_string()
    body, headers = mandrill_body(raw, links.reply_address(case_id), key="forged")
    forged = await intake.post("/inbound-mail/mandrill", content=body, headers=headers)
    assert (forged.status_code, forged.json()["error"]) == (401, "bad_signature")
    assert await replies_of(intake, case_id) == []
    body, headers = mandrill_body(raw, links.reply_address(case_id))
    answer = await intake.post("/inbound-mail/mandrill", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    [mail] = answer.json()["mails"]
    assert (mail["case_id"], mail["answer"]) == (case_id, "accept")
    stranger = "reply+aaaa.bbbb@replies.example"
    other, headers = mandrill_body(reply_mail(stranger, "Sì").as_string(), stranger)
    unknown = await intake.post("/inbound-mail/mandrill", content=other, headers=headers)
    assert (unknown.status_code, unknown.json()["error"]) == (422, "not_threaded")
    assert len(await replies_of(intake, case_id)) == 1


async def message_sent(intake, case_id: str) -> str:
    """A message to the case's buyer, sent: its id."""
    message_id = str(uuid.uuid4())
    async with intake.service.transaction() as session:
        session.add(
            OutgoingMessage(
                message_id=message_id,
                idempotency_key=f"{case_id}/offer_made/{message_id}",
                case_id=case_id,
                channel="generic",
                account="test",
                seller="test",
                kind="offer_made",
                way="email",
                trigger=message_id,
                language="en",
                facts={},
                state="sent",
            )
        )
    return message_id


def mailgun_event(event: str, message_id: str, key: str = MAILGUN_KEY, **data) -> bytes:
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = {
        "timestamp": timestamp,
        "token": token,
        "signature": providers.mailgun_signature(key, timestamp, token),
    }
    event_data = {
        "event": event,
        "recipient": "dana@example.com",
        "message": {"headers": {"message-id": message_id.strip("<>")}},
        **data,
    }
    return json.dumps({"signature": signature, "event-data": event_data}).encode()


async def state_of(intake, message_id: str) -> tuple[str, str | None]:
    async with intake.service.sessions() as session:
        row = await session.get(OutgoingMessage, message_id)
        await session.refresh(row)
        return row.state, row.error


async def test_a_mailgun_failed_event_bounces_the_message_and_a_delivered_one_delivers(
    intake, case_id, links
):
    bounced, delivered = await message_sent(intake, case_id), await message_sent(intake, case_id)
    status = {"code": 550, "message": "5.1.1 The email account does not exist"}
    failed = mailgun_event(
        "failed",
        links.message_id(case_id, bounced),
        severity="permanent",
        **{"delivery-status": status},
    )
    answer = await intake.post("/inbound-mail/mailgun/events", content=failed)
    assert answer.status_code == 200 and answer.json()["recorded"] == "failed", answer.text
    state, error = await state_of(intake, bounced)
    assert state == "bounced" and "550 5.1.1 The email account does not exist" in error
    again = await intake.post("/inbound-mail/mailgun/events", content=failed)  # a retry
    assert again.status_code == 200 and (await state_of(intake, bounced))[0] == "bounced"

    took = mailgun_event("delivered", links.message_id(case_id, delivered))
    assert (await intake.post("/inbound-mail/mailgun/events", content=took)).status_code == 200
    assert (await state_of(intake, delivered))[0] == "delivered"


async def test_forged_unknown_or_temporary_mailgun_events_change_nothing(intake, case_id, links):
    message_id = await message_sent(intake, case_id)
    ours = links.message_id(case_id, message_id)
    forged = await intake.post(
        "/inbound-mail/mailgun/events", content=mailgun_event("failed", ours, key="not the key")
    )
    assert (forged.status_code, forged.json()["error"]) == (401, "bad_signature")
    delay = mailgun_event("failed", ours, severity="temporary")
    assert (await intake.post("/inbound-mail/mailgun/events", content=delay)).status_code == 200
    stranger = mailgun_event("failed", f"<{message_id}.aaaa.bbbb@replies.example>")
    ignored = await intake.post("/inbound-mail/mailgun/events", content=stranger)
    assert ignored.status_code == 200 and "ignored" in ignored.json()
    unknown = mailgun_event("failed", links.message_id(case_id, str(uuid.uuid4())))
    answer = await intake.post("/inbound-mail/mailgun/events", content=unknown)
    assert answer.json() == {"ignored": "no such message"}
    garbage = await intake.post("/inbound-mail/mailgun/events", content=b"\xff not json")
    assert garbage.status_code == 400
    assert await state_of(intake, message_id) == ("sent", None)


def mandrill_events(*events: dict, key: str = MANDRILL_EVENTS_KEY) -> tuple[bytes, dict]:
    fields = {"mandrill_events": json.dumps(list(events))}
    signature = providers.mandrill_signature(key, MANDRILL_EVENTS_URL, fields)
    return urlencode(fields).encode(), {**FORM, "x-mandrill-signature": signature}


def mandrill_event(event: str, message_id: str, **msg) -> dict:
    metadata = {"message_id": message_id}
    return {"event": event, "ts": int(time.time()), "msg": {"metadata": metadata, **msg}}


async def test_mandrill_events_bounce_and_deliver_the_messages_their_metadata_names(
    intake, case_id
):
    bounced, delivered = await message_sent(intake, case_id), await message_sent(intake, case_id)
    diag = "smtp;550 5.1.1 The email account that you tried to reach does not exist."
    body, headers = mandrill_events(
        mandrill_event("hard_bounce", bounced, bounce_description="bad_mailbox", diag=diag),
        mandrill_event("send", delivered, state="sent"),
        mandrill_event("open", delivered),  # not about delivery: left out
        mandrill_event("hard_bounce", str(uuid.uuid4())),  # never sent by intake
    )
    answer = await intake.post("/inbound-mail/mandrill/events", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"recorded": 2, "ignored": 1}
    state, error = await state_of(intake, bounced)
    assert state == "bounced" and "bad_mailbox" in error and "5.1.1" in error
    assert (await state_of(intake, delivered))[0] == "delivered"


async def test_a_forged_mandrill_event_changes_nothing(intake, case_id):
    message_id = await message_sent(intake, case_id)
    body, headers = mandrill_events(mandrill_event("hard_bounce", message_id), key="not the key")
    forged = await intake.post("/inbound-mail/mandrill/events", content=body, headers=headers)
    assert (forged.status_code, forged.json()["error"]) == (401, "bad_signature")
    odd, headers = mandrill_events(mandrill_event("hard_bounce", "not-a-uuid"))
    answer = await intake.post("/inbound-mail/mandrill/events", content=odd, headers=headers)
    assert answer.json() == {"recorded": 0, "ignored": 1}
    assert await state_of(intake, message_id) == ("sent", None)
