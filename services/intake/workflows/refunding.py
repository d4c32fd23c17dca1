"""Paying the refunds resolution asks for through each case's marketplace, never twice.

One try of a refund (`pay`):
1. the refund is found by its key, or its case is found and checked against the body; a
   key seen with another body, a case intake does not hold, one whose facts differ from
   the body, or one of an account intake does not hold, are refused and nothing is
   recorded;
2. a paid or refused refund answers as it did the first time;
3. it is recorded paying, leased to this try (`paying_until`), and committed BEFORE the
   marketplace is called. Another try of the key while the lease runs is told to come back
   (503); a try's calls to the marketplace are cut short before its lease ends, so two
   tries of one key never call the marketplace at once;
4. a refund found paying was tried before and its answer never reached the record (lost on
   the way, or the process died between the marketplace's answer and the commit): the
   marketplace is read back first (`find_refund`) and what it holds is recorded;
5. otherwise the case's channel pays it (`pay_refund`) and the answer is recorded, giving
   the lease back: paid with the marketplace's refund id, or refused with its reason. An
   unavailable marketplace leaves it paying, for the next try to read back.

A try that fails on its own side (the commit of the answer, say) gives its lease back; a
process that dies keeps it until it runs out. A case opened by hand is paid as a generic
channel's case, with its seller's generic account. A channel without `pay_refund` refuses
every refund with the reason.

Store credit (reason `store_credit`) goes the same way as a gift card: the channel's
`issue_store_credit` and `find_store_credit` instead, under a random code recorded with the
lease before the first try, so every retry asks for, and reads back, the same card.
"""

import asyncio
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.channels.marketplace import FindRefund, MarketplaceChannel, PayRefund
from services.intake.domain import refunds
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.domain.marketplace_side import (
    STORE_CREDIT,
    MarketplaceRefund,
    RefundOrder,
)
from services.intake.domain.refunds import RefundAsked, RefundState
from services.intake.tables import CaseRecord, RefundRecord
from services.intake.workflows.context import Intake
from shared.markets import Currency
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable

log = logging.getLogger(__name__)

SYSTEM = "intake"
# A try's lease, in marketplace timeouts: its calls (a read-back, a payment) get two of
# them, the records around them the rest.
LEASE_TIMEOUTS = 3
CALL_TIMEOUTS = 2
# A refund in these answers as it did the first time.
FINAL = frozenset({RefundState.PAID, RefundState.REFUSED, RefundState.DISCARDED})


class RefundRefused(Exception):
    """The answer to give instead of a refund: its HTTP status and the reason."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Settled:
    """A paid refund: the protocol's answer, and whether this try made it."""

    answer: dict
    new: bool


@dataclass(frozen=True)
class Payer:
    channel: MarketplaceChannel
    account: Account


@dataclass(frozen=True)
class Facts:
    """Who pays a refund, and for what order: its record's, or its case's."""

    case_id: str
    channel: Channel
    account: str
    order_id: str
    return_id: str | None


async def pay(intake: Intake, refund_id: str, asked: RefundAsked) -> Settled:
    """Pay `asked` under `refund_id` through the case's marketplace, or answer as before.
    Raises `RefundRefused` (the answer to give) or `Unavailable` (come back later)."""
    facts = await facts_of(intake, refund_id, asked)
    if isinstance(facts, RefundRecord):
        return answered_before(facts)
    payer = await payer_of(intake, facts)
    record, before = await take(intake, refund_id, asked, facts, payer)
    if record.state in FINAL:
        return answered_before(record)
    try:
        refund, new = await ask_marketplace(intake, record, before, payer, order_of(record, asked))
        return await settled(intake, record, refund, new)
    except (RefundRefused, Unavailable):
        raise  # recorded, lease given back
    except Exception:
        await give_back(intake, refund_id)
        raise


