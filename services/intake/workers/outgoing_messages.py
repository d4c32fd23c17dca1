"""Sends the messages owed to buyers through each case's channel
(`domain/outgoing_messages.py`'s ways):
- e-mail (Shopify, Walmart, the generic channel, cases opened by hand): to the buyer's own
  address from the vault, from the account's sender (`mail_from` in its credentials, else
  MAIL_FROM), through the mail relay (`adapters/mail.py`);
- eBay: in the return's conversation (the channel's `message_buyer`); delivered once eBay
  took it;
- Amazon: the Messaging API's action that fits the message, when the order offers it now
  (the channel's `message_action`, `send_by_action`); otherwise e-mail to the order's
  anonymised relay address, read from the Orders API with a Restricted Data Token as it is
  sent (the channel's `buyer_relay_address`). A message whose words intake writes itself is
  rendered in the buyer's language of preference there (the channel's `buyer_language`).

Amazon's messages cannot be read back (unlike eBay's return history), so a try through an
action is recorded (`action_tried_at`) before its call. Answered 201: sent. Refused with a
4xx: nothing was made, and the message goes to the relay instead. Throttled (429): nothing
was made, tried again later. A 5xx or no answer at all (a timeout, a dropped connection):
it may have been made, so it is not sent again but failed for an agent, who checks the
order's buyer messages in Seller Central and retries it (which clears the mark); a try that
began and was never recorded as answered (intake stopped midway) is failed alike. At most
once, then: a second critical message would cost the seller more than an agent's look.

Before its first try a message is rendered in the buyer's language and linted
(`domain/message_texts.py`); what it says is kept, and a message the lint holds back is
failed with the findings. A buyer erased meanwhile, or without an address, gets nothing (not
sent, with why). A relay or marketplace that cannot take it now (SMTP 4xx, no connection,
429, 5xx) is tried again with the usual backoff, after its Retry-After when it says, up to
BUYER_MESSAGE_MAX_ATTEMPTS tries; a refusal (SMTP 5xx, a 4xx of the marketplace) fails it
with the cause, and a recipient refused for good (SMTP 5xx to RCPT TO) bounces it. Failed
messages are listed for agents (`GET /messages?state=failed`), who may retry them.
"""

import logging
from email.utils import parseaddr

from services.intake.adapters.mail import Bounced, Envelope, email_of
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.domain.marketplace_side import MessageOrder
from services.intake.domain.message_texts import LANGUAGES, render
from services.intake.domain.outgoing_messages import (
    OPTIONAL,
    MessageKind,
    MessageState,
    Way,
    in_own_words,
    why_not_sent,
)
from services.intake.tables import CaseRecord, OutgoingMessage
from services.intake.workers.return_actions import pause_after
from services.intake.workflows import outgoing_messages
from services.intake.workflows.context import Intake
from shared.leases import LeasedWork
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable

log = logging.getLogger(__name__)

OUTGOING_MESSAGES_CHANNEL = "outgoing_messages_due"


