"""FBA refunds followed until their unit comes back (`domain/fba_refunds.py`).

Each authorised Amazon account has one refunds poll (`amazon_refund_polls`): every
AMAZON_REPORT_INTERVAL_SECONDS the refunds Amazon posted since the last poll (a day earlier:
Amazon posts some events late; a refund read twice is kept once) are read from the Finances
API (`channels/amazon/finances_api.py`), each new order's fulfilment from the Orders API,
and each refund of an FBA order (AFN) is kept once (`amazon_fba_refunds`). Then, in one
transaction, every open refund of the account is compared with the FBA units of its order
and SKU the returns reports brought (`amazon_fba_units`): matched, still waiting, a
reimbursement claim owed ("refunded, not returned", listed with the other claims), or,
for a claim owed already, the unit's late arrival written on the claim. A call that failed
keeps its cause (`last_failure`) and the same window is read again later.

Metric `amazon.fba_refunds` counts refunds matched, claimed and arrived late (by
`outcome` and `market`).
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.channels.amazon import finances_api, orders_api
from services.intake.channels.amazon.marketplaces import market_of
from services.intake.channels.amazon.reports import ReportKind
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.domain import fba_refunds as refunds
from services.intake.domain.case import Channel, ChannelError
from services.intake.domain.delivery import DeliveryState
from services.intake.domain.fba_refunds import RefundState
from services.intake.domain.reimbursement_claims import ClaimState
from services.intake.tables import (
    AmazonFbaRefund,
    AmazonFbaUnit,
    AmazonRefundPoll,
    AmazonReimbursementClaim,
    AmazonReportPoll,
    AmazonReturnRows,
    DeliveryRecord,
)
from services.intake.workflows import reimbursement_claims
from services.intake.workflows.amazon_reports import authorised_accounts
from services.intake.workflows.context import Intake
from shared.markets import MINOR_UNITS, Currency
from shared.outbound import OutboundError, Unavailable
from shared.service import Service
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

SCHEDULED = "scheduled"
PAUSED = "paused"  # the account has no SP-API authorisation (any more)
OVERLAP = timedelta(days=1)
POLLS_CHANNEL = "amazon_refund_polls_intake"
METRIC = "amazon.fba_refunds"

Values = dict[str, Any]


def count(service: Service, outcome: RefundState, market: str) -> None:
    service.counter(METRIC, "FBA refunds, by whether their unit came back").add(
        1, {"outcome": outcome.value, "market": market}
    )


async def schedule_accounts(intake: Intake, now: datetime) -> None:
    """A refunds poll for every authorised Amazon account; a paused one resumes once the
    account is authorised again."""
    authorised = await authorised_accounts(intake)
    if not authorised:
        return
    first = now - timedelta(days=intake.service.settings.amazon_report_first_days)
    table = AmazonRefundPoll.__table__
    new = [
        {"account": name, "state": SCHEDULED, "covered_until": first, "attempts": 0,
         "next_attempt_at": now, "polls_done": 0, "failures": 0}
        for name in authorised
    ]  # fmt: skip
    async with intake.service.engine.begin() as connection:
        await connection.execute(insert(table).values(new).on_conflict_do_nothing())
        await connection.execute(
            update(table)
            .where(table.c.state == PAUSED, table.c.account.in_(authorised))
            .values(state=SCHEDULED, next_attempt_at=now)
        )


async def poll(intake: Intake, polled: AmazonRefundPoll, now: datetime) -> Values:
    """Read the window's refunds, keep the FBA ones, settle the account's open refunds; the
    values the poll moves to."""
    account = await intake.accounts.find(Channel.AMAZON, polled.account)
    partner = selling_partner(account) if account else None
    if partner is None:
        return {"state": PAUSED, "last_failure": "the account has no SP-API authorisation"}
    settings = intake.service.settings
    apis = intake.marketplaces
    start = polled.covered_until - OVERLAP if polled.polls_done else polled.covered_until
    try:
        posted = await finances_api.refunds_posted(apis, partner, start, now)
        known = await known_orders(intake, polled.account, {r.order_id for r in posted})
        fulfilled: dict[str, str | None] = {}  # FBA order: its market; None: not Amazon's
        for order_id in sorted({r.order_id for r in posted} - known):
            order = await orders_api.get_order(apis, partner, order_id)
            market = market_of(order.MarketplaceId)
            by_amazon = order.FulfillmentChannel == "AFN" and market is not None
            fulfilled[order_id] = market.value if by_amazon and market else None
    except Unavailable as error:
        pause = max(error.retry_after or 0, retry_pause(polled.failures + 1).total_seconds())
        return failure(polled, now, str(error), pause)
    except (OutboundError, ChannelError) as error:
        cause = error.detail if isinstance(error, ChannelError) else str(error)
        return failure(polled, now, cause, settings.amazon_report_interval_seconds)
    rows = [
        row_of(polled.account, refund, market, now, settings.amazon_refund_return_days)
        for refund in posted
        if (market := fulfilled.get(refund.order_id)) is not None
    ]
    async with intake.service.transaction() as session:
        if rows:
            table = AmazonFbaRefund.__table__
            await session.execute(insert(table).values(rows).on_conflict_do_nothing())
        moved = await settle_refunds(session, intake.service, polled.account, now)
    settled = ", ".join(f"{n} {state}" for state, n in moved.items()) or "none settled"
    summary = (
        f"refunds to {now.isoformat(timespec='seconds')}: {len(posted)} read, "
        f"{len(rows)} of FBA orders; {settled}"
    )
    return {
        "covered_until": now,
        "polls_done": polled.polls_done + 1,
        "last_outcome": summary,
        "failures": 0,
        "next_attempt_at": now + timedelta(seconds=settings.amazon_report_interval_seconds),
    }


async def known_orders(intake: Intake, account: str, order_ids: set[str]) -> set[str]:
    """The orders of which a refund is kept already (their fulfilment is known)."""
    if not order_ids:
        return set()
    table = AmazonFbaRefund.__table__
    query = select(table.c.order_id).where(
        table.c.account == account, table.c.order_id.in_(order_ids)
    )
    async with intake.service.engine.connect() as connection:
        return set((await connection.scalars(query)).all())


def row_of(
    account: str, refund: finances_api.PostedRefund, market: str, now: datetime, days: int
) -> Values:
    currency = refund.currency or ""
    amount = None
    if currency in {known.value for known in Currency}:
        amount = int((refund.amount * MINOR_UNITS[Currency(currency)]).quantize(Decimal(1)))
    return {
        "account": account,
        "order_id": refund.order_id,
        "sku": refund.sku,
        "refunded_at": refund.refunded_at,
        "quantity": refund.quantity,
        "amount_minor": amount,
        "currency": currency,
        "market": market,
        "due_at": refunds.due_at(refund.refunded_at, days),
        "state": RefundState.WAITING.value,
        "seen_at": now,
        "updated_at": now,
    }


def failure(polled: AmazonRefundPoll, now: datetime, cause: str, pause: float) -> Values:
    log.warning("amazon %s refunds: %s", polled.account, cause)
    return {
        "failures": polled.failures + 1,
        "last_failure": cause,
        "failed_at": now,
        "next_attempt_at": now + timedelta(seconds=pause),
    }


async def settle(intake: Intake, polled: AmazonRefundPoll, values: Values) -> None:
    table = AmazonRefundPoll.__table__
    async with intake.service.engine.begin() as connection:
        await connection.execute(
            update(table).where(table.c.account == polled.account).values(**values)
        )


async def settle_refunds(
    session: AsyncSession, service: Service, account: str, now: datetime
) -> dict[str, int]:
    """Each open refund of the account against the units that came back: matched, a claim
    owed, or a claim's unit arrived late. How many moved to each state."""
    table = AmazonFbaRefund.__table__
    units = AmazonFbaUnit.__table__
    open_refunds = (
        await session.execute(
            select(table)
            .where(
                table.c.account == account,
                table.c.state.in_([state.value for state in refunds.OPEN]),
            )
            .order_by(table.c.refunded_at)
            .with_for_update()
        )
    ).all()
    moved: dict[str, int] = {}
    reported = await reported_until(session, account) if open_refunds else None
    for refund in open_refunds:
        back = (
            await session.execute(
                select(
                    func.coalesce(func.sum(units.c.quantity), 0),
                    func.array_agg(units.c.license_plate),
                    func.max(units.c.returned_at),
                ).where(
                    units.c.account == account,
                    units.c.order_id == refund.order_id,
                    units.c.sku == refund.sku,
                )
            )
        ).one()
        units_back, plates, returned_at = int(back[0]), [p for p in back[1] or [] if p], back[2]
        state = RefundState(refund.state)
        after = refunds.verdict(state, refund.quantity, units_back, refund.due_at, now, reported)
        if after is state:
            continue
        values: Values = {"state": after.value, "updated_at": now}
        if after is RefundState.CLAIMED:
            values["claim_id"] = await owe_claim(session, service, refund, units_back, now)
        elif after is RefundState.ARRIVED_LATE and refund.claim_id:
            await session.execute(
                update(AmazonReimbursementClaim.__table__)
                .where(AmazonReimbursementClaim.__table__.c.claim_id == refund.claim_id)
                .values(late_arrival=refunds.late_note(plates, returned_at or now))
            )
        await session.execute(
            update(table)
            .where(
                table.c.account == account,
                table.c.order_id == refund.order_id,
                table.c.sku == refund.sku,
                table.c.refunded_at == refund.refunded_at,
            )
            .values(**values)
        )
        count(service, after, refund.market)
        moved[after.value] = moved.get(after.value, 0) + 1
    return moved


