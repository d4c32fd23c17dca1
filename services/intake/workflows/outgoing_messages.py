"""Messages to buyers (`domain/outgoing_messages.py`): owed in the transaction that consumes
their event, rendered and linted before their first try, then recorded as the relay or the
marketplace answered (`workers/outgoing_messages.py` sends them).

The message id and key come from the case, the kind and the triggering event, so a
redelivered event owes nothing new. An event about a case intake never opened owes
nothing. A buyer erased at the marketplace's request gets nothing: the message is recorded
not sent, with why.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.adapters.buyer_links import BuyerLinks
from services.intake.adapters.vault import Vault
from services.intake.domain import outgoing_messages as messages
from services.intake.domain.account import Account
from services.intake.domain.case import ERASED_BUYER
from services.intake.domain.delivery_reports import FAILED, DeliveryReport
from services.intake.domain.message_texts import MessageFacts, RenderedMessage
from services.intake.domain.outgoing_messages import (
    NO_PAGE_LINK,
    MessageKind,
    MessageState,
    Way,
    message_id_of,
    message_key,
    way_of,
)
from services.intake.tables import BuyerRecord, CaseRecord, ChannelAccount, OutgoingMessage
from services.intake.workflows import catalog
from shared.events import BuyerMessaged, Remedy, Scenario
from shared.inbox import in_case_trace
from shared.lifecycle import Transition
from shared.markets import Currency, Market
from shared.messaging_tables import utc_now
from shared.outbox import emit

log = logging.getLogger(__name__)


async def owe(
    session: AsyncSession,
    case_id: str,
    kind: MessageKind,
    trigger: str,
    facts: dict[str, Any],
) -> OutgoingMessage | None:
    """A message of `kind` to the case's buyer, owed by event `trigger`; None when intake
    has no such case. Owed once: a second call with the same trigger changes nothing."""
    case = await session.get(CaseRecord, case_id)
    if case is None:
        return None
    key = message_key(case_id, kind, trigger)
    seller = await session.scalar(
        select(ChannelAccount.seller).where(
            ChannelAccount.channel == case.channel, ChannelAccount.account == case.account
        )
    )
    erased = await buyer_erased(session, case)
    row = {
        "message_id": message_id_of(key),
        "idempotency_key": key,
        "case_id": case_id,
        "channel": case.channel,
        "account": case.account,
        "seller": seller or case.account,
        "kind": kind.value,
        "way": way_of(case.channel).value,
        "trigger": trigger,
        "language": str(case.case.get("buyer_language") or "en"),
        "facts": facts,
        "state": (MessageState.NOT_SENT if erased else MessageState.QUEUED).value,
        "attempts": 0,
        "error": messages.why_not_sent(True, Way.EMAIL, True) if erased else None,
        "queued_at": utc_now(),
        "next_attempt_at": utc_now(),
    }
    await session.execute(
        insert(OutgoingMessage).values(row).on_conflict_do_nothing(index_elements=["message_id"])
    )
    return await session.get(OutgoingMessage, row["message_id"])


async def owe_after_decision(
    session: AsyncSession, case_id: str, remedy: Remedy, trigger: str, facts: dict[str, Any]
) -> None:
    """What the case goes ahead with; nothing when the buyer was just told of this remedy
    as owed (a notice comes with its decision: one message says it)."""
    told = await session.scalar(
        select(OutgoingMessage.message_id).where(
            OutgoingMessage.case_id == case_id,
            OutgoingMessage.kind == MessageKind.REMEDY_OWED.value,
            OutgoingMessage.facts["remedy"].astext == remedy.value,
        )
    )
    if told is None:
        await owe(session, case_id, MessageKind.REMEDY_DECIDED, trigger, facts)


async def owe_after_refund(
    session: AsyncSession, case_id: str, remedy: Remedy, trigger: str, facts: dict[str, Any]
) -> None:
    """The refund's notice; after a quality defect's full refund, the follow-up too."""
    case = await session.get(CaseRecord, case_id)
    if case is None:
        return
    scenario = Scenario(case.scenario) if case.scenario else None
    for kind in messages.kinds_after_refund(remedy, scenario):
        await owe(session, case_id, kind, trigger, facts)


async def buyer_erased(session: AsyncSession, case: CaseRecord) -> bool:
    """Erased at the marketplace's request: the case names the buyer no more, or the buyer's
    record says so."""
    if case.buyer_ref == ERASED_BUYER:
        return True
    erased_at = await session.scalar(
        select(BuyerRecord.erased_at).where(
            BuyerRecord.channel == case.channel,
            BuyerRecord.account == case.account,
            BuyerRecord.buyer_ref == case.buyer_ref,
        )
    )
    return erased_at is not None


async def cases_of(session: AsyncSession, case_ids: set[str]) -> dict[str, CaseRecord]:
    """The cases of a batch of messages, by id, in one statement."""
    found = await session.scalars(select(CaseRecord).where(CaseRecord.case_id.in_(case_ids)))
    return {case.case_id: case for case in found}


class Buyers:
    """The buyers of a batch's cases as their records say: erased or not, and the contact
    the vault keeps (none when erased), for many cases at once."""

    def __init__(self, vault: Vault, records: dict[tuple[str, str, str], Any]) -> None:
        self.vault = vault
        self.records = records

    def of(self, case: CaseRecord | None) -> tuple[bool, dict[str, Any]]:
        """Whether the case's buyer is erased (or there is no case), and their contact."""
        if case is None or case.buyer_ref == ERASED_BUYER:
            return True, {}
        record = self.records.get((case.channel, case.account, case.buyer_ref))
        if record is None:
            return False, {}
        if record.erased_at is not None:
            return True, {}
        return False, self.vault.open(record.contact) if record.contact else {}


