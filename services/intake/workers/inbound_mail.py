"""Intake's own mail server for buyers' replies (aiosmtpd), when INBOUND_SMTP_PORT is set.

It takes mail only for reply addresses it sent (`reply+<token>@REPLY_DOMAIN`, the token
signed): any other recipient is refused at RCPT TO with 550, before the mail is sent. A mail
larger than INBOUND_MAIL_MAX_BYTES is refused with 552 (announced in EHLO as SIZE, so a
client that says the size in MAIL FROM is refused at once). Each mail is threaded, read and
recorded (`workflows/inbound_replies.py`) before it is answered 250: a mail accepted is a
reply recorded. One with no text to read (binary only) is refused with 554, one for a case
intake does not hold with 550; a failure of intake's own (the database) is answered 451,
so the sending server tries again later.

It also takes the delivery reports (RFC 3464) that come back to a message's bounce address
(`bounce+<message>.<signature>@REPLY_DOMAIN`, the envelope sender of each e-mail sent): a
report that the buyer's server gave the message up marks it bounced with the reason
(agents see it in `GET /messages?state=bounced` and reach the buyer through the
marketplace), one that it was delivered marks it delivered. A forged bounce address is
refused at RCPT TO; a mail to a bounce address that is no report, or names no message of
ours, is taken and ignored with a log.
"""

import asyncio
import logging

from aiosmtpd.smtp import SMTP, Envelope, Session

from services.intake.adapters.buyer_links import BOUNCE_LOCAL_PART, BadLink, BuyerLinks
from services.intake.domain.delivery_reports import NotAReport, read_report
from services.intake.domain.inbound_mail import UnreadableMail, read_mail
from services.intake.workflows import outgoing_messages
from services.intake.workflows.inbound_replies import NotThreaded, take_reply
from shared.messaging_tables import utc_now
from shared.service import Service

log = logging.getLogger(__name__)


class ReplyMailbox:
    """aiosmtpd's handler: the recipients checked, each mail taken as a buyer's reply."""

    def __init__(self, service: Service, links: BuyerLinks) -> None:
        self.service = service
        self.links = links

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        try:
            if self.bounced_message(address) is None:
                self.links.case_of_reply(address)
        except BadLink as error:
            self.refused("unknown_recipient")
            return f"550 5.1.1 <{address}>: {error}"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    def bounced_message(self, address: str) -> str | None:
        """The message a bounce address of ours names; None for any other address.
        BadLink for a bounce address whose signature is not ours."""
        if not address.strip("<> ").lower().startswith(f"{BOUNCE_LOCAL_PART}+"):
            return None
        return self.links.message_of_bounce(address)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        bounced = [m for m in map(self.bounced_message, envelope.rcpt_tos) if m is not None]
        if bounced:
            return await self.report(bounced[0], raw)
        try:
            mail = read_mail(raw, list(envelope.rcpt_tos))
            taken = await take_reply(self.service, self.links, mail)
        except UnreadableMail as error:
            self.refused("unreadable")
            return f"554 5.6.0 {error}"
        except NotThreaded as error:
            self.refused("not_threaded")
            return f"550 5.1.1 {error}"
        except Exception:
            log.exception("a buyer's reply could not be recorded; the sender will try again")
            return "451 4.3.0 the reply could not be recorded now, try again later"
        repeat = " (received before)" if taken.duplicate else ""
        return f"250 2.0.0 reply to {taken.case_id} recorded{repeat}"

    async def report(self, message_id: str, raw: bytes) -> str:
        """A delivery report on the message `message_id`: recorded, or ignored with a log."""
        try:
            report = read_report(raw)
        except NotAReport as error:
            log.warning("mail to the bounce address of message %s ignored: %s", message_id, error)
            return f"250 2.0.0 ignored: {error}"
        try:
            async with self.service.transaction() as session:
                row = await outgoing_messages.delivery_reported(
                    session, message_id, report, utc_now()
                )
        except Exception:
            log.exception("a delivery report could not be recorded; the sender will try again")
            return "451 4.3.0 the report could not be recorded now, try again later"
        if row is None:
            log.warning("delivery report on message %s, which intake never sent", message_id)
            return "250 2.0.0 ignored: no such message"
        log.info("message %s of case %s: %s", message_id, row.case_id, report.reason)
        self.service.counter("buyer_messages.reported", "delivery reports, by action").add(
            1, {"action": report.action}
        )
        return f"250 2.0.0 report on message {message_id} recorded"

    def refused(self, reason: str) -> None:
        self.service.counter("intake.rejections", "requests refused").add(
            1, {"reason": reason, "channel": "smtp"}
        )


class InboundMailServer:
    """The SMTP server, as one of intake's workers: listens until stopped."""

    def __init__(
        self, service: Service, links: BuyerLinks, host: str, port: int, max_bytes: int
    ) -> None:
        self.mailbox = ReplyMailbox(service, links)
        self.host = host
        self.port = port
        self.max_bytes = max_bytes
        self.listening = asyncio.Event()
        self._stopped = asyncio.Event()
        self._server: asyncio.Server | None = None

    def protocol(self) -> SMTP:
        return SMTP(
            self.mailbox,
            data_size_limit=self.max_bytes,
            enable_SMTPUTF8=True,
            hostname=self.mailbox.links.reply_domain,
            ident="aftersales intake",
            timeout=60,
        )

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self.protocol, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]  # the one chosen, for port 0
        log.info("buyers' replies taken by SMTP on %s:%s", self.host, self.port)
        self.listening.set()
        try:
            await self._stopped.wait()
        finally:
            self._server.close()
            await self._server.wait_closed()

    def stop(self) -> None:
        self._stopped.set()
