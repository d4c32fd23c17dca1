"""Buyers' e-mail replies through a mail provider's inbound-parse webhook.

`POST /inbound-mail/mailgun` and `POST /inbound-mail/mandrill` (`HEAD` too: Mandrill checks
the URL exists before it saves a route). Who may call: the provider alone, proved by its
signature (`adapters/mail_providers.py`); no token. A provider whose key is not set is
answered as a forged request (401, the same body), checked with a key nobody holds.

Each mail is threaded to its case, read and recorded before the answer
(`workflows/inbound_replies.py`): 200 recorded (`duplicate` for a retry of a mail recorded
before); a mail that threads to no case of ours, or has no text to read, is refused with
the reason: Mailgun 406 (its "rejected, do not retry"), Mandrill 422 when no mail of the
POST was recorded; 401 forged or stale, 413 past INBOUND_MAIL_MAX_BYTES, 400 not a form,
422 a field missing; 503 while BUYER_LINK_SECRET is unset (the provider tries again).

`POST /inbound-mail/mailgun/events`: Mailgun's event webhook, signed the same way: a
`failed` (permanent) marks the message it names bounced with the remote server's words, a
`delivered` marks it delivered; an event on a message intake never sent, or of another
kind, is answered 200 `ignored` with the reason (and logged), so Mailgun does not retry it.
`POST /inbound-mail/mandrill/events` (and `HEAD`): Mandrill's message-events webhook,
signed under MANDRILL_EVENTS_WEBHOOK_KEY: `hard_bounce` and `reject` bounce the message its
metadata names, `send` delivers it; events on no message of ours are counted as ignored.
"""

import logging
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from services.intake.adapters import mail_providers
from services.intake.adapters.buyer_links import BadLink, BuyerLinks
from services.intake.domain.case import ChannelError
from services.intake.domain.inbound_mail import InboundMail, UnreadableMail
from services.intake.handlers.refusals import read_body, refusal
from services.intake.workflows import outgoing_messages
from services.intake.workflows.context import CurrentIntake, Intake
from services.intake.workflows.inbound_replies import NotThreaded, take_reply
from shared.identity import public
from shared.messaging_tables import utc_now

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/inbound-mail",
    tags=["buyers' replies"],
    dependencies=[public("signed by the mail provider (its webhook key)")],
)

# Mailgun's documented answer for a POST it must not retry.
MAILGUN_REJECTED = 406


def keys_of(secret) -> list[str]:
    """The keys of a setting (comma-separated, for a rotation); one nobody holds when unset,
    so an unconfigured provider is answered exactly as a forged request."""
    if secret is None:
        return [secrets.token_hex(32)]
    return [key.strip() for key in secret.get_secret_value().split(",") if key.strip()]


def links_of(intake: Intake) -> BuyerLinks:
    if intake.buyer_links is None:
        raise HTTPException(503, "BUYER_LINK_SECRET is not set: no reply can be threaded")
    return intake.buyer_links


async def taken(intake: Intake, mail: InboundMail) -> dict[str, Any]:
    """One mail to its case: what was recorded, or why it was refused."""
    try:
        reply = await take_reply(intake.service, links_of(intake), mail)
    except NotThreaded as error:
        return {"message_id": mail.message_id, "refused": "not_threaded", "detail": str(error)}
    return {
        "message_id": mail.message_id,
        "case_id": reply.case_id,
        "duplicate": reply.duplicate,
        "reading": reply.reading.reading.value,
        "answer": reply.reading.answer.value,
    }


@router.post("/mailgun", summary="A buyer's reply through Mailgun's inbound route")
async def reply_by_mailgun(request: Request, intake: CurrentIntake) -> JSONResponse:
    service = intake.service
    settings = service.settings
    links_of(intake)
    try:
        body = await read_body(request, settings.inbound_mail_max_bytes)
        fields = mail_providers.form_fields(request.headers.get("content-type", ""), body)
        keys = keys_of(settings.mailgun_webhook_signing_key)
        mail_providers.verify_mailgun(fields, keys, datetime.now(UTC))
        mail = mail_providers.mailgun_mail(fields)
    except UnreadableMail as error:
        return refusal(service, "mailgun", ChannelError(MAILGUN_REJECTED, "unreadable", str(error)))
    except ChannelError as error:
        return refusal(service, "mailgun", error)
    outcome = await taken(intake, mail)
    if "refused" in outcome:
        error = ChannelError(MAILGUN_REJECTED, outcome["refused"], outcome["detail"])
        return refusal(service, "mailgun", error)
    return JSONResponse(outcome)


