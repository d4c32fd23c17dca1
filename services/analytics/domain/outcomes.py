"""What steering achieved over a period, against the targets the business set: minor
defects closed without a return, satisfied buyers, time to the first reply, what the
chosen remedies saved against returning everything, what returned units recovered.
Plain functions over tallied rows (`tallies.py`: a case row is a tally of one case)."""

from collections.abc import Iterable, Mapping
from typing import Any

from services.analytics.domain.tallies import RATED, STARS, replies_of, tallied

MINOR_DEFECT_TARGET = 0.80  # of minor-defect cases end without a return
SATISFACTION_TARGET = 0.92  # of ratings are 4 or 5 stars
SATISFIED_FROM = 4
RETURN = "return_full_refund"
# The buyer's own unit came in, was repaired and went back to them: the seller recovers
# nothing from it (what its repair cost is the remedy's cost, not a recovery).
REPAIR = "repair"


def outcomes(
    rows: Iterable[Mapping[str, Any]],
    breaches: Mapping[str, int],
    replies: Mapping[int, int] | None = None,
) -> dict[str, Any]:
    """The period's outcomes; `replies` its first replies tallied (microseconds → cases),
    read from the rows when they are case rows."""
    rows = list(rows)
    if replies is None:
        replies = replies_of(rows)
    rows = [tallied(row) for row in rows]
    return {
        "cases": sum(row["cases"] for row in rows),
        "minor_defects": minor_defects(rows),
        "satisfaction": satisfaction(rows),
        "first_reply": first_reply(replies),
        "savings": savings(rows),
        "by_remedy": cost_by_remedy(rows),
        "recovery": recovery(rows),
        "breaches": dict(sorted(breaches.items())),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def minor_defects(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Minor defects closed without a return: every remedy but the return for a refund
    keeps the sale (a repaired unit goes back to its buyer, an exchange's new one stays)."""
    decided = [
        r for r in map(tallied, rows) if r.get("scenario") == "minor_defect" and r.get("remedy")
    ]
    kept = sum(r["cases"] for r in decided if r["remedy"] != RETURN)
    cases = sum(r["cases"] for r in decided)
    share = _share(kept, cases)
    return {
        "decided": cases,
        "without_return": kept,
        "share": share,
        "target": MINOR_DEFECT_TARGET,
        "met": share is not None and share >= MINOR_DEFECT_TARGET,
    }


def satisfaction(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    rows = [tallied(row) for row in rows]
    ratings = sum(row[rated] for row in rows for rated in RATED)
    satisfied = sum(
        row[rated]
        for row in rows
        for rated, star in zip(RATED, STARS, strict=True)
        if star >= SATISFIED_FROM
    )
    share = _share(satisfied, ratings)
    return {
        "ratings": ratings,
        "satisfied": satisfied,
        "share": share,
        "target": SATISFACTION_TARGET,
        "met": share is not None and share >= SATISFACTION_TARGET,
    }


def first_reply(replies: Mapping[int, int]) -> dict[str, Any]:
    """Minutes from the case opening to the buyer's first message (offer or notice), from
    the first replies tallied (microseconds → cases): the median and the 90th percentile
    exactly as `statistics.median` and `quantiles(n=10, method="inclusive")` give them."""
    ranked = _Ranked(replies)
    buckets = reply_buckets(replies)
    n = ranked.total
    if not n:
        return {"cases": 0, "median_minutes": None, "p90_minutes": None, "buckets": buckets}
    if n % 2:
        middle = ranked.minutes(n // 2)
    else:
        middle = (ranked.minutes(n // 2 - 1) + ranked.minutes(n // 2)) / 2
    if n > 1:
        j, delta = divmod(9 * (n - 1), 10)
        p90 = (ranked.minutes(j) * (10 - delta) + ranked.minutes(j + 1) * delta) / 10
    else:
        p90 = ranked.minutes(0)
    return {
        "cases": n,
        "median_minutes": round(middle, 2),
        "p90_minutes": round(p90, 2),
        "buckets": buckets,
    }


def _minutes(us: int) -> float:
    return us / 10**6 / 60  # as timedelta.total_seconds() / 60


class _Ranked:
    """Tallied durations in order: the minutes of the i-th shortest (from 0)."""

    def __init__(self, replies: Mapping[int, int]) -> None:
        self.ordered = sorted((us, cases) for us, cases in replies.items() if cases)
        self.total = sum(cases for _, cases in self.ordered)

    def minutes(self, index: int) -> float:
        for us, cases in self.ordered:
            if index < cases:
                return _minutes(us)
            index -= cases
        raise IndexError(index)


# The service-level clock: how soon buyers heard from us (upper bounds, minutes).
REPLY_BUCKETS = (("under 15 min", 15), ("15-60 min", 60), ("1-4 h", 240), ("4-24 h", 1440))


def reply_buckets(replies: Mapping[int, int]) -> dict[str, int]:
    """First replies (microseconds → cases) counted by how long they took; the last bucket
    is over a day."""
    counts = {name: 0 for name, _ in REPLY_BUCKETS} | {"over 24 h": 0}
    for us, cases in replies.items():
        value = _minutes(us)
        name = next((name for name, bound in REPLY_BUCKETS if value < bound), "over 24 h")
        counts[name] += cases
    return counts


def savings(rows: list[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per currency: what the chosen remedies cost, what returning every one of those
    cases would have cost, and the difference."""
    return {currency: total for (currency,), total in _costs_by(rows, ("currency",)).items()}


def cost_by_remedy(rows: list[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """Per remedy and currency: what it cost against returning everything."""
    remedies: dict[str, dict[str, dict[str, int]]] = {}
    for (remedy, currency), total in _costs_by(rows, ("remedy", "currency")).items():
        remedies.setdefault(remedy, {})[currency] = total
    return remedies


def savings_by_month(rows: Iterable[Mapping[str, Any]], per_listing: bool = False) -> list[dict]:
    """Savings per month the cases opened (and per listing), oldest first: flat rows."""
    keys = ("month", "sku", "currency") if per_listing else ("month", "currency")
    dated = [
        {**row, "month": row["day"].strftime("%Y-%m")} for row in map(tallied, rows) if row["day"]
    ]
    return [
        dict(zip(keys, key, strict=True)) | total for key, total in _costs_by(dated, keys).items()
    ]


def _costs_by(
    rows: Iterable[Mapping[str, Any]], keys: tuple[str, ...]
) -> dict[tuple, dict[str, int]]:
    """Decided cases' cost and baseline added up per `keys`, in key order, with the saving."""
    totals: dict[tuple, dict[str, int]] = {}
    for row in map(tallied, rows):
        if not row["costed"]:
            continue
        key = tuple(row.get(name) or "unknown" for name in keys)
        total = totals.setdefault(key, {"cases": 0, "cost_minor": 0, "baseline_minor": 0})
        total["cases"] += row["costed"]
        total["cost_minor"] += row["cost_minor"]
        total["baseline_minor"] += row["baseline_minor"]
    for total in totals.values():
        total["saved_minor"] = total["baseline_minor"] - total["cost_minor"]
    return dict(sorted(totals.items()))


def recovery(rows: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per currency: the net recovered from returned units, by grade and by disposition;
    a unit repaired for its buyer (the remedy `repair`) is no returned unit."""
    totals: dict[str, dict[str, Any]] = {}
    for row in map(tallied, rows):
        if not row["recovered"] or row.get("remedy") == REPAIR:
            continue
        total = totals.setdefault(
            row["currency"] or "unknown",
            {"units": 0, "net_minor": 0, "by_grade": {}, "by_disposition": {}},
        )
        total["units"] += row["recovered"]
        total["net_minor"] += row["recovery_minor"]
        for key, column in (("by_grade", "grade"), ("by_disposition", "disposition")):
            name = row.get(column) or "unknown"
            total[key][name] = total[key].get(name, 0) + row["recovery_minor"]
    return dict(sorted(totals.items()))
