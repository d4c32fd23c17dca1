"""The mail relay messages to buyers are handed to (SMTP, `aiosmtplib`), and the message
itself: a plain-text and an HTML part, from the seller's sender, with the headers that
thread a reply to its case.

- `relay.session()`: one SMTP session for a batch of messages (the relay at
  SMTP_HOST:SMTP_PORT, STARTTLS when SMTP_STARTTLS, AUTH when SMTP_USER is set), opened at
  its first message and closed (QUIT) at the end of the batch, greeting the relay with this
  host's name, looked up once; `session.send(message, envelope)` hands one message over
  (MAIL FROM, RCPT TO, DATA), one at a time. A message the relay refuses leaves the session
  open for the next (aiosmtplib resets the envelope); once the session is lost (no
  connection, a timeout, the relay closing it), the batch's other messages are not tried:
  each is `Unavailable` (tried again later), or refused as the session's opening was
  (a refused login). `relay.send(message, envelope)`: a session for one message.
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
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
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
        """Hand `message` to the relay in a session of its own; the relay's answer (e.g.
        "250 OK queued as ...")."""
        async with self.session() as session:
            return await session.send(message, envelope)

    @asynccontextmanager
    async def session(self, within: float | None = None) -> AsyncIterator["RelaySession"]:
        """One SMTP session for the messages sent inside; QUIT when the block ends. `within`:
        seconds after which a message is no longer begun (tried again later), so that a slow
        relay cannot hold a batch past its lease."""
        session = RelaySession(self, None if within is None else time.monotonic() + within)
        try:
            yield session
        finally:
            await session.close()

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
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


class RelaySession:
    """Messages handed to the relay one after the other over one connection, opened at the
    first; sends from several tasks wait for each other."""

    def __init__(self, relay: MailRelay, deadline: float | None = None) -> None:
        self.relay = relay
        self.deadline = deadline
        self.smtp: aiosmtplib.SMTP | None = None
        self.opened = False  # connected, greeted and logged in
        self.lost: OutboundError | None = None  # why the session ended before the batch did
        self._turn = asyncio.Lock()

    async def send(
        self,
        message: EmailMessage,
        envelope: Envelope,
        then: Callable[[], Awaitable[object]] | None = None,
    ) -> str:
        """Hand one message over; `then`, once the relay took it and before the next message
        goes (the caller records it as sent: a stop later sends it no second time)."""
        async with self._turn:
            if self.lost is not None:
                raise self._left_out(self.lost)
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise Unavailable(MAIL_RELAY, "not tried: the batch's time to send ran out")
            try:
                answer = await self._send(message, envelope)
            except OutboundError as error:
                if self.smtp is None or not self.smtp.is_connected:
                    self.lost = error
                raise
            if then is not None:
                await then()
            return answer

    def _left_out(self, lost: OutboundError) -> OutboundError:
        """What a message the lost session did not try gets: what its opening met when it
        never opened (each message fails as it would have alone: a refused login, no relay);
        else it is tried again later."""
        if not self.opened:
            return type(lost)(MAIL_RELAY, lost.reason, lost.status)
        return Unavailable(MAIL_RELAY, f"not tried: the session was lost ({lost.reason})")

    async def _send(self, message: EmailMessage, envelope: Envelope) -> str:
        relay = self.relay
        if not relay.host:
            raise Unavailable(MAIL_RELAY, "no mail relay is configured (SMTP_HOST)")
        if relay.local_hostname is None:
            relay.local_hostname = await asyncio.to_thread(socket.getfqdn)
        try:
            if self.smtp is None:
                self.smtp = relay.client()
                await self.smtp.connect()  # closes the connection itself when it fails
                self.opened = True
            errors, answer = await self.smtp.send_message(
                message, sender=envelope.sender, recipients=[envelope.recipient]
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
            reason = f"unreachable at {relay.host}:{relay.port}: {error.__class__.__name__} {error}"
            if self.smtp is not None:
                self.smtp.close()
            raise Unavailable(MAIL_RELAY, reason) from error
        if errors:  # one recipient only: refused ones raise above
            code, said = next(iter(errors.values()))
            refused = aiosmtplib.SMTPRecipientRefused(code, said, envelope.recipient)
            raise _refused_recipient(refused)
        return answer

    async def close(self) -> None:
        """QUIT, when the session is still open."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        if smtp.is_connected:
            with suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()
        smtp.close()


def _refused_recipient(refused: aiosmtplib.SMTPRecipientRefused) -> OutboundError:
    said = f"refused the recipient: {refused.code} {refused.message}"
    if 400 <= refused.code < 500:
        return Unavailable(MAIL_RELAY, f"{said}; try again later", refused.code)
    return Bounced(MAIL_RELAY, said, refused.code)
