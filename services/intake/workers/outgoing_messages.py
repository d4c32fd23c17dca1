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

A claimed batch is handled together, to spend few statements and one SMTP session on it:
its cases and buyers read in two statements, its texts kept in one transaction before any
try, its e-mails handed to the relay one after the other over one session (the marketplace
ways side by side), each recorded as sent as soon as it is out (a stop later in the batch
sends it no second time), and what came of the other tries recorded in one transaction.
A message the relay refuses costs only itself; a session lost midway (dropped, timed out,
closed by the relay) leaves the batch's messages not yet tried to be tried again later.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.adapters.mail import Bounced, Envelope, RelaySession, email_of
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
from shared.leases import LEASE, LeasedWork
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable

log = logging.getLogger(__name__)

OUTGOING_MESSAGES_CHANNEL = "outgoing_messages_due"

Write = Callable[[AsyncSession], Awaitable[Any]]
# A batch's e-mails are begun within this, so that their outcomes are recorded well inside
# the claim's lease (`record_done`): never sent again by another worker meanwhile.
SENDING_WITHIN = LEASE.total_seconds() / 3


@dataclass
class Outcome:
    """What became of a claimed message: `write` records it (with the batch's others, in
    one transaction), `then` counts it once recorded; `goes`: it is tried now."""

    write: Write | None = None
    then: Callable[[], None] = lambda: None
    goes: bool = False