async def buyers_of(session: AsyncSession, vault: Vault, cases: Iterable[CaseRecord]) -> Buyers:
    """The buyers of `cases`, in one statement."""
    keys = {(case.channel, case.account, case.buyer_ref) for case in cases}
    if not keys:
        return Buyers(vault, {})
    buyers = BuyerRecord.__table__
    key = tuple_(buyers.c.channel, buyers.c.account, buyers.c.buyer_ref)
    rows = await session.execute(
        select(
            buyers.c.channel,
            buyers.c.account,
            buyers.c.buyer_ref,
            buyers.c.contact,
            buyers.c.erased_at,
        ).where(key.in_(keys))
    )
    return Buyers(vault, {(row.channel, row.account, row.buyer_ref): row for row in rows})


async def forget_buyer(session: AsyncSession, case_id: str) -> None:
    """The buyer of the case was erased: what their messages said (their name, the offer's
    greeting) is forgotten, and none still queued is sent."""
    table = OutgoingMessage.__table__
    why = messages.why_not_sent(True, Way.EMAIL, True)
    await session.execute(
        update(table)
        .where(table.c.case_id == case_id, table.c.state == MessageState.QUEUED.value)
        .values(state=MessageState.NOT_SENT.value, error=why)
    )
    await session.execute(
        update(table)
        .where(table.c.case_id == case_id)
        .values(facts={}, body_text=None, body_html=None)
    )


def facts_of(
    row: OutgoingMessage,
    case: CaseRecord,
    account: Account | None,
    buyer_name: str | None,
    links: BuyerLinks | None,
    product: str | None = None,
) -> MessageFacts:
    """What the message says: the event's facts, the case's product and market, the seller
    who signs it, and the page link where the channel takes one. `product`: the item's
    title in the message's language from the seller's catalog (`localised_product`), else
    the channel's."""
    given = row.facts
    way = Way(row.way)
    page_url = None
    if links is not None and way not in NO_PAGE_LINK:
        page_url = links.page_url(case.case_id, row.language)
    currency = given.get("currency")
    return MessageFacts(
        kind=MessageKind(row.kind),
        language=row.language,
        market=Market(case.market),
        marketplace=case.channel,
        product=product or product_of(case.case),
        seller=signature_of(account, row.seller),
        buyer_name=buyer_name,
        page_url=page_url,
        by_email=way is not Way.EBAY,
        offer_text=given.get("offer_text"),
        remedy=Remedy(given["remedy"]) if given.get("remedy") else None,
        amount_minor=given.get("amount_minor"),
        currency=Currency(currency) if currency else None,
        carrier=given.get("carrier"),
        tracking=given.get("tracking"),
        service=given.get("service"),
        rma=given.get("rma"),
        promised_by=datetime.fromisoformat(given["promised_by"]).date()
        if given.get("promised_by")
        else None,
        why=given.get("why"),
        credit_code=given.get("credit_code"),
    )


