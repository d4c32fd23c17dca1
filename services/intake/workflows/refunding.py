"""Paying the refunds resolution asks for through each case's marketplace, never twice.

One try of a refund (`pay`), alone for its key (a PostgreSQL advisory lock held on its own
connection, so a process that dies lets go of it at once; another try of the same key
meanwhile is told to come back):
1. the refund is found by its key, or recorded from the case it names (asked); a key
   seen with another body, a case intake does not hold, or one whose facts differ from
   the body are refused and nothing is recorded;
2. a paid or refused refund answers as it did the first time;
3. it is recorded paying, and committed, BEFORE the marketplace is called;
4. a refund found paying was tried before and its answer never reached the record (lost
   on the way, or the process died between the marketplace's answer and the commit): the
   marketplace is read back first (`find_refund`) and what it holds is recorded;
5. otherwise the case's channel pays it (`pay_refund`) and the answer is recorded: paid
   with the marketplace's refund id, or refused with its reason. An unavailable
   marketplace leaves it paying, for the next try to read back.

A case opened by hand is paid as a generic channel's case, with its seller's generic
account. A channel without `pay_refund` refuses every refund with the reason.
"""

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.channels.marketplace import MarketplaceChannel
from services.intake.domain import refunds
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from services.intake.domain.refunds import RefundAsked, RefundState
from services.intake.tables import CaseRecord, RefundRecord
from services.intake.workflows.context import Intake
from shared.markets import Currency
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable

SYSTEM = "intake"
LOCK_SPACE = "intake.refunds"
# How soon a try that found another try of its key under way should come back.
BUSY_SECONDS = 1.0


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


async def pay(intake: Intake, refund_id: str, asked: RefundAsked) -> Settled:
    """Pay `asked` under `refund_id` through the case's marketplace, or answer as before.
    Raises `RefundRefused` (the answer to give) or `Unavailable` (come back later)."""
    async with alone_with(intake.service.engine, refund_id) as alone:
        if not alone:
            reason = f"refund {refund_id} is being paid by another try"
            raise Unavailable(SYSTEM, reason, 503, BUSY_SECONDS)
        record, before, payer = await begin(intake, refund_id, asked)
        if record.state == RefundState.PAID:
            return Settled(answer_of(record), new=False)
        if record.state == RefundState.REFUSED or payer is None:
            raise RefundRefused(record.refusal_status or refunds.INVALID, record.error or "")
        order = order_of(record, asked)
        if refunds.reads_back_first(before):
            found = await read_back(intake, record, payer, order)
            if found is not None:
                return await settled(intake, record, found, new=False)
        return await pay_once(intake, record, payer, order)


async def begin(
    intake: Intake, refund_id: str, asked: RefundAsked
) -> tuple[RefundRecord, RefundState, Payer | None]:
    """The refund recorded and paying (committed), with the state it was found in (asked:
    new) and who pays it; as found, and no payer, when it is paid or refused already."""
    async with intake.service.transaction() as session:
        record = await session.get(RefundRecord, refund_id)
        if record is None:
            record = await asked_for(session, refund_id, asked)
            session.add(record)
        elif RefundAsked.model_validate(record.request) != asked:
            raise RefundRefused(
                refunds.INVALID,
                f"Idempotency-Key {refund_id!r} was used for another refund of case "
                f"{record.case_id}; a new refund needs a new key",
            )
        before = RefundState(record.state)
        if before in (RefundState.PAID, RefundState.REFUSED):
            return record, before, None
        payer = await payer_of(intake, record)
        if payer.channel.pay_refund is None:
            refuse(record, refunds.INVALID, no_refunds_through(payer.channel.channel))
            return record, before, None
        record.state = refunds.start_paying(before, refund_id).state
        record.attempts += 1
    return record, before, payer


async def asked_for(session, refund_id: str, asked: RefundAsked) -> RefundRecord:
    case = await session.get(CaseRecord, asked.case_id)
    if case is None:
        raise RefundRefused(404, f"case_id: intake holds no case {asked.case_id}")
    problem = refunds.mismatch(
        asked, case.channel, case.account, case.order_id, case.case.get("currency", "")
    )
    if problem:
        raise RefundRefused(refunds.INVALID, f"invalid refund: {problem}")
    return RefundRecord(
        refund_id=refund_id,
        case_id=case.case_id,
        channel=paying_channel(Channel(case.channel)).value,
        account=case.account,
        order_id=case.order_id,
        return_id=case.return_id,
        request=asked.model_dump(mode="json"),
        state=RefundState.ASKED.value,
    )