class MessageWorker(LeasedWork[OutgoingMessage]):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        super().__init__(
            "message worker",
            OUTGOING_MESSAGES_CHANNEL,
            intake.service,
            OutgoingMessage,
            pending=MessageState.QUEUED.value,
        )

    async def handle_batch(self, rows: list[OutgoingMessage]) -> None:
        """The batch's cases and buyers read together; each message rendered, the texts
        kept in one transaction; the e-mails handed over in one SMTP session (the other
        ways side by side), each recorded as soon as it is out; what came of the others
        recorded in one transaction. A message whose
        handling raised is left to the claim's let-go, the others recorded first."""
        rows = sorted(rows, key=lambda row: row.queued_at)  # the claim's order is its lease's
        async with self.service.sessions() as session:
            cases = await outgoing_messages.cases_of(session, {row.case_id for row in rows})
            buyers = await outgoing_messages.buyers_of(session, self.intake.vault, cases.values())
        readings = [Reading(row, cases.get(row.case_id), buyers) for row in rows]
        ready = await asyncio.gather(*map(self._ready, readings), return_exceptions=True)
        prepared = await self._rendered(readings, ready)
        await self._record(prepared)
        going = [r for r, o in zip(readings, prepared, strict=True) if settled(o) and o.goes]
        async with self.intake.mail.session(within=SENDING_WITHIN) as mail:
            tried = await asyncio.gather(
                *(self._try(reading, mail) for reading in going), return_exceptions=True
            )
        await self._record(tried, made_outside=True)
        for raised in [*prepared, *tried]:
            if isinstance(raised, BaseException):
                raise raised

    async def _record(self, outcomes: list[Any], made_outside: bool = False) -> None:
        """The outcomes' writes in one transaction (`made_outside`: tried again while the
        database is away, as what was done outside must be recorded), then their counts;
        a message whose handling raised has none."""
        done = [outcome for outcome in outcomes if settled(outcome)]
        writes = [outcome.write for outcome in done if outcome.write]
        if writes:

            async def write_all(session: AsyncSession) -> None:
                with session.no_autoflush:  # the announcements go in one insert, at commit
                    for write in writes:
                        await write(session)

            if made_outside:
                await self.record_done(write_all)
            else:
                async with self.service.transaction() as session:
                    await write_all(session)
        for outcome in done:
            if not outcome.goes:
                outcome.then()

    async def _ready(self, reading: "Reading") -> Outcome | None:
        """Whether the message goes (an outcome), and in which language when it is still to
        be rendered (None)."""
        row, case, contact = reading.row, reading.case, reading.contact
        way = Way(row.way)
        why = why_not_sent(reading.erased, way, bool(contact.get("email")))
        if case is None:
            why = f"intake holds no case {row.case_id}"
        if why is not None:
            return Outcome(
                lambda session: outgoing_messages.not_sent(session, row, why),
                lambda: self._count("buyer_messages.not_sent", row),
            )
        reading.account = await self.intake.accounts.find(Channel(row.channel), row.account)
        if row.subject is not None:
            return Outcome(goes=True)
        await self._in_buyer_language(row, case, reading.account)
        return None

    async def _rendered(self, readings: list["Reading"], ready: list[Any]) -> list[Any]:
        """Each message still to be rendered, rendered and linted before its first try (the
        catalog's titles of their products read together); the others as they were."""
        to_render = [r for r, o in zip(readings, ready, strict=True) if o is None]
        if not to_render:
            return ready
        async with self.service.sessions() as session:
            products = await outgoing_messages.localised_products(
                session, [(r.case, r.row.language) for r in to_render]
            )
        product_of = {r.row.message_id: p for r, p in zip(to_render, products, strict=True)}
        return [
            self._render(r, product_of[r.row.message_id]) if o is None else o
            for r, o in zip(readings, ready, strict=True)
        ]

    def _render(self, reading: "Reading", product: str | None) -> Outcome:
        row, case = reading.row, reading.case
        assert case is not None
        facts = outgoing_messages.facts_of(
            row,
            case,
            reading.account,
            reading.contact.get("name"),
            self.intake.buyer_links,
            product,
        )
        try:
            message = render(facts)
        except Exception as error:  # a template that cannot say it: an agent looks
            log.exception("message %s of case %s cannot be rendered", row.kind, row.case_id)
            return self._failed(row, f"cannot be rendered: {error!r}")
        kept = Outcome(lambda session: outgoing_messages.rendered(session, row, message))
        if message.findings:
            kept.then = lambda: self._failed_count(row, "; ".join(message.findings))
        else:
            kept.goes = True
        return kept

    async def _try(self, reading: "Reading", mail: RelaySession) -> Outcome:
        row, case, account = reading.row, reading.case, reading.account
        assert case is not None
        way = Way(row.way)
        recorded = outgoing_messages.sent

        async def gone() -> None:
            """Recorded at once, not with the batch: intake stopped later in the batch (a
            crash, kill -9) sends none of those already out again; tried again while the
            database is away a while."""
            at = utc_now()
            await self._record(
                [
                    Outcome(
                        lambda session: recorded(session, row, at),
                        lambda: self._count("buyer_messages.sent", row),
                    )
                ],
                made_outside=True,
            )

        try:
            if way is Way.EBAY:
                await self._in_marketplace(row, case, account)
                recorded = outgoing_messages.delivered
                await gone()
            elif way is Way.AMAZON and await self._by_action(row, case, account):
                await gone()
            else:
                recipient = reading.contact.get("email")
                if way is Way.AMAZON:
                    recipient = await self._relay_address(row, case, account)
                # recorded before the session's next message goes
                await self._by_email(row, case, account, recipient, mail, then=gone)
        except Bounced as bounce:
            return self._bounced(row, str(bounce))
        except Unavailable as failure:
            return self._later(row, failure)
        except Refused as refusal:
            return self._failed(row, str(refusal))
        return Outcome()  # recorded already

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
        self,
        row: OutgoingMessage,
        case: CaseRecord,
        account: Account | None,
        recipient: str,
        mail: RelaySession,
        then: Callable[[], Awaitable[object]] | None = None,
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
        await mail.send(message, Envelope(bounces_to, recipient), then)

    def _later(self, row: OutgoingMessage, failure: Unavailable) -> Outcome:
        settings = self.service.settings
        at = utc_now() + pause_after(row.attempts, failure)

        def counted() -> None:
            if row.attempts >= settings.buyer_message_max_attempts:
                self._failed_count(row, str(failure))

        return Outcome(
            lambda session: outgoing_messages.after_unavailable(
                session, row, str(failure), at, settings.buyer_message_max_attempts
            ),
            counted,
        )

    def _bounced(self, row: OutgoingMessage, why: str) -> Outcome:
        return Outcome(
            lambda session: outgoing_messages.bounced(session, row, why),
            lambda: self._count("buyer_messages.bounced", row),
        )

    def _failed(self, row: OutgoingMessage, why: str) -> Outcome:
        return Outcome(
            lambda session: outgoing_messages.failed(session, row, why),
            lambda: self._failed_count(row, why),
        )

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


class Reading:
    """A claimed message with what the batch read for it."""

    def __init__(
        self, row: OutgoingMessage, case: CaseRecord | None, buyers: outgoing_messages.Buyers
    ) -> None:
        self.row, self.case = row, case
        self.erased, self.contact = buyers.of(case)
        self.account: Account | None = None


def settled(outcome: Any) -> bool:
    """An outcome, rather than what a message's handling raised."""
    return isinstance(outcome, Outcome)


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