def answered_before(record: RefundRecord) -> Settled:
    """A paid refund's answer again; a refused one's refusal again."""
    if record.state == RefundState.PAID:
        return Settled(answer_of(record), new=False)
    raise RefundRefused(record.refusal_status or refunds.INVALID, record.error or "")


async def facts_of(intake: Intake, refund_id: str, asked: RefundAsked) -> Facts | RefundRecord:
    """The refund's own, when it was asked before with the same body (its record itself
    when it is paid or refused: it answers as before); else its case's, checked against
    the body."""
    async with intake.service.transaction() as session:
        record = await session.get(RefundRecord, refund_id)
        if record is not None:
            ensure_same(record, asked)
            if record.state in FINAL:
                return record
            return Facts(
                record.case_id,
                Channel(record.channel),
                record.account,
                record.order_id,
                record.return_id,
            )
        case = await session.get(CaseRecord, asked.case_id)
    if case is None:
        raise RefundRefused(404, f"case_id: intake holds no case {asked.case_id}")
    problem = refunds.mismatch(
        asked, case.channel, case.account, case.order_id, case.case.get("currency", "")
    )
    if problem:
        raise RefundRefused(refunds.INVALID, f"invalid refund: {problem}")
    channel = paying_channel(Channel(case.channel))
    return Facts(case.case_id, channel, case.account, case.order_id, case.return_id)


def ensure_same(record: RefundRecord, asked: RefundAsked) -> None:
    if RefundAsked.model_validate(record.request) != asked:
        raise RefundRefused(
            refunds.INVALID,
            f"Idempotency-Key {record.refund_id!r} was used for another refund of case "
            f"{record.case_id}; a new refund needs a new key",
        )


def paying_channel(channel: Channel) -> Channel:
    """The channel that pays a case's refunds: a case opened by hand is a generic one."""
    return Channel.GENERIC if channel is Channel.AGENT else channel


async def payer_of(intake: Intake, facts: Facts) -> Payer:
    channel = intake.channels.get(facts.channel)
    if channel is None:
        raise RefundRefused(refunds.INVALID, no_refunds_through(facts.channel))
    account = await intake.accounts.find(channel.channel, facts.account)
    if account is None:
        reason = f"seller_account: intake holds no {facts.channel.value} account {facts.account}"
        raise RefundRefused(refunds.INVALID, reason)
    return Payer(channel, account)


def paying_call(channel: MarketplaceChannel, reason: str) -> PayRefund | None:
    return channel.issue_store_credit if reason == STORE_CREDIT else channel.pay_refund


def finding_call(channel: MarketplaceChannel, reason: str) -> FindRefund | None:
    return channel.find_store_credit if reason == STORE_CREDIT else channel.find_refund


def cannot_pay(channel: Channel, reason: str) -> str:
    if reason == STORE_CREDIT:
        return f"{channel.value} cannot issue the seller's store credit: refund the buyer instead"
    return no_refunds_through(channel)


def no_refunds_through(channel: Channel) -> str:
    return (
        f"{channel.value} refunds are not paid through intake: refund the buyer on the "
        "marketplace itself"
    )


async def take(
    intake: Intake, refund_id: str, asked: RefundAsked, facts: Facts, payer: Payer
) -> tuple[RefundRecord, RefundState]:
    """The refund recorded paying and leased to this try (committed), with the state it was
    found in (asked: new); as found when it is paid or refused already."""
    async with intake.service.transaction() as session:
        record = await recorded(session, refund_id, asked, facts)
        now = utc_now()  # once the row is locked: a lease taken meanwhile is seen whole
        before = RefundState(record.state)
        if before in FINAL:
            return record, before
        if record.paying_until is not None and record.paying_until > now:
            left = (record.paying_until - now).total_seconds()
            reason = f"refund {refund_id} is being paid by another try"
            raise Unavailable(SYSTEM, reason, 503, left)
        if paying_call(payer.channel, asked.reason) is None:
            refuse(record, refunds.INVALID, cannot_pay(payer.channel.channel, asked.reason))
            return record, before
        if asked.reason == STORE_CREDIT and record.credit_code is None:
            record.credit_code = refunds.credit_code(secrets.token_bytes(refunds.CREDIT_CODE_CHARS))
        record.state = refunds.start_paying(before, refund_id).state
        record.attempts += 1
        record.paying_until = now + lease_of(intake)
    return record, before


