"""The phrases buyers wrote, counted once when their texts are applied (`tables.
phrase_tallies`, `tables.buyer_text_tallies`), so the listings and markets reports rank them
without splitting every text of their period again (`handlers/reports.py`).

Why the tallies stay exact: a case's reason, listing or market can arrive after the buyer's
text (events are not in order across topics), the day it opened can be corrected, and a
buyer's erasure empties their texts. Keying the tallies by case would keep them exact too,
but a report would then fold a row per case and phrase again. Instead each batch reads its
cases' texts with their facts as counted before it is applied and again after
(`domain/phrase_tallies.tally_changes`): a text whose facts or words changed leaves its old
counts and adds its new ones, under the facts then known. The tallies are therefore always
the fold of the kept texts under today's case rows, whatever order events came in, and a
redelivered event never reaches the projection (the inbox skips it). Two batches of one
case can run at once (its topics' partitions may go to two replicas): each holds its
cases first (`hold_cases`), so the second reads what the first committed.
"""

from collections.abc import Callable, Iterable
from datetime import UTC

from sqlalchemy import RowMapping, delete, func, select, text
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.domain.phrase_tallies import TallyChanges, Written, tallied, tally_changes
from services.analytics.domain.phrases import Counted, base_language
from services.analytics.domain.reports import UNKNOWN
from services.analytics.tables import AppliedEvent, CaseView, buyer_text_tallies, phrase_tallies
from services.analytics.workflows.buyer_texts import TEXT, WRITTEN_BY_BUYERS

CHUNK = 20_000  # texts per step of a refold
SEPARATOR = "\x1f"  # between a phrase's words on the way in: no word holds it
KEY = "seller_account, sku, market, reason, day"
FROM_ARRAYS = (
    "unnest(CAST(:sellers AS text[]), CAST(:skus AS text[]), CAST(:markets AS text[]),"
    " CAST(:reasons AS text[]), CAST(:days AS date[])"
)
# One statement per batch, whatever its size: the changes as arrays, added to the counts.
ADD_PHRASES = text(
    f"INSERT INTO analytics.phrase_tallies AS t ({KEY}, phrase, texts)"
    f" SELECT s, k, m, r, d, string_to_array(p, E'\\x1f'), n FROM {FROM_ARRAYS},"
    " CAST(:phrases AS text[]), CAST(:counts AS integer[])) AS u(s, k, m, r, d, p, n)"
    f" ON CONFLICT ({KEY}, phrase) DO UPDATE SET texts = t.texts + excluded.texts"
)
ADD_TEXTS = text(
    f"INSERT INTO analytics.buyer_text_tallies AS t ({KEY}, texts)"
    f" SELECT s, k, m, r, d, n FROM {FROM_ARRAYS},"
    " CAST(:counts AS integer[])) AS u(s, k, m, r, d, n)"
    f" ON CONFLICT ({KEY}) DO UPDATE SET texts = t.texts + excluded.texts"
)


async def count_tallied(
    session: AsyncSession,
    counted: Counted,
    per: str,
    conditions: Callable[[ReadOnlyColumnCollection], list],
) -> None:
    """Add the tallied phrases and texts to `counted`, per listing (`per="sku"`) or market
    and reason, of the tallies' rows that meet `conditions` (given a table's columns)."""
    for table in (phrase_tallies, buyer_text_tallies):
        columns = table.c
        subject = columns[per]
        phrase = [columns.phrase] if table is phrase_tallies else []
        grouped = [subject, columns.reason, *phrase]
        query = (
            select(*grouped, func.sum(columns.texts)).where(*conditions(columns)).group_by(*grouped)
        )
        for row in (await session.execute(query)).all():
            key = (row[0] or UNKNOWN, row[1] or UNKNOWN)
            if table is phrase_tallies:
                counted.add_counts(key, tuple(row[2]), int(row[3]))
            else:
                counted.add_comments(key, int(row[2]))


