"""What steering achieved over a period, against the targets the business set: minor
defects closed without a return, satisfied buyers, time to the first reply, what the
chosen remedies saved against returning everything, what returned units recovered."""

from collections.abc import Iterable, Mapping
from statistics import median, quantiles
from typing import Any

MINOR_DEFECT_TARGET = 0.80  # of minor-defect cases end without a return
SATISFACTION_TARGET = 0.92  # of ratings are 4 or 5 stars
SATISFIED_FROM = 4
RETURN = "return_full_refund"
# The buyer's own unit came in, was repaired and went back to them: the seller recovers
# nothing from it (what its repair cost is the remedy's cost, not a recovery).
REPAIR = "repair"


def outcomes(rows: Iterable[Mapping[str, Any]], breaches: Mapping[str, int]) -> dict[str, Any]:
    rows = list(rows)
    return {
        "cases": len(rows),
        "minor_defects": minor_defects(rows),
        "satisfaction": satisfaction(rows),
        "first_reply": first_reply(rows),
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
    decided = [r for r in rows if r.get("scenario") == "minor_defect" and r.get("remedy")]
    kept = sum(r["remedy"] != RETURN for r in decided)
    share = _share(kept, len(decided))
    return {
        "decided": len(decided),
        "without_return": kept,
        "share": share,
        "target": MINOR_DEFECT_TARGET,
        "met": share is not None and share >= MINOR_DEFECT_TARGET,
    }


def satisfaction(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    ratings = [r["rating"] for r in rows if r.get("rating") is not None]
    satisfied = sum(rating >= SATISFIED_FROM for rating in ratings)
    share = _share(satisfied, len(ratings))
    return {
        "ratings": len(ratings),
        "satisfied": satisfied,
        "share": share,
        "target": SATISFACTION_TARGET,
        "met": share is not None and share >= SATISFACTION_TARGET,
    }


def first_reply(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Minutes from the case opening to the buyer's first message (offer or notice)."""
    minutes = sorted(
        (r["first_offer_at"] - r["opened_at"]).total_seconds() / 60
        for r in rows
        if r.get("first_offer_at") and r.get("opened_at")
    )
    buckets = reply_buckets(minutes)
    if not minutes:
        return {"cases": 0, "median_minutes": None, "p90_minutes": None, "buckets": buckets}
    p90 = quantiles(minutes, n=10, method="inclusive")[-1] if len(minutes) > 1 else minutes[0]
    return {
        "cases": len(minutes),
        "median_minutes": round(median(minutes), 2),
        "p90_minutes": round(p90, 2),
        "buckets": buckets,
    }


# The service-level clock: how soon buyers heard from us (upper bounds, minutes).
REPLY_BUCKETS = (("under 15 min", 15), ("15-60 min", 60), ("1-4 h", 240), ("4-24 h", 1440))


def reply_buckets(minutes: Iterable[float]) -> dict[str, int]:
    """First replies counted by how long they took; the last bucket is over a day."""
    counts = {name: 0 for name, _ in REPLY_BUCKETS} | {"over 24 h": 0}
    for value in minutes:
        name = next((name for name, bound in REPLY_BUCKETS if value < bound), "over 24 h")
        counts[name] += 1
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
        {**row, "month": row["opened_at"].strftime("%Y-%m")} for row in rows if row.get("opened_at")
    ]
    return [
        dict(zip(keys, key, strict=True)) | total for key, total in _costs_by(dated, keys).items()
    ]


def _costs_by(
    rows: Iterable[Mapping[str, Any]], keys: tuple[str, ...]
) -> dict[tuple, dict[str, int]]:
    """Decided cases' cost and baseline added up per `keys`, in key order, with the saving."""
    totals: dict[tuple, dict[str, int]] = {}
    for row in rows:
        if row.get("cost_minor") is None or row.get("baseline_minor") is None:
            continue
        key = tuple(row.get(name) or "unknown" for name in keys)
        total = totals.setdefault(key, {"cases": 0, "cost_minor": 0, "baseline_minor": 0})
        total["cases"] += 1
        total["cost_minor"] += row["cost_minor"]
        total["baseline_minor"] += row["baseline_minor"]
    for total in totals.values():
        total["saved_minor"] = total["baseline_minor"] - total["cost_minor"]
    return dict(sorted(totals.items()))


def recovery(rows: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per currency: the net recovered from returned units, by grade and by disposition;
    a unit repaired for its buyer (the remedy `repair`) is no returned unit."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.get("recovery_minor") is None or row.get("remedy") == REPAIR:
            continue
        total = totals.setdefault(
            row["currency"] or "unknown",
            {"units": 0, "net_minor": 0, "by_grade": {}, "by_disposition": {}},
        )
        total["units"] += 1
        total["net_minor"] += row["recovery_minor"]
        for key, column in (("by_grade", "grade"), ("by_disposition", "disposition")):
            name = row.get(column) or "unknown"
            total[key][name] = total[key].get(name, 0) + row["recovery_minor"]
    return dict(sorted(totals.items()))
