"""The mail relay messages to buyers are handed to (SMTP, `aiosmtplib`), and the message
itself: a plain-text and an HTML part, from the seller's sender, with the headers that
thread a reply to its case.

- `relay.send(message)`: one SMTP session per message (the relay at SMTP_HOST:SMTP_PORT,
  STARTTLS when SMTP_STARTTLS, AUTH when SMTP_USER is set), greeting the relay with this
  host's name, looked up once (aiosmtplib would look it up in a thread for every message).
  What the relay answers becomes shared.outbound's errors, plus `Bounced`:
  - no connection, a timeout, a dropped session, any 4xx (451 "try again later",
    421, 452): `Unavailable`, tried again later;
  - a 5xx to RCPT TO (the recipient's mailbox refused, 550 "no such user"): `Bounced`;
  - any other 5xx (a refused login, a refused sender, a refused message): `Refused`.
- `email_of(...)`: the MIME message (multipart/alternative, text then HTML): From the
  seller's sender, Reply-To the case's reply address, Message-ID the case's (so that any
  reply threads, `adapters/buyer_links.py`), List-Unsubscribe (mailto the reply address,
  RFC 2369) on messages the buyer may opt out of, Auto-Submitted (RFC 3834) so that
  vacation replies stay away; X-MC-Metadata naming the message, which Mandrill returns in
  its message events (a relay other than Mandrill ignores it).

The relay's own 250 is "sent": whether the buyer's mailbox took it shows only later (a
bounce report to the sender); a message whose 250 was lost in a dropped session is sent
again with the same Message-ID, which mail programs show once.
"""

import asyncio
import json
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import aiosmtplib

from shared.outbound import OutboundError, Refused, Unavailable

MAIL_RELAY = "mail relay"


class Bounced(OutboundError):
    """The recipient's server refused the message for good (SMTP 5xx to RCPT TO)."""


@dataclass(frozen=True)
class Envelope:
    """Who a message is from and to, as the relay sees it."""

    sender: str  # the return path: the message's bounce address (or the seller's address)
    recipient: str


def email_of(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    reply_to: str | None,
    message_id: str | None,
    language: str,
    unsubscribe: str | None = None,
    tracked_as: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id or make_msgid()
    if reply_to:
        message["Reply-To"] = reply_to
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<mailto:{unsubscribe}?subject=unsubscribe>"
    if tracked_as:  # Mandrill hands it back in its message events (`msg.metadata`)
        message["X-MC-Metadata"] = json.dumps({"message_id": tracked_as})
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after the parts: set_content drops Content-*
    return message


class MailRelay:
    def __init__(
        self,
        host: str | None,
        port: int,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 15.0,
        ca_file: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        # The relay's certificate is always verified: against the system's trust store, and
        # a private CA when one is given.
        self.tls_context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        self.local_hostname: str | None = None  # what EHLO says: this host's name, once read

    @classmethod
    def from_settings(cls, settings) -> "MailRelay":
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_user,
            password,
            settings.smtp_starttls,
            settings.smtp_timeout_seconds,
            settings.smtp_ca_file,
        )

    async def send(self, message: EmailMessage, envelope: Envelope) -> str:
        """Hand `message` to the relay; the relay's answer (e.g. "250 OK queued as ...")."""
        if not self.host:
            raise Unavailable(MAIL_RELAY, "no mail relay is configured (SMTP_HOST)")
        if self.local_hostname is None:
            self.local_hostname = await asyncio.to_thread(socket.getfqdn)
        try:
            errors, answer = await aiosmtplib.send(
                message,
                sender=envelope.sender,
                recipients=[envelope.recipient],
                hostname=self.host,
                port=self.port,
                username=self.user,
                password=self.password,
                start_tls=self.starttls,
                use_tls=False,
                tls_context=self.tls_context if self.starttls else None,
                timeout=self.timeout,
                local_hostname=self.local_hostname,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            raise _refused_recipient(refused.recipients[0]) from refused
        except aiosmtplib.SMTPRecipientRefused as refused:
            raise _refused_recipient(refused) from refused
        except aiosmtplib.SMTPResponseException as error:
            said = f"answered {error.code} {error.message}"
            if 400 <= error.code < 500:
                raise Unavailable(MAIL_RELAY, f"{said}; try again later", error.code) from error
            raise Refused(MAIL_RELAY, said, error.code) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            reason = f"unreachable at {self.host}:{self.port}: {error.__class__.__name__} {error}"
            raise Unavailable(MAIL_RELAY, reason) from error
        if errors:  # one recipient only: refused ones raise above
            code, said = next(iter(errors.values()))
            refused = aiosmtplib.SMTPRecipientRefused(code, said, envelope.recipient)
            raise _refused_recipient(refused)
        return answer


def _refused_recipient(refused: aiosmtplib.SMTPRecipientRefused) -> OutboundError:
    said = f"refused the recipient: {refused.code} {refused.message}"
    if 400 <= refused.code < 500:
        return Unavailable(MAIL_RELAY, f"{said}; try again later", refused.code)
    return Bounced(MAIL_RELAY, said, refused.code)