async def localised_product(session: AsyncSession, case: CaseRecord, language: str) -> str | None:
    """The case's first item's title in `language` from the seller's catalog; None: none."""
    [product] = await localised_products(session, [(case, language)])
    return product


async def localised_products(
    session: AsyncSession, wanted: list[tuple[CaseRecord, str]]
) -> list[str | None]:
    """`localised_product` of each (case, language), one statement per seller account and
    language rather than one per case."""
    skus: dict[tuple[str, str, str], set[str]] = {}
    for case, language in wanted:
        if sku := first_sku(case):
            skus.setdefault((case.channel, case.account, language), set()).add(sku)
    titles = {
        (channel, account, language): await catalog.titles_in(
            session, channel, account, sorted(listed), language
        )
        for (channel, account, language), listed in skus.items()
    }
    return [
        titles.get((case.channel, case.account, language), {}).get(first_sku(case))
        for case, language in wanted
    ]


def first_sku(case: CaseRecord) -> str:
    items = (case.case or {}).get("items") or [{}]
    return str(items[0].get("sku") or "")


def product_of(case: dict[str, Any]) -> str:
    items = case.get("items") or [{}]
    first = items[0]
    return str(first.get("title") or first.get("sku") or "order")


def signature_of(account: Account | None, seller: str) -> str:
    """Who signs: the sender's display name when the account has one, else the seller."""
    sender = (account.credentials.get("mail_from") if account else None) or ""
    name = sender.split("<")[0].strip().strip('"')
    return name or seller


async def rendered(session: AsyncSession, row: OutgoingMessage, message: RenderedMessage) -> None:
    """The text it was rendered to, kept whatever happens next; held back (failed) when the
    compliance lint found anything."""
    values: dict[str, Any] = {
        "subject": message.subject,
        "body_text": message.text,
        "body_html": message.html,
        "language": message.language,
    }
    if message.findings:
        values["state"] = messages.fail(MessageState(row.state), row.message_id).state.value
        values["error"] = "held by the compliance lint: " + "; ".join(message.findings)
    await set_values(session, row.message_id, **values)
    row.subject, row.body_text, row.body_html = message.subject, message.text, message.html


async def sent(session: AsyncSession, row: OutgoingMessage, now: datetime) -> None:
    transition = messages.send(MessageState(row.state), row.message_id)
    await moved(session, row, transition, sent_at=now, action_tried_at=None)


async def action_tried(
    session: AsyncSession, row: OutgoingMessage, action: str, now: datetime
) -> None:
    """A try through the marketplace's message type begins: recorded before its call, as
    no read-back could tell later whether it got through."""
    await set_values(session, row.message_id, action=action, action_tried_at=now)
    row.action, row.action_tried_at = action, now


async def action_answered(session: AsyncSession, row: OutgoingMessage, action: str | None) -> None:
    """The marketplace answered the try without making the message: nothing is pending;
    `action` None when the message goes the usual way instead."""
    await set_values(session, row.message_id, action=action, action_tried_at=None)
    row.action, row.action_tried_at = action, None


async def delivered(session: AsyncSession, row: OutgoingMessage, now: datetime) -> None:
    transition = messages.deliver(MessageState(row.state), row.message_id)
    await moved(session, row, transition, sent_at=now, delivered_at=now, error=None)


async def bounced(session: AsyncSession, row: OutgoingMessage, why: str) -> None:
    await moved(session, row, messages.bounce(MessageState(row.state), row.message_id), error=why)


