"""Every event kept as it came (for timelines and rebuilds) and folded into the per-case
read model, a batch at a time: analytics' hot path, one statement per step."""

from sqlalchemy import case, func, update
from sqlalchemy.dialects.postgresql import array, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.case_facts import (
    EARLIEST_COLUMNS,
    FACT_COLUMNS,
    PERSONAL_FIELDS,
    case_rows,
)
from services.analytics.domain.conversation import conversation_rows
from services.analytics.domain.phrase_tallies import cases_to_tally
from services.analytics.tables import AppliedEvent, CaseView
from services.analytics.workflows.claims import open_notified_claims
from services.analytics.workflows.conversation import forget_turns, record_turns
from services.analytics.workflows.phrase_tallies import (
    hold_cases,
    retally_cases,
    written_in_cases,
)
from shared.consumer import Delivery
from shared.events import BuyerErased


async def erase_buyers(session: AsyncSession, deliveries: list[Delivery]) -> None:
    """A buyer's erasure removes what they wrote or are known by from every kept event,
    this batch's included (they are inserted before)."""
    erased = [d.envelope.subject for d in deliveries if isinstance(d.payload, BuyerErased)]
    if not erased:
        return
    events = AppliedEvent.__table__
    await session.execute(
        update(events)
        .where(events.c.case_id.in_(erased))
        .values(data=events.c.data.op("-")(array(PERSONAL_FIELDS)))
    )
    await forget_turns(session, erased)


async def project(session: AsyncSession, deliveries: list[Delivery]) -> None:
    """Keep every event (one INSERT for the batch, no ORM objects: this is analytics' hot
    path), and fold the batch into one upsert of the case read model. The buyers' texts the
    batch adds, erases or whose case facts it changes are counted into the phrase tallies,
    from their cases' texts as counted before the batch and as they are after it."""
    rows = case_rows([(d.payload, d.envelope.time) for d in deliveries])
    cases = cases_to_tally([(d.envelope.subject, d.payload) for d in deliveries], rows)
    await hold_cases(session, cases)
    counted = await written_in_cases(session, cases)
    # A statement with many parameter sets (compiled once), not a VALUES list per batch.
    await session.execute(
        insert(AppliedEvent.__table__),
        [
            {
                "event_id": d.envelope.id,
                "case_id": d.envelope.subject,
                "type": d.envelope.type,
                "source": d.envelope.source,
                "time": d.envelope.time,
                "trace_id": d.trace_id,
                "data": d.envelope.data,
            }
            for d in deliveries
        ],
    )
    await record_turns(
        session,
        conversation_rows([(d.payload, d.envelope.id, d.envelope.time) for d in deliveries]),
    )
    await erase_buyers(session, deliveries)
    await upsert_cases(session, rows)
    await retally_cases(session, cases, counted)
    await open_notified_claims(session, deliveries)


async def upsert_cases(session: AsyncSession, rows: list[dict]) -> None:
    """Fold case rows into the read model, adding each row's `events_kept` to the case's (a
    trigger keeps the tallies of the cases: migration 0019, `workflows/tallies`)."""
    cases = CaseView.__table__
    statement = insert(cases)
    incoming = statement.excluded
    # A case's events arrive on several topics, so not always in time order: facts are
    # kept once known, and the status follows whichever event is the latest.
    newer = cases.c.updated_at <= incoming.updated_at
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[cases.c.case_id],
            set_={
                **{name: func.coalesce(incoming[name], cases.c[name]) for name in FACT_COLUMNS},
                "status": case(
                    (newer, func.coalesce(incoming.status, cases.c.status)), else_=cases.c.status
                ),
                **{name: func.least(cases.c[name], incoming[name]) for name in EARLIEST_COLUMNS},
                "breaches": func.analytics.added_counts(cases.c.breaches, incoming.breaches),
                "updated_at": func.greatest(cases.c.updated_at, incoming.updated_at),
                # Exact under redelivery: the inbox drops a duplicate before the projection.
                "events_kept": cases.c.events_kept + incoming.events_kept,
            },
        ),
        rows,
    )