class MessageWorker(LeasedWork[OutgoingMessage]):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        super().__init__(
            "message worker",
            OUTGOING_MESSAGES_CHANNEL,
            intake.service,
            OutgoingMessage,
            self._send,
            pending=MessageState.QUEUED.value,
        )

    async def _send(self, row: OutgoingMessage) -> None:
        async with self.service.sessions() as session:
            case = await session.get(CaseRecord, row.case_id)
            erased = case is None or await outgoing_messages.buyer_erased(session, case)
            contact = (
                {}
                if erased
                else await outgoing_messages.buyer_contact(session, self.intake.vault, case)
            )
        way = Way(row.way)
        why = why_not_sent(erased, way, bool(contact.get("email")))
        if case is None:
            why = f"intake holds no case {row.case_id}"
        if why is not None:
            async with self.service.transaction() as session:
                await outgoing_messages.not_sent(session, row, why)
            self._count("buyer_messages.not_sent", row)
            return
        account = await self.intake.accounts.find(Channel(row.channel), row.account)
        if row.subject is None:
            await self._in_buyer_language(row, case, account)
            async with self.service.sessions() as session:
                product = await outgoing_messages.localised_product(session, case, row.language)
            facts = outgoing_messages.facts_of(
                row, case, account, contact.get("name"), self.intake.buyer_links, product
            )
            try:
                message = render(facts)
            except Exception as error:  # a template that cannot say it: an agent looks
                log.exception("message %s of case %s cannot be rendered", row.kind, row.case_id)
                await self._failed(row, f"cannot be rendered: {error!r}")
                return
            async with self.service.transaction() as session:
                await outgoing_messages.rendered(session, row, message)
            if message.findings:
                self._failed_count(row, "; ".join(message.findings))
                return
        try:
            if way is Way.EBAY:
                await self._in_marketplace(row, case, account)
                recorded = outgoing_messages.delivered
            elif way is Way.AMAZON and await self._by_action(row, case, account):
                recorded = outgoing_messages.sent
            else:
                recipient = contact.get("email")
                if way is Way.AMAZON:
                    recipient = await self._relay_address(row, case, account)
                await self._by_email(row, case, account, recipient)
                recorded = outgoing_messages.sent
        except Bounced as bounce:
            async with self.service.transaction() as session:
                await outgoing_messages.bounced(session, row, str(bounce))
            self._count("buyer_messages.bounced", row)
            return
        except Unavailable as failure:
            await self._later(row, failure)
            return
        except Refused as refusal:
            await self._failed(row, str(refusal))
            return
        at = utc_now()  # gone: recorded even if the database is away a while, never sent twice
        await self.record_done(lambda session: recorded(session, row, at))
        self._count("buyer_messages.sent", row)

    async def _in_marketplace(
        self, row: OutgoingMessage, case: CaseRecord, account: Account | None
    ) -> None:
        channel = self.intake.channels.get(Channel(row.channel))
        if channel is None or channel.message_buyer is None:
            raise Refused(row.channel, "takes no messages to buyers from intake")
        if account is None:
            raise Refused(row.channel, f"intake holds no {row.channel} account {row.account}")
        await channel.message_buyer(order_of(row, case), account, self.intake.marketplaces)

    async def _in_buyer_language(
        self, row: OutgoingMessage, case: CaseRecord, account: Account | None
    ) -> None:
        """The buyer's language of preference where the marketplace knows it, for a message
        intake words itself; the case's language when it says none, or cannot now."""
        channel = self.intake.channels.get(Channel(row.channel))
        if channel is None or channel.buyer_language is None or account is None:
            return
        if not in_own_words(MessageKind(row.kind)):
            return  # resolution's offer or an agent's words: their language stays
        try:
            language = await channel.buyer_language(
                order_of(row, case), account, self.intake.marketplaces
            )
        except (Unavailable, Refused) as failure:
            log.info("the buyer's language of case %s is not known: %s", row.case_id, failure)
            return
        if language in LANGUAGES:
            row.language = language

    async def _by_action(
        self, row: OutgoingMessage, case: CaseRecord, account: Account | None
    ) -> bool:
        """Sent through the marketplace's own message type, when one fits and the order
        offers it; False: it goes by e-mail to the relay. See the module's note on tries."""
        channel = self.intake.channels.get(Channel(row.channel))
        if channel is None or channel.message_action is None or channel.send_by_action is None:
            return False
        if account is None:
            return False
        if row.action_tried_at is not None:  # a try that began and was never answered
            raise Refused(row.channel, unknown_outcome(row.action))
        order = order_of(row, case)
        apis = self.intake.marketplaces
        try:
            action = await channel.message_action(order, account, apis)
        except Refused as refusal:
            if refusal.status is None:
                raise
            log.warning("no message type of case %s: %s", row.case_id, refusal)
            return False  # the relay may still take it
        if action is None:
            return False
        async with self.service.transaction() as session:
            await outgoing_messages.action_tried(session, row, action, utc_now())
        try:
            await channel.send_by_action(order, action, account, apis)
        except Refused as refusal:
            if refusal.status is None:
                raise
            log.warning("%s refused for case %s: %s", action, row.case_id, refusal)
            async with self.service.transaction() as session:
                await outgoing_messages.action_answered(session, row, action=None)
            return False  # refused before it was made: by e-mail to the relay instead
        except Unavailable as failure:
            if failure.status != THROTTLED:  # a 5xx or no answer: it may have been made
                raise Refused(row.channel, f"{failure}; {unknown_outcome(action)}") from failure
            async with self.service.transaction() as session:
                await outgoing_messages.action_answered(session, row, action=action)
            raise
        return True

    async def _relay_address(
        self, row: OutgoingMessage, case: CaseRecord, account: Account | None
    ) -> str:
        channel = self.intake.channels.get(Channel(row.channel))
        if channel is None or channel.buyer_relay_address is None:
            raise Refused(row.channel, "gives no relay address of its buyers")
        if account is None:
            raise Refused(row.channel, f"intake holds no {row.channel} account {row.account}")
        return await channel.buyer_relay_address(case.order_id, account, self.intake.marketplaces)

    async def _by_email(
        self, row: OutgoingMessage, case: CaseRecord, account: Account | None, recipient: str
    ) -> None:
        links = self.intake.buyer_links
        sender = (account.credentials.get("mail_from") if account else None) or (
            self.service.settings.mail_from
        )
        reply_to = links.reply_address(case.case_id) if links else None
        optional = MessageKind(row.kind) in OPTIONAL
        message = email_of(
            sender=sender,
            recipient=recipient,
            subject=row.subject or "",
            text=row.body_text or "",
            html=row.body_html or "",
            reply_to=reply_to,
            message_id=links.message_id(case.case_id, row.message_id) if links else None,
            language=row.language,
            unsubscribe=reply_to if optional else None,
            tracked_as=row.message_id,
        )
        # The envelope sender is the message's bounce address: a report coming back later
        # names the message (`workers/inbound_mail.py`).
        bounces_to = links.bounce_address(row.message_id) if links else parseaddr(sender)[1]
        await self.intake.mail.send(message, Envelope(bounces_to, recipient))

    async def _later(self, row: OutgoingMessage, failure: Unavailable) -> None:
        settings = self.service.settings
        at = utc_now() + pause_after(row.attempts, failure)
        async with self.service.transaction() as session:
            await outgoing_messages.after_unavailable(
                session, row, str(failure), at, settings.buyer_message_max_attempts
            )
        if row.attempts >= settings.buyer_message_max_attempts:
            self._failed_count(row, str(failure))

    async def _failed(self, row: OutgoingMessage, why: str) -> None:
        async with self.service.transaction() as session:
            await outgoing_messages.failed(session, row, why)
        self._failed_count(row, why)

    def _failed_count(self, row: OutgoingMessage, why: str) -> None:
        log.warning("message %s of case %s failed: %s", row.kind, row.case_id, why)
        self._count("buyer_messages.failed", row)

    def _count(self, name: str, row: OutgoingMessage) -> None:
        self.service.counter(name, "messages to buyers, by kind and way").add(
            1, {"kind": row.kind, "way": row.way}
        )


THROTTLED = 429  # refused before anything was done: the only answer safe to try again


def unknown_outcome(action: str | None) -> str:
    return (
        f"whether its {action} message reached Amazon is not known, and Amazon keeps no "
        "record to read back: check the order's buyer messages in Seller Central, then retry"
    )


def order_of(row: OutgoingMessage, case: CaseRecord) -> MessageOrder:
    """The message as a marketplace's messaging takes it."""
    return MessageOrder(
        message_id=row.message_id,
        case_id=row.case_id,
        order_id=case.order_id,
        return_id=case.return_id,
        subject=row.subject or "",
        text=row.body_text or "",
        language=row.language,
        kind=row.kind,
        market=case.market,
    )