def written_query(*conditions):
    """The kept texts of opened cases (a listing known), with the facts they count under."""
    language = func.coalesce(AppliedEvent.data["language"].astext, CaseView.language)
    return (
        select(
            AppliedEvent.seq,
            CaseView.seller_account,
            CaseView.sku,
            CaseView.market,
            CaseView.reason,
            CaseView.opened_at,
            language.label("language"),
            TEXT.label("text"),
        )
        .join(CaseView, CaseView.case_id == AppliedEvent.case_id)
        .where(
            AppliedEvent.type.in_(WRITTEN_BY_BUYERS),
            TEXT != "",
            CaseView.sku.is_not(None),
            *conditions,
        )
    )


def written(row: RowMapping) -> Written:
    day = row.opened_at.astimezone(UTC).date() if row.opened_at is not None else None
    return Written(
        (row.seller_account, row.sku, row.market, row.reason, day),
        base_language(row.language or "en"),
        row.text,
    )


# A transaction's lock per case (a 64-bit hash of its id), taken in one order.
HOLD_CASES = text(
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(id, 0) AS k"
    " FROM unnest(CAST(:ids AS text[])) AS id ORDER BY k) AS held"
)


async def hold_cases(session: AsyncSession, case_ids: list[str]) -> None:
    """Wait for any other batch of these cases to end, and keep them until this one does."""
    if case_ids:
        await session.execute(HOLD_CASES, {"ids": case_ids})


async def written_in_cases(session: AsyncSession, case_ids: list[str]) -> dict[int, Written]:
    """The cases' texts as they count now, by event."""
    if not case_ids:
        return {}
    query = written_query(AppliedEvent.case_id.in_(case_ids))
    return {row.seq: written(row) for row in (await session.execute(query)).mappings()}


async def retally_cases(
    session: AsyncSession, case_ids: list[str], counted: dict[int, Written]
) -> None:
    """Bring the tallies from the cases' texts as `counted` (before a batch) to as they are."""
    if not case_ids:
        return
    changes = tally_changes(counted, await written_in_cases(session, case_ids))
    await add_to_tallies(session, changes)


async def refold_phrase_tallies(session: AsyncSession) -> int:
    """Count every kept text again from nothing, CHUNK texts a step: after a rebuild of the
    case rows, or a bulk load that bypassed the projection. The texts counted."""
    await session.execute(delete(phrase_tallies))
    await session.execute(delete(buyer_text_tallies))
    folded, after = 0, 0
    while True:
        query = written_query(AppliedEvent.seq > after).order_by(AppliedEvent.seq).limit(CHUNK)
        rows = list((await session.execute(query)).mappings())
        if not rows:
            return folded
        await add_to_tallies(session, tallied(written(row) for row in rows))
        folded += len(rows)
        after = rows[-1].seq


async def add_to_tallies(session: AsyncSession, changes: TallyChanges) -> None:
    """Add the changes to the counts (a statement per table), dropping the counts that come
    to nothing. In key order, so concurrent batches lock shared counts alike."""
    if changes.phrases:
        ordered = sorted(changes.phrases.items(), key=lambda item: _order(*item[0]))
        await session.execute(
            ADD_PHRASES,
            _arrays([key for (key, _), _ in ordered])
            | {
                "phrases": [SEPARATOR.join(phrase) for (_, phrase), _ in ordered],
                "counts": [count for _, count in ordered],
            },
        )
    if changes.texts:
        ordered_texts = sorted(changes.texts.items(), key=lambda item: _order(item[0]))
        await session.execute(
            ADD_TEXTS,
            _arrays([key for key, _ in ordered_texts])
            | {"counts": [count for _, count in ordered_texts]},
        )
    if any(n < 0 for n in changes.texts.values()) or any(n < 0 for n in changes.phrases.values()):
        await session.execute(delete(phrase_tallies).where(phrase_tallies.c.texts <= 0))
        await session.execute(delete(buyer_text_tallies).where(buyer_text_tallies.c.texts <= 0))


def _arrays(keys: Iterable[tuple]) -> dict[str, list]:
    sellers, skus, markets, reasons, days = (list(column) for column in zip(*keys, strict=True))
    return {"sellers": sellers, "skus": skus, "markets": markets, "reasons": reasons, "days": days}


def _order(key: tuple, phrase: tuple[str, ...] = ()) -> tuple:
    """A sort order for keys holding None."""
    return (*(("", "") if value is None else ("1", str(value)) for value in key), phrase)