async def reported_until(session: AsyncSession, account: str) -> datetime | None:
    """How far the account's FBA returns reports have been read with every return they
    brought recorded as a unit: the FBA report poll's `covered_until`, unless a return is
    still waiting for its order or its delivery is not applied yet (None: not known)."""
    polls = AmazonReportPoll.__table__
    covered = await session.scalar(
        select(polls.c.covered_until).where(
            polls.c.account == account,
            polls.c.report_type == ReportKind.FBA.value,
            polls.c.reports_done > 0,
        )
    )
    if covered is None:
        return None
    rows = AmazonReturnRows.__table__
    deliveries = DeliveryRecord.__table__
    pending = await session.scalar(
        select(
            select(rows.c.account)
            .where(rows.c.account == account, rows.c.state == "waiting")
            .exists()
            | select(deliveries.c.account)
            .where(
                deliveries.c.channel == Channel.AMAZON.value,
                deliveries.c.account == account,
                deliveries.c.state == DeliveryState.ACCEPTED.value,
            )
            .exists()
        )
    )
    return None if pending else covered


async def owe_claim(
    session: AsyncSession, service: Service, refund: Any, units_back: int, now: datetime
) -> str:
    """The refund's claim owed, with its evidence: the order, SKU, refund date and amount
    for the units that never came back."""
    claim_id = refunds.claim_id_of(refund.account, refund.order_id, refund.sku, refund.refunded_at)
    missing = refunds.missing(refund.quantity, units_back)
    value = None
    if refund.amount_minor is not None:
        value = refund.amount_minor * missing // refund.quantity
    due = refund.due_at.date().isoformat()
    statement = insert(AmazonReimbursementClaim.__table__).values(
        claim_id=claim_id,
        case_id=None,
        account=refund.account,
        order_id=refund.order_id,
        sku=refund.sku,
        fnsku=None,
        asin=None,
        license_plate="",
        quantity=missing,
        market=refund.market,
        fulfillment_center="",
        disposition="",
        amazon_status=refunds.NOT_RETURNED,
        returned_at=refund.refunded_at,
        value_minor=value,
        currency=refund.currency,
        state=ClaimState.OWED.value,
        note=(
            f"buyer refunded {refund.refunded_at.date().isoformat()}, the unit not back at "
            f"Amazon by {due}"
        ),
        owed_at=now,
        kind="not_returned",
        refunded_at=refund.refunded_at,
    )
    owed = await session.scalar(
        statement.on_conflict_do_nothing().returning(AmazonReimbursementClaim.__table__.c.claim_id)
    )
    if owed is not None:
        reimbursement_claims.count(service, ClaimState.OWED, refund.market)
    return claim_id


async def polls(intake: Intake, account: str | None = None) -> list[dict]:
    table = AmazonRefundPoll.__table__
    query = select(table).order_by(table.c.account)
    if account is not None:
        query = query.where(table.c.account == account)
    async with intake.service.engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(query)]
