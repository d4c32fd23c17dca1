"""Cases tallied: what the period reports fold, as the database tallies it per seller and
UTC day opened (migration 0019), and the same tally of one case row (one case). The
reports' folds (`reports.py`, `outcomes.py`) take either: a case row is a tally of one.

A tally row: its seller, day and TALLY_KEYS, how many cases, of those how many were
priced (`costed`, their `cost_minor` and `baseline_minor` added up), how many recovered
something from the returned unit (`recovered`, `recovery_minor`), and how many were rated
each number of stars (`rated_1` … `rated_5`). First replies and breached clocks are
tallied apart (per seller, day and market): a first reply's exact duration, in
microseconds, and a clock's alerts."""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

STARS = range(1, 6)
TALLY_KEYS = (
    "seller_account",
    "sku",
    "asin",
    "title",
    "category",
    "market",
    "reason",
    "reason_code",
    "scenario",
    "remedy",
    "currency",
    "grade",
    "disposition",
)
RATED = tuple(f"rated_{star}" for star in STARS)
TALLY_MEASURES = (
    "cases",
    "costed",
    "cost_minor",
    "baseline_minor",
    "recovered",
    "recovery_minor",
    *RATED,
)
MICROSECOND = timedelta(microseconds=1)


def tallied(row: Mapping[str, Any]) -> Mapping[str, Any]:
    """A tally row as it is; a case row as the tally of its one case."""
    if "cases" in row:
        return row
    costed = row.get("cost_minor") is not None and row.get("baseline_minor") is not None
    recovered = row.get("recovery_minor") is not None
    opened = row.get("opened_at")
    return {
        **{key: row.get(key) for key in TALLY_KEYS},
        "day": opened.date() if opened else None,
        "cases": 1,
        "costed": int(costed),
        "cost_minor": row["cost_minor"] if costed else 0,
        "baseline_minor": row["baseline_minor"] if costed else 0,
        "recovered": int(recovered),
        "recovery_minor": row["recovery_minor"] if recovered else 0,
        **{rated: int(row.get("rating") == star) for rated, star in zip(RATED, STARS, strict=True)},
    }


def reply_us(row: Mapping[str, Any]) -> int | None:
    """A case row's first reply: microseconds from its opening; None before one."""
    if not (row.get("first_offer_at") and row.get("opened_at")):
        return None
    return (row["first_offer_at"] - row["opened_at"]) // MICROSECOND


def replies_of(rows: Iterable[Mapping[str, Any]]) -> Counter[int]:
    """Case rows' first replies tallied: microseconds → cases."""
    return Counter(us for row in rows if (us := reply_us(row)) is not None)


def breaches_of(rows: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Case rows' breached clocks tallied: clock → alerts."""
    breaches: Counter[str] = Counter()
    for row in rows:
        breaches.update(row.get("breaches") or {})
    return breaches


class Days(NamedTuple):
    """A period split at UTC midnights: its whole days [first, end) read from the tallies
    (None: unbounded on that side; `whole` False: none at all), and the partial days
    before and after them read from the case rows, as [start, end) instants."""

    first: date | None
    end: date | None
    whole: bool
    before: tuple[datetime | None, datetime | None] | None
    after: tuple[datetime, datetime] | None

    @property
    def partial(self) -> list[tuple[datetime, datetime]]:
        """The parts of days at the period's edges, [start, end) each."""
        return [edge for edge in (self.before, self.after) if edge is not None]  # type: ignore[misc]


def days_of(since: datetime | None, until: datetime | None) -> Days:
    start = since.astimezone(UTC) if since else None  # naive: local, as the driver reads it
    stop = until.astimezone(UTC) if until else None
    first = None if start is None else start.date() + timedelta(days=start != _midnight(start))
    end = None if stop is None else stop.date()
    if first is not None and end is not None and first >= end:
        return Days(None, None, False, (start, stop), None)
    before = after = None
    if start is not None and first is not None and start < _midnight_of(first):
        before = (start, _midnight_of(first))
    if stop is not None and end is not None and _midnight_of(end) < stop:
        after = (_midnight_of(end), stop)
    return Days(first, end, True, before, after)


def _midnight(instant: datetime) -> datetime:
    return _midnight_of(instant.date())


def _midnight_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
