"""Two mail providers' inbound-parse webhooks: what each POSTs for a mail received on
REPLY_DOMAIN, verified by the signature the provider documents. Pure: no I/O.

- Mailgun (a route whose action is `forward("https://<intake>/inbound-mail/mailgun")`): a
  form (urlencoded, or multipart with attachments) with `recipient`, `sender`, `from`,
  `subject`, `body-plain`, `body-html`, `Message-Id`, `In-Reply-To`, `References`, or the
  whole mail in `body-mime` (a route URL ending in "mime"); signed by `signature` = hex
  HMAC-SHA256 of `timestamp` + `token` under the domain's HTTP webhook signing key. A
  `timestamp` more than 5 minutes from now is refused (stale), as Mailgun advises.
- Mandrill / Mailchimp Transactional (an inbound route to
  `https://<intake>/inbound-mail/mandrill`): a form with one field, `mandrill_events`, a JSON
  list of `inbound` events each carrying `msg` (`raw_msg` the whole mail, `email` the
  recipient, `text`, `html`, `headers`); signed by `X-Mandrill-Signature` = Base64
  HMAC-SHA1 of the webhook URL followed by each POST field's name and value, sorted by name,
  under the webhook's key. Mandrill signs no time: a replayed POST is one the Message-ID
  dedupe absorbs.

Mailgun also reports what became of each message sent (its event webhooks, JSON: a
`signature` object signed as above and `event-data` with `event` `delivered` or `failed`,
`severity` permanent or temporary, `delivery-status` with the remote server's `code` and
`message`, and the message's `headers.message-id` without angle brackets): read by
`mailgun_report` into the Message-ID and a `DeliveryReport` (a temporary failure is a
delay: the message is still being tried). Mandrill's message-events webhook (signed like
its inbound one, under its own key) posts `mandrill_events` with `hard_bounce`, `reject`
(failed), `send` (delivered), `soft_bounce` and `deferral` (delayed), each `msg` carrying
the `metadata` the message was sent with (X-MC-Metadata: our message's id) and, for a
bounce, `diag` and `bounce_description`: read by `mandrill_reports`.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qsl

from services.intake.channels.common import (
    ensure_fresh,
    ensure_signed,
    hmac_sha256_hex,
    required_header,
    unix_time,
)
from services.intake.domain.case import ChannelError, forged, malformed
from services.intake.domain.delivery_reports import DeliveryReport
from services.intake.domain.inbound_mail import (
    MESSAGE_ID,
    InboundMail,
    html_to_text,
    read_mail,
    unique,
)

MAILGUN = "mailgun"
MANDRILL = "mandrill"


def form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The text fields of a form POST (urlencoded or multipart/form-data); files are left
    out. 400 for any other body."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=False))
        except UnicodeDecodeError as error:
            raise ChannelError(400, "malformed_form", "the form is not UTF-8") from error
    if kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=policy.default).parsebytes(head + body)
        if not message.is_multipart():
            raise ChannelError(400, "malformed_form", "the multipart form has no parts")
        fields: dict[str, str] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name or part.get_filename() is not None:
                continue
            payload = part.get_payload(decode=True) or b""
            fields[str(name)] = payload.decode(part.get_content_charset() or "utf-8", "replace")
        return fields
    raise ChannelError(400, "malformed_form", f"a form was expected, not {kind or 'nothing'}")


# Mailgun


def mailgun_signature(key: str, timestamp: str, token: str) -> str:
    return hmac_sha256_hex(key, f"{timestamp}{token}".encode())


def verify_mailgun(fields: Mapping[str, str], keys: Sequence[str], now: datetime) -> None:
    """401 unless `signature` is the HMAC of `timestamp` + `token` under one of the keys
    and the timestamp is fresh."""
    timestamp, token, signature = (
        fields.get(name, "") for name in ("timestamp", "token", "signature")
    )
    if not (timestamp and token and signature):
        raise forged("missing timestamp, token or signature")
    ensure_signed(signature, f"{timestamp}{token}".encode(), keys, hmac_sha256_hex, "Mailgun")
    ensure_fresh(unix_time(timestamp, "timestamp"), now)


def mailgun_mail(fields: Mapping[str, str]) -> InboundMail:
    """The mail a verified Mailgun POST carries."""
    recipients = [address.strip() for address in fields.get("recipient", "").split(",")]
    recipients = [address for address in recipients if address]
    if fields.get("body-mime"):
        return read_mail(fields["body-mime"].encode(), recipients)
    if "body-plain" not in fields and "body-html" not in fields:
        raise malformed("body-plain: a Mailgun inbound POST always has it", "body-plain")
    text = fields.get("body-plain") or html_to_text(fields.get("body-html") or "")
    own_id = MESSAGE_ID.findall(fields.get("Message-Id", "") or fields.get("message-id", ""))
    if not own_id:
        raise malformed("Message-Id: missing", "Message-Id")
    answers = [
        *MESSAGE_ID.findall(fields.get("In-Reply-To", "")),
        *reversed(MESSAGE_ID.findall(fields.get("References", ""))),
    ]
    return InboundMail(
        message_id=own_id[0],
        sender=fields.get("sender", ""),
        recipients=unique(recipients),
        answers=unique(answers),
        subject=fields.get("subject", ""),
        text=text,
    )


def mailgun_report(
    body: bytes, keys: Sequence[str], now: datetime
) -> tuple[str, DeliveryReport] | None:
    """The Message-ID (in angle brackets) and the outcome a verified Mailgun event reports;
    None for an event that says nothing of delivery (opened, clicked, ...)."""
    try:
        posted = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ChannelError(400, "malformed_json", "the event is not JSON") from error
    signature = posted.get("signature") if isinstance(posted, dict) else None
    if not isinstance(signature, dict):
        raise forged("missing signature")
    verify_mailgun({k: str(v) for k, v in signature.items()}, keys, now)
    event = posted.get("event-data")
    if not isinstance(event, dict):
        raise malformed("event-data: missing", "event-data")
    if event.get("event") not in ("delivered", "failed"):
        return None
    message_id = ((event.get("message") or {}).get("headers") or {}).get("message-id")
    if not isinstance(message_id, str) or not message_id.strip("<> "):
        raise malformed("event-data.message.headers.message-id: missing", "message-id")
    status = event.get("delivery-status") or {}
    action = event["event"]
    if action == "failed" and event.get("severity") == "temporary":
        action = "delayed"
    said = " ".join(str(status.get(k) or "") for k in ("code", "message", "description"))
    report = DeliveryReport(
        action=action,
        status=str(status.get("code") or ""),
        recipient=str(event.get("recipient") or ""),
        diagnostic=" ".join(said.split()),
    )
    return f"<{message_id.strip('<> ')}>", report


# Mandrill


def mandrill_signature(key: str, url: str, fields: Mapping[str, str]) -> str:
    signed = url + "".join(f"{name}{fields[name]}" for name in sorted(fields))
    digest = hmac.new(key.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_mandrill(
    headers: Mapping[str, str], fields: Mapping[str, str], url: str, keys: Sequence[str]
) -> None:
    """401 unless `X-Mandrill-Signature` signs the URL and the fields under one of the keys."""
    signature = required_header(headers, "X-Mandrill-Signature")
    matches = [
        hmac.compare_digest(mandrill_signature(key, url, fields).encode(), signature.encode())
        for key in keys
    ]
    if not any(matches):
        raise forged("the Mandrill signature does not match")


MANDRILL_ACTIONS = {
    "hard_bounce": "failed",
    "reject": "failed",
    "send": "delivered",
    "soft_bounce": "delayed",
    "deferral": "delayed",
}


def mandrill_reports(fields: Mapping[str, str]) -> list[tuple[str | None, DeliveryReport]]:
    """Each delivery event of a verified Mandrill POST: the message id its metadata names
    (None when it names none) and the outcome; other events are left out."""
    events = _mandrill_events(fields)
    reports = []
    for event in events:
        if not isinstance(event, dict) or event.get("event") not in MANDRILL_ACTIONS:
            continue
        message = event.get("msg") if isinstance(event.get("msg"), dict) else {}
        metadata = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
        named = metadata.get("message_id")
        said = " ".join(str(message.get(k) or "") for k in ("bounce_description", "diag"))
        report = DeliveryReport(
            action=MANDRILL_ACTIONS[event["event"]],
            status=str(message.get("state") or event["event"]),
            recipient=str(message.get("email") or ""),
            diagnostic=" ".join(said.split()),
        )
        reports.append((named if isinstance(named, str) else None, report))
    return reports


def _mandrill_events(fields: Mapping[str, str]) -> list:
    try:
        events = json.loads(fields.get("mandrill_events", ""))
    except json.JSONDecodeError as error:
        raise ChannelError(400, "malformed_json", "mandrill_events is not JSON") from error
    if not isinstance(events, list):
        raise malformed("mandrill_events: a list of events was expected", "mandrill_events")
    return events


def mandrill_mails(fields: Mapping[str, str]) -> list[InboundMail]:
    """The mails of a verified Mandrill POST's inbound events (others are left out)."""
    events = _mandrill_events(fields)
    mails = []
    for index, event in enumerate(events):
        if not isinstance(event, dict) or event.get("event") != "inbound":
            continue
        message = event.get("msg")
        if not isinstance(message, dict) or not isinstance(message.get("raw_msg"), str):
            raise malformed(f"mandrill_events.{index}.msg.raw_msg: missing", "raw_msg")
        recipient = message.get("email")
        recipients = [recipient] if isinstance(recipient, str) and recipient else []
        mails.append(read_mail(message["raw_msg"].encode(), recipients))
    return mails