async def recorded(
    session: AsyncSession, refund_id: str, asked: RefundAsked, facts: Facts
) -> RefundRecord:
    """The refund's record, locked; inserted as asked when it is new (once, whoever
    comes first)."""
    row = {
        "refund_id": refund_id,
        "case_id": facts.case_id,
        "channel": facts.channel.value,
        "account": facts.account,
        "order_id": facts.order_id,
        "return_id": facts.return_id,
        "request": asked.model_dump(mode="json"),
        "state": RefundState.ASKED.value,
        "attempts": 0,
        "asked_at": utc_now(),
    }
    await session.execute(insert(RefundRecord).values(row).on_conflict_do_nothing())
    record = await session.get(
        RefundRecord, refund_id, with_for_update=True, populate_existing=True
    )
    assert record is not None
    ensure_same(record, asked)  # another try may have recorded it first, with its body
    return record


def lease_of(intake: Intake) -> timedelta:
    return timedelta(seconds=LEASE_TIMEOUTS * intake.service.settings.marketplace_timeout_seconds)


def order_of(record: RefundRecord, asked: RefundAsked) -> RefundOrder:
    return RefundOrder(
        refund_id=record.refund_id,
        case_id=record.case_id,
        order_id=record.order_id,
        return_id=record.return_id,
        amount_minor=asked.amount.minor,
        currency=asked.amount.currency,
        reason=asked.reason,
        credit_code=record.credit_code,
    )


async def ask_marketplace(
    intake: Intake, record: RefundRecord, before: RefundState, payer: Payer, order: RefundOrder
) -> tuple[MarketplaceRefund, bool]:
    """The refund an earlier try made (read back when one may have), else the one this try
    makes; and whether it is new. Cut short before the lease ends."""
    budget = CALL_TIMEOUTS * intake.service.settings.marketplace_timeout_seconds
    try:
        async with asyncio.timeout(budget):
            if refunds.reads_back_first(before):
                found = await read_back(intake, record, payer, order)
                if found is not None:
                    return found, False
            return await pay_once(intake, record, payer, order), True
    except TimeoutError:
        reason = f"{payer.channel.channel.value} took longer than {budget:g} s to answer"
        failure = Unavailable(SYSTEM, f"refund {record.refund_id}: {reason}")
        await note_failure(intake, record.refund_id, str(failure))
        raise failure from None


async def read_back(
    intake: Intake, record: RefundRecord, payer: Payer, order: RefundOrder
) -> MarketplaceRefund | None:
    """The refund an earlier try made, if the marketplace holds one. Read-back failing for
    good answers a refusal but records none: the earlier try may have paid."""
    find = finding_call(payer.channel, order.reason)
    if find is None:
        return None  # the channel's own key makes paying again harmless
    try:
        return await find(order, payer.account, intake.marketplaces)
    except Unavailable as failure:
        await note_failure(intake, record.refund_id, str(failure))
        raise
    except Refused as refusal:
        reason = f"{refusal}; an earlier try may have paid it, so it is not paid again"
        await note_failure(intake, record.refund_id, reason)
        raise RefundRefused(refunds.refusal_status(refusal.status), reason) from refusal


async def pay_once(
    intake: Intake, record: RefundRecord, payer: Payer, order: RefundOrder
) -> MarketplaceRefund:
    pay = paying_call(payer.channel, order.reason)
    assert pay is not None
    try:
        return await pay(order, payer.account, intake.marketplaces)
    except Unavailable as failure:
        await note_failure(intake, record.refund_id, str(failure))
        raise
    except Refused as refusal:
        status = refunds.refusal_status(refusal.status)
        async with intake.service.transaction() as session:
            refuse(await locked(session, record.refund_id), status, str(refusal))
        raise RefundRefused(status, str(refusal)) from refusal