def paying_channel(channel: Channel) -> Channel:
    """The channel that pays a case's refunds: a case opened by hand is a generic one."""
    return Channel.GENERIC if channel is Channel.AGENT else channel


async def payer_of(intake: Intake, record: RefundRecord) -> Payer:
    channel = intake.channels.get(Channel(record.channel))
    if channel is None:
        raise RefundRefused(refunds.INVALID, no_refunds_through(Channel(record.channel)))
    account = await intake.accounts.find(channel.channel, record.account)
    if account is None:
        reason = f"seller_account: intake holds no {channel.channel.value} account {record.account}"
        raise RefundRefused(refunds.INVALID, reason)
    return Payer(channel, account)


def no_refunds_through(channel: Channel) -> str:
    return (
        f"{channel.value} refunds are not paid through intake: refund the buyer on the "
        "marketplace itself"
    )


def order_of(record: RefundRecord, asked: RefundAsked) -> RefundOrder:
    return RefundOrder(
        refund_id=record.refund_id,
        case_id=record.case_id,
        order_id=record.order_id,
        return_id=record.return_id,
        amount_minor=asked.amount.minor,
        currency=asked.amount.currency,
        reason=asked.reason,
    )


async def read_back(
    intake: Intake, record: RefundRecord, payer: Payer, order: RefundOrder
) -> MarketplaceRefund | None:
    """The refund an earlier try made, if the marketplace holds one. Read-back failing for
    good answers a refusal but records none: the earlier try may have paid."""
    if payer.channel.find_refund is None:
        return None  # the channel's own key makes paying again harmless
    try:
        return await payer.channel.find_refund(order, payer.account, intake.marketplaces)
    except Unavailable as failure:
        await note_failure(intake, record.refund_id, str(failure))
        raise
    except Refused as refusal:
        reason = f"{refusal}; an earlier try may have paid it, so it is not paid again"
        await note_failure(intake, record.refund_id, reason)
        raise RefundRefused(refunds.refusal_status(refusal.status), reason) from refusal


async def pay_once(
    intake: Intake, record: RefundRecord, payer: Payer, order: RefundOrder
) -> Settled:
    assert payer.channel.pay_refund is not None
    try:
        made = await payer.channel.pay_refund(order, payer.account, intake.marketplaces)
    except Unavailable as failure:
        await note_failure(intake, record.refund_id, str(failure))
        raise
    except Refused as refusal:
        status = refunds.refusal_status(refusal.status)
        async with intake.service.transaction() as session:
            stored = await locked(session, record.refund_id)
            refuse(stored, status, str(refusal))
        raise RefundRefused(status, str(refusal)) from refusal
    return await settled(intake, record, made, new=True)


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
        stored.error = None
    return Settled(answer_of(stored), new)


def refuse(record: RefundRecord, status: int, reason: str) -> None:
    record.state = refunds.refuse(RefundState(record.state), record.refund_id).state
    record.refusal_status = status
    record.error = reason
    record.settled_at = utc_now()


async def note_failure(intake: Intake, refund_id: str, why: str) -> None:
    async with intake.service.transaction() as session:
        (await locked(session, refund_id)).error = why


async def locked(session, refund_id: str) -> RefundRecord:
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
    """The Retry-After to answer: the marketplace's own, else soon."""
    return max(1, math.ceil(failure.retry_after or BUSY_SECONDS))


@asynccontextmanager
async def alone_with(engine: AsyncEngine, refund_id: str) -> AsyncIterator[bool]:
    """Whether this try holds the key's lock, for as long as the block runs. The lock is
    the connection's: a process killed mid-try drops it with the connection."""
    key = (func.hashtext(LOCK_SPACE), func.hashtext(refund_id))
    async with engine.connect() as connection:
        alone = bool(await connection.scalar(select(func.pg_try_advisory_lock(*key))))
        await connection.commit()  # no transaction stays open while the marketplace pays
        try:
            yield alone
        finally:
            if alone:
                await let_go(connection, key)


async def let_go(connection, key) -> None:
    try:
        await connection.scalar(select(func.pg_advisory_unlock(*key)))
        await connection.commit()
    except BaseException:
        # Never hand a connection that may still hold the lock back to the pool.
        await connection.invalidate()
        raise