@router.post("/mailgun/events", summary="What became of a message sent, by Mailgun's webhook")
async def delivery_by_mailgun(request: Request, intake: CurrentIntake) -> JSONResponse:
    service = intake.service
    settings = service.settings
    links = links_of(intake)
    try:
        body = await read_body(request, settings.inbound_mail_max_bytes)
        keys = keys_of(settings.mailgun_webhook_signing_key)
        reported = mail_providers.mailgun_report(body, keys, datetime.now(UTC))
    except ChannelError as error:
        return refusal(service, "mailgun", error)
    if reported is None:
        return JSONResponse({"ignored": "not a delivery event"})
    message_id, report = reported
    try:
        links.case_of_message_id(message_id)  # signed by us, or not ours at all
    except BadLink as error:
        log.warning("Mailgun event on %s ignored: %s", message_id, error)
        return JSONResponse({"ignored": str(error)})
    key = message_id.strip("<>").split(".", 1)[0]
    async with service.transaction() as session:
        row = await outgoing_messages.delivery_reported(session, key, report, utc_now())
    if row is None:
        log.warning("Mailgun event on %s, a message intake never sent", message_id)
        return JSONResponse({"ignored": "no such message"})
    return JSONResponse({"message_id": key, "recorded": report.action})


@router.head("/mandrill/events", include_in_schema=False)
async def mandrill_events_url_check() -> Response:
    return Response(status_code=200)


@router.post("/mandrill/events", summary="What became of messages sent, by Mandrill's webhook")
async def delivery_by_mandrill(request: Request, intake: CurrentIntake) -> JSONResponse:
    service = intake.service
    settings = service.settings
    try:
        body = await read_body(request, settings.inbound_mail_max_bytes)
        fields = mail_providers.form_fields(request.headers.get("content-type", ""), body)
        url = settings.mandrill_events_webhook_url or str(request.url)
        keys = keys_of(settings.mandrill_events_webhook_key)
        mail_providers.verify_mandrill(request.headers, fields, url, keys)
        reports = mail_providers.mandrill_reports(fields)
    except ChannelError as error:
        return refusal(service, "mandrill", error)
    recorded = ignored = 0
    for message_id, report in reports:
        row = None
        if message_id is not None and is_uuid(message_id):
            async with service.transaction() as session:
                row = await outgoing_messages.delivery_reported(
                    session, message_id, report, utc_now()
                )
        if row is None:
            log.warning("Mandrill event on %r, a message intake never sent", message_id)
        recorded, ignored = recorded + (row is not None), ignored + (row is None)
    return JSONResponse({"recorded": recorded, "ignored": ignored})


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@router.head("/mandrill", include_in_schema=False)
async def mandrill_url_check() -> Response:
    return Response(status_code=200)


@router.post("/mandrill", summary="Buyers' replies through Mandrill's inbound route")
async def replies_by_mandrill(request: Request, intake: CurrentIntake) -> JSONResponse:
    service = intake.service
    settings = service.settings
    links_of(intake)
    try:
        body = await read_body(request, settings.inbound_mail_max_bytes)
        fields = mail_providers.form_fields(request.headers.get("content-type", ""), body)
        url = settings.mandrill_webhook_url or str(request.url)
        keys = keys_of(settings.mandrill_webhook_key)
        mail_providers.verify_mandrill(request.headers, fields, url, keys)
        mails = mail_providers.mandrill_mails(fields)
    except UnreadableMail as error:
        return refusal(service, "mandrill", ChannelError(422, "unreadable", str(error)))
    except ChannelError as error:
        return refusal(service, "mandrill", error)
    outcomes = [await taken(intake, mail) for mail in mails]
    refused = [outcome for outcome in outcomes if "refused" in outcome]
    if refused and len(refused) == len(outcomes):
        detail = "; ".join(outcome["detail"] for outcome in refused)
        return refusal(service, "mandrill", ChannelError(422, refused[0]["refused"], detail))
    return JSONResponse({"mails": outcomes})