async def delivery_reported(
    session: AsyncSession, message_id: str, report: DeliveryReport, now: datetime
) -> OutgoingMessage | None:
    """A delivery report that came back later (`domain/delivery_reports.py`): the message
    bounced, with the reason, or delivered. None when intake sent no such message; a
    report on a message already past that point (a repeat) changes nothing."""
    row = await session.get(OutgoingMessage, message_id)
    if row is None or not report.changes_state:
        return row
    move = "bounce" if report.action == FAILED else "deliver"
    if not messages.OUTGOING_MESSAGE.allows(MessageState(row.state), move):
        return row
    if move == "bounce":
        await bounced(session, row, report.reason)
    else:
        transition = messages.deliver(MessageState(row.state), row.message_id)
        await moved(session, row, transition, delivered_at=now)
    return row


async def failed(session: AsyncSession, row: OutgoingMessage, why: str) -> None:
    await moved(session, row, messages.fail(MessageState(row.state), row.message_id), error=why)


async def not_sent(session: AsyncSession, row: OutgoingMessage, why: str) -> None:
    transition = messages.withhold(MessageState(row.state), row.message_id)
    await moved(session, row, transition, error=why)


async def after_unavailable(
    session: AsyncSession, row: OutgoingMessage, why: str, at: datetime, max_attempts: int
) -> None:
    """Tried again at `at` while tries are left; failed with the cause after the last."""
    transition = messages.after_unavailable(
        MessageState(row.state), row.message_id, row.attempts, max_attempts
    )
    await moved(session, row, transition, next_attempt_at=at, error=why)


async def retry(
    session: AsyncSession, message_id: str, scope: ColumnElement[bool]
) -> OutgoingMessage | None:
    """An agent's retry of a failed message: queued again, now. None: no such message
    within `scope` (the agent's seller accounts)."""
    row = await session.scalar(
        select(OutgoingMessage)
        .where(OutgoingMessage.message_id == message_id, scope)
        .with_for_update()
    )
    if row is None:
        return None
    row.state = messages.retry(MessageState(row.state), message_id).state.value
    row.attempts = 0
    row.next_attempt_at = utc_now()
    row.action_tried_at = None  # the agent checked that the lost try did not get through
    return row


async def listed(
    session: AsyncSession,
    case_id: str | None,
    seller: str | None,
    state: MessageState | None,
    limit: int,
    scope: ColumnElement[bool],
) -> list[OutgoingMessage]:
    """The messages within `scope` (the reader's seller accounts), the newest first."""
    query = (
        select(OutgoingMessage).where(scope).order_by(OutgoingMessage.queued_at.desc()).limit(limit)
    )
    if case_id is not None:
        query = query.where(OutgoingMessage.case_id == case_id)
    if seller is not None:
        query = query.where(OutgoingMessage.seller == seller)
    if state is not None:
        query = query.where(OutgoingMessage.state == state.value)
    return list(await session.scalars(query))


async def set_values(session: AsyncSession, message_id: str, **values: object) -> None:
    table = OutgoingMessage.__table__
    await session.execute(update(table).where(table.c.message_id == message_id).values(**values))


async def moved(
    session: AsyncSession,
    row: OutgoingMessage,
    transition: Transition[MessageState],
    **values: object,
) -> None:
    """The worker's record of a try, unless the message moved meanwhile (an agent); a
    message that left (or bounced) is announced for the case's conversation."""
    table = OutgoingMessage.__table__
    recorded = await session.scalar(
        update(table)
        .where(table.c.message_id == row.message_id, table.c.state == row.state)
        .values(state=transition.state.value, **values)
        .returning(table.c.message_id)
    )
    log.debug("message %s of case %s: %s", row.kind, row.case_id, transition.state)
    if recorded is not None and transition.state in messages.ANNOUNCED:
        async with in_case_trace(session, row.case_id):
            await emit(session, announced(row, transition.state))


def announced(row: OutgoingMessage, state: MessageState) -> BuyerMessaged:
    """The message as the case's conversation shows it: no address, no page link."""
    return BuyerMessaged(
        case_id=row.case_id,
        message_id=row.message_id,
        kind=row.kind,
        channel=row.channel,
        way=row.way,
        state=state.value,
        language=row.language,
        subject=row.subject or "",
        text=messages.without_page_links(row.body_text or ""),
        at=utc_now(),
    )