async def settled(
    intake: Intake, record: RefundRecord, refund: MarketplaceRefund, new: bool
) -> Settled:
    """Paid: the marketplace's refund recorded, and the protocol's answer."""
    async with intake.service.transaction() as session:
        stored = await locked(session, record.refund_id)
        stored.state = refunds.settle(RefundState(stored.state), stored.refund_id).state
        stored.marketplace_refund_id = refund.marketplace_refund_id
        stored.paid_minor = refund.amount_minor
        stored.paid_currency = Currency(refund.currency).value
        stored.settled_at = utc_now()
        stored.paying_until = None
        stored.error = None
    return Settled(answer_of(stored), new)


def refuse(record: RefundRecord, status: int, reason: str) -> None:
    record.state = refunds.refuse(RefundState(record.state), record.refund_id).state
    record.refusal_status = status
    record.error = reason
    record.settled_at = utc_now()
    record.paying_until = None


async def note_failure(intake: Intake, refund_id: str, why: str) -> None:
    """Still paying, the lease given back: the next try reads the marketplace back."""
    async with intake.service.transaction() as session:
        record = await locked(session, refund_id)
        record.error = why
        record.paying_until = None


async def give_back(intake: Intake, refund_id: str) -> None:
    """The lease of a try that failed on its own side, given back if the database lets us
    (else it runs out)."""
    try:
        async with intake.service.transaction() as session:
            (await locked(session, refund_id)).paying_until = None
    except Exception:
        log.warning("refund %s keeps its lease until it runs out", refund_id, exc_info=True)


async def reopen(
    session: AsyncSession, refund_id: str, scope: ColumnElement[bool]
) -> RefundRecord | None:
    """An agent's retry of a refused refund: asked again, for the next try of resolution
    to pay. None: no such refund within `scope` (the agent's seller accounts)."""
    record = await session.scalar(
        select(RefundRecord).where(RefundRecord.refund_id == refund_id, scope).with_for_update()
    )
    if record is None:
        return None
    record.state = refunds.retry(RefundState(record.state), refund_id).state
    record.refusal_status = None
    record.settled_at = None
    return record


async def credit_code_of(session: AsyncSession, refund_id: str) -> str | None:
    """The code of the gift card issued under `refund_id` (None: no such store credit)."""
    return await session.scalar(
        select(RefundRecord.credit_code).where(RefundRecord.refund_id == refund_id)
    )


async def listed(
    session: AsyncSession,
    state: RefundState | None,
    case_id: str | None,
    limit: int,
    scope: ColumnElement[bool],
) -> list[RefundRecord]:
    """The refunds within `scope` (the reader's seller accounts), the newest first."""
    query = select(RefundRecord).where(scope).order_by(RefundRecord.asked_at.desc()).limit(limit)
    if state is not None:
        query = query.where(RefundRecord.state == state.value)
    if case_id is not None:
        query = query.where(RefundRecord.case_id == case_id)
    return list(await session.scalars(query))


async def locked(session: AsyncSession, refund_id: str) -> RefundRecord:
    record = await session.get(RefundRecord, refund_id, with_for_update=True)
    assert record is not None, f"refund {refund_id} was recorded before it was paid"
    return record


def answer_of(record: RefundRecord) -> dict:
    """The protocol's answer: the marketplace's refund id, the key, and what was asked."""
    return {
        "refund_id": record.marketplace_refund_id,
        "idempotency_key": record.refund_id,
        **record.request,
    }


def retry_after_seconds(failure: Unavailable) -> int:
    """The Retry-After to answer: the marketplace's own (or the lease's), else soon."""
    return max(1, math.ceil(failure.retry_after or 1))
